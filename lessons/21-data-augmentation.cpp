// Lesson 21: data augmentation
// ============================
//
// A network trained on 1,000 digits sees each of them dozens of times, and it soon
// learns the 1,000 images rather than what makes a 7 a 7: the training accuracy goes
// to 100% while the test accuracy stalls (lesson 07). More data is the best cure;
// when there is none, we can make more from what we have. A digit moved two pixels
// to the left is still the same digit, so is one turned by 10 degrees or one with a
// few pixels hidden. Drawing a fresh random change of every image every time it is
// used (data augmentation) shows the network many versions of each example, and
// teaches it what must *not* change the answer: small shifts, turns, lighting,
// noise, occlusion.
//
// typenet's transforms (data/augment.hpp, namespace augment) act on one CHW float
// image in place, drawing from the generator they are given:
//
//   RandomCrop{.padding = p}      pad by p and crop back at a random place: a shift of up to p pixels
//   HorizontalFlip{}              a mirror image, half the time
//   Rotation{.degrees = d}        turn by an angle in [-d, d], bilinear
//   ColorJitter{...}              brightness, contrast (and saturation, for colour) by random factors
//   GaussianNoise{.stddev = s}    add noise to every pixel
//   Cutout{.size = k}             blank a random k x k square (DeVries and Taylor, 2017)
//
// augment::Pipeline{t1, t2, ...} runs them in order; fit(..., {.augment =
// pipeline.for_input<...>()}) applies it to every training batch (never to the
// validation or test data: those are the real world we are measured on).
//
// Which transforms are right depends on the data. A transform must not change the
// class: a cat mirrored is a cat, but a 2 mirrored is not a digit at all, and the
// mirror of a 6 turned upside down is a 9. So the pictures below show every transform
// on digits and on emoji, and the experiment uses shifts, small turns and cutout
// for the digits, never flips.
//
// Run:  build/release/lessons/21-data-augmentation [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh mnist emoji). The full run trains the same small
//       CNN six times (3 seeds, with and without augmentation, 30 epochs each) on
//       1,000 digits: about 1.5 minutes of CPU time. Measured on the shared 2-core
//       machine: 1m28s wall with OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive at a load
//       of about 4, 7m38s on one thread at a load of about 10 (the same numbers
//       both times). --smoke: a few seconds.
// Writes: out/21-data-augmentation/transforms-digits.png, transforms-emoji.png (one row
//         per transform), augmented-batch.png (what the network sees in one batch),
//         curves.svg (validation accuracy per epoch, one seed) and results.csv.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <typenet/data/augment.hpp>
#include <typenet/data/emoji.hpp>
#include <typenet/data/mnist.hpp>
#include <typenet/image/grid.hpp>
#include <typenet/image/io.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The network: a small CNN, the same for both runs
// ---------------------------------------------------------------------------------
//
// Two 3x3 convolutions with pooling and a small dense head: 105,866 parameters,
// over a hundred per training digit, so without help it can memorise the set.
// No dropout, no weight decay: the only difference between the runs is the data.
using SmallCnn = Sequential<Input<1, 28, 28>,
                            Conv2D<16, Kernel<3>, Pad<1>>, ReLU, MaxPool<2>,
                            Conv2D<32, Kernel<3>, Pad<1>>, ReLU, MaxPool<2>,
                            Flatten,
                            Dense<64>, ReLU,
                            Dense<10>>;
static_assert(std::is_same_v<SmallCnn::output_shape, Shape<10>>);
static_assert(SmallCnn::param_count == 105'866);

namespace {

// ---------------------------------------------------------------------------------
// 1. Looking at the transforms
// ---------------------------------------------------------------------------------
//
// Each transform is applied to copies of the same few images, one row per transform
// under a row of the originals. Every transform is a plain struct, so a row is one
// call to its apply() per image.
template <class... Transforms>
void transform_gallery(const Dataset& images, const std::vector<std::size_t>& which, augment::ImageShape shape,
                       const std::filesystem::path& path, const Transforms&... transforms) {
    const std::size_t rows = 1 + sizeof...(Transforms), count = which.size(), n = shape.size();
    std::vector<float> tiles(rows * count * n), scratch;
    for (std::size_t i = 0; i < count; ++i) images.copy_input(which[i], tiles.data() + i * n);
    Rng rng{Seed{7}};
    std::size_t row = 1;
    const auto add_row = [&](const auto& transform) {
        for (std::size_t i = 0; i < count; ++i) {
            float* tile = tiles.data() + (row * count + i) * n;
            std::copy_n(tiles.data() + i * n, n, tile);
            transform.apply(tile, shape, rng, scratch);
        }
        ++row;
    };
    (add_row(transforms), ...);
    const std::size_t upscale = shape.height < 48 ? 3 : 1;
    image::write_png(lesson::wrote(path),
                     image::image_grid(tiles.data(), rows * count, shape.channels, shape.height, shape.width,
                                       {.columns = count, .upscale = upscale, .gap = 2, .background = 0.5f}));
}

// ---------------------------------------------------------------------------------
// 2. The experiment: one training run
// ---------------------------------------------------------------------------------
struct RunResult {
    float train_accuracy = 0, test_accuracy = 0;  // train: the clean (not augmented) training digits
    History history;
};

RunResult train_once(std::uint64_t seed, bool with_augmentation, const Dataset& train, const Dataset& validation,
                     const Dataset& test, std::size_t epochs) {
    // Shifts of up to 2 pixels, turns of up to 10 degrees, and half the time an 8x8
    // square blanked. MNIST's background is black, so everything new is filled with 0.
    augment::Pipeline digits{augment::RandomCrop{.padding = 2}, augment::Rotation{.degrees = 10.f},
                             augment::Cutout{.size = 8, .probability = 0.5f}};
    Model<SmallCnn> net{Seed{seed}};
    Adam adam{{.lr = 1e-3f}};
    FitOptions options{.epochs = epochs, .batch = 32, .validation = validation, .verbosity = Verbosity::Quiet};
    if (with_augmentation) options.augment = digits.for_input<Model<SmallCnn>::input_shape>();
    RunResult r;
    r.history = fit(net, train, SoftmaxCrossEntropy{}, adam, options);
    r.train_accuracy = evaluate(net, train, SoftmaxCrossEntropy{}).accuracy;
    r.test_accuracy = evaluate(net, test, SoftmaxCrossEntropy{}).accuracy;
    return r;
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / double(v.size());
}
double stddev(const std::vector<double>& v) {
    if (v.size() < 2) return 0;
    const double m = mean(v);
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return std::sqrt(s / double(v.size() - 1));
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "21-data-augmentation");
        const auto mnist = data::mnist();

        // -------------------------------------------------------------------------
        // 1. Every transform on digits and on emoji
        // -------------------------------------------------------------------------
        //
        // Rows, top to bottom: the originals, RandomCrop (padding 4), HorizontalFlip
        // (always, to show it), Rotation (30 degrees, more than we train with, so the
        // turn is visible), ColorJitter, GaussianNoise, Cutout. Look at the flipped
        // digits: 2, 3, 4, 5, 7 and 9 mirrored are no digits at all. For the emoji
        // (on a white background, so new pixels are filled with white) every row is
        // still a cat or a dog. Noise pushes values outside [0, 1]; the picture clamps
        // them, the network sees them as they are.
        std::printf("1. The transforms, on 10 digits and 8 emoji (one row each)\n");
        transform_gallery(mnist.train, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 28, 28}, opt.out / "transforms-digits.png",
                          augment::RandomCrop{.padding = 4}, augment::HorizontalFlip{.probability = 1.f},
                          augment::Rotation{.degrees = 30.f},
                          augment::ColorJitter{.brightness = 0.5f, .contrast = 0.5f},
                          augment::GaussianNoise{.stddev = 0.2f}, augment::Cutout{.size = 10});
        const auto pets = data::emoji_cats_vs_dogs(data::find("emoji"), {.verbose = false});
        // The first four cats (class 0) and the first four dogs (class 1).
        std::vector<std::size_t> four_of_each;
        for (const float label : {0.f, 1.f})
            for (std::size_t i = 0, taken = 0; i < pets.data.size() && taken < 4; ++i)
                if (pets.data.target(i)[0] == label) four_of_each.push_back(i), ++taken;
        transform_gallery(pets.data, four_of_each, {3, pets.height, pets.width}, opt.out / "transforms-emoji.png",
                          augment::RandomCrop{.padding = 12, .fill = 1.f}, augment::HorizontalFlip{.probability = 1.f},
                          augment::Rotation{.degrees = 30.f, .fill = 1.f},
                          augment::ColorJitter{.brightness = 0.4f, .contrast = 0.4f, .saturation = 0.8f},
                          augment::GaussianNoise{.stddev = 0.15f}, augment::Cutout{.size = 24, .fill = 1.f});

        // What the experiment's pipeline makes of the first 16 training digits (top
        // row: as stored; bottom row: one draw of the pipeline). Each epoch draws
        // again, so the network never sees the same image twice. Cutout can also go
        // too far: a square over the middle of a thin 1 leaves two dots.
        {
            augment::Pipeline digits{augment::RandomCrop{.padding = 2}, augment::Rotation{.degrees = 10.f},
                                     augment::Cutout{.size = 8, .probability = 0.5f}};
            std::vector<float> batch(2 * 16 * 784);
            for (std::size_t i = 0; i < 16; ++i) {
                mnist.train.copy_input(i, batch.data() + i * 784);
                std::copy_n(batch.data() + i * 784, 784, batch.data() + (16 + i) * 784);
            }
            Rng rng{Seed{1}};
            digits.apply(batch.data() + 16 * 784, 16, {1, 28, 28}, rng);
            image::write_png(lesson::wrote(opt.out / "augmented-batch.png"),
                             image::image_grid(batch.data(), 32, 1, 28, 28,
                                               {.columns = 16, .upscale = 3, .gap = 2, .background = 0.5f}));
        }

        // -------------------------------------------------------------------------
        // 2. Does it help? 1,000 digits, with and without augmentation
        // -------------------------------------------------------------------------
        //
        // The same network, the same 1,000 training digits, the same number of
        // epochs and the same seed for each pair of runs; the only difference is
        // .augment. A single run can be lucky, so each condition is trained with
        // three seeds and we compare the means. Validation (1,000 other training
        // digits) is watched every epoch; the 10,000 test digits are used once per run.
        const std::size_t n_train = opt.smoke ? 200 : 1'000, epochs = opt.smoke ? 2 : 30;
        const std::vector<std::uint64_t> seeds = opt.smoke ? std::vector<std::uint64_t>{1}
                                                           : std::vector<std::uint64_t>{1, 2, 3};
        const Dataset train = mnist.train.slice(0, n_train);
        const Dataset validation = mnist.train.slice(55'000, opt.smoke ? 55'200 : 56'000);
        const Dataset test = opt.smoke ? mnist.test.slice(0, 500) : mnist.test;
        std::printf("\n2. A small CNN on %zu MNIST digits, %zu epochs, seeds", train.size(), epochs);
        for (auto s : seeds) std::printf(" %llu", static_cast<unsigned long long>(s));
        std::printf(" (validation %zu, test %zu digits)\n\n", validation.size(), test.size());

        std::printf("  seed  augmentation  train acc.  test acc.  gap (train - test)  seconds\n");
        std::vector<double> test_plain, test_aug, gap_plain, gap_aug;
        plot::LineChart chart{.title = "Accuracy on " + std::to_string(train.size()) +
                                       " digits, seed 1: validation (solid), training batches (dashed)",
                              .x_label = "epoch", .y_label = "accuracy"};
        std::string csv = "seed,augmentation,train_accuracy,test_accuracy\n";
        for (const auto seed : seeds) {
            for (const bool with : {false, true}) {
                const RunResult r = train_once(seed, with, train, validation, test, epochs);
                double seconds = 0;
                for (const auto& e : r.history.epochs) seconds += e.seconds;
                const double gap = double(r.train_accuracy) - double(r.test_accuracy);
                std::printf("  %4llu  %-12s  %9.2f%%  %8.2f%%  %17.2f  %7.0f\n",
                            static_cast<unsigned long long>(seed), with ? "yes" : "no",
                            100.0 * double(r.train_accuracy), 100.0 * double(r.test_accuracy), 100.0 * gap, seconds);
                (with ? test_aug : test_plain).push_back(double(r.test_accuracy));
                (with ? gap_aug : gap_plain).push_back(gap);
                csv += std::to_string(seed) + (with ? ",yes," : ",no,") + std::to_string(r.train_accuracy) + "," +
                       std::to_string(r.test_accuracy) + "\n";
                if (seed == seeds.front()) {
                    // One colour per condition: blue without, orange with augmentation.
                    const std::size_t colour = with ? 1 : 0;
                    chart.add(with ? "with augmentation" : "without", r.history.column(&EpochRecord::val_accuracy))
                        .color(colour);
                    chart.add(with ? "with, training batches" : "without, training batches",
                              r.history.column(&EpochRecord::accuracy))
                        .color(colour)
                        .dashed();
                }
            }
        }
        chart.save(lesson::wrote(opt.out / "curves.svg"));
        {
            std::FILE* f = std::fopen(lesson::wrote(opt.out / "results.csv").c_str(), "w");
            if (!f) throw std::runtime_error("cannot write " + (opt.out / "results.csv").string());
            std::fputs(csv.c_str(), f);
            std::fclose(f);
        }

        // The gap between training and test accuracy is how much was memorised; with
        // augmentation the training digits are never shown twice the same way, so
        // the network cannot memorise them as easily and the gap shrinks.
        const double gain = mean(test_aug) - mean(test_plain);
        std::printf("\n  mean over %zu seed(s): test accuracy %.2f%% (sd %.2f) without, %.2f%% (sd %.2f) with "
                    "augmentation\n",
                    seeds.size(), 100.0 * mean(test_plain), 100.0 * stddev(test_plain), 100.0 * mean(test_aug),
                    100.0 * stddev(test_aug));
        std::printf("  gain %+.2f points; train-test gap %.2f points without, %.2f with\n", 100.0 * gain,
                    100.0 * mean(gap_plain), 100.0 * mean(gap_aug));

        // "Measurable": the gain must be larger than the seeds' own scatter, and
        // every seed must gain.
        bool every_seed_gains = true;
        for (std::size_t i = 0; i < seeds.size(); ++i) every_seed_gains &= test_aug[i] > test_plain[i];
        const bool reached = every_seed_gains && gain > 2 * std::max(stddev(test_plain), stddev(test_aug));
        char what[200];
        std::snprintf(what, sizeof what,
                      "augmentation %+.2f points of test accuracy on %zu digits (%.2f%% -> %.2f%%, mean of %zu seeds)",
                      100.0 * gain, train.size(), 100.0 * mean(test_plain), 100.0 * mean(test_aug), seeds.size());
        return lesson::report_target(opt, reached, what);
    });
}
