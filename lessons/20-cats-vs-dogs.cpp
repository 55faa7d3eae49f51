// Lesson 20: a cat vs dog classifier (project)
// ============================================
//
// The project every course ends its CNN part with: a folder of photos, some of cats
// and some of dogs, and a network that tells them apart. This lesson is written so
// that it runs unchanged on your own photos:
//
//   my-pets/cat/*.jpg   my-pets/dog/*.png        (one subfolder per class)
//   build/release/lessons/20-cats-vs-dogs --data my-pets
//
// data::image_folder reads any such folder (PNG or JPEG, any size: each image is
// converted to RGB and resized to the network's 32 x 32, CIFAR-10's size, which has
// cats and dogs too); the class is the subfolder, in sorted order, so "cat" is 0 and
// "dog" is 1. Without --data the lesson writes its own folder first, from the emoji:
// out/20-cats-vs-dogs/images/cat/*.png and .../dog/*.png, and reads it back through
// the same image_folder call, so the code path that runs is the one your photos take.
//
// The emoji set is tiny: 16 cats (9 of them cat-face smileys, plus lion, tiger,
// leopard, ...) and 7 dogs (dog, poodle, wolf, fox, guide and service dogs). Tiny data
// changes how a result must be measured and reported, and that is most of this lesson:
//
//   - one 80/20 split would test on 5 images: each one right or wrong moves the
//     accuracy by 20 points. Stratified 5-fold cross-validation predicts every image
//     once, from a model trained on the other four fifths; repeated with other folds
//     and seeds, the spread of the repeats shows how much of a number is luck;
//   - the baseline to beat is not 50%: always answering "cat" scores 16/23 = 70%;
//   - with 18 training images a network memorises them in a few dozen steps.
//     Augmentation (shifts, mirror images, small rotations, colour jitter) shows it
//     a new version of each image at every epoch, which is the one cheap way to make
//     18 images behave like more.
//
// The network outputs one number, the logit of "dog"; BinaryCrossEntropyWithLogits
// folds the sigmoid into the loss (stable for any score, gradient p - t), and a
// positive logit means dog.
//
// Run:  build/release/lessons/20-cats-vs-dogs [--smoke] [--out DIR] [--data DIR]
//       (after scripts/fetch-data.sh emoji, unless --data is given). The full run
//       trains 41 small networks: 25 s of CPU time, about 2 minutes with
//       OMP_NUM_THREADS=1 on a loaded 2-core machine; --smoke under a second.
// Writes: out/20-cats-vs-dogs/images/{cat,dog}/*.png (the default data set),
//         augmented.png (the augmentation pipeline at work), curves.svg (the final
//         model's training), cats-vs-dogs.safetensors.

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <typenet/data/augment.hpp>
#include <typenet/data/emoji.hpp>
#include <typenet/data/image_folder.hpp>
#include <typenet/image/grid.hpp>
#include <typenet/image/io.hpp>
#include <typenet/plot/history.hpp>
#include <typenet/train/checkpoint.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"
#include "small_data.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The network
// ---------------------------------------------------------------------------------
//
// Three 3x3 convolutions, each doubling the filters while pooling halves the map
// (the VGG pattern, lesson 17), then GlobalAvgPool: the mean of each of the 64 maps,
// whatever the image size, so the head has 65 parameters rather than the thousands a
// Flatten + Dense would give it, which 18 images could not pin down.
//
//   layer                                   output        parameters
//   Input<3, 32, 32>                        3 x 32 x 32
//   Conv2D<16, Kernel<3>, Same>, ReLU       16 x 32 x 32  16 x 3 x 9 + 16  =    448
//   MaxPool<2>                              16 x 16 x 16
//   Conv2D<32, Kernel<3>, Same>, ReLU       32 x 16 x 16  32 x 16 x 9 + 32 =  4,640
//   MaxPool<2>                              32 x 8 x 8
//   Conv2D<64, Kernel<3>, Same>, ReLU       64 x 8 x 8    64 x 32 x 9 + 64 = 18,496
//   GlobalAvgPool                           64
//   Dropout<30>, Dense<1>                   1 (the logit of "dog")       65
constexpr std::size_t side = 32;
using CatsVsDogs = Sequential<Input<3, side, side>,
                              Conv2D<16, Kernel<3>, Same, Init<HeNormal>>, ReLU, MaxPool<2>,
                              Conv2D<32, Kernel<3>, Same, Init<HeNormal>>, ReLU, MaxPool<2>,
                              Conv2D<64, Kernel<3>, Same, Init<HeNormal>>, ReLU,
                              GlobalAvgPool, Dropout<30>, Dense<1>>;
static_assert(std::is_same_v<CatsVsDogs::output_shape, Shape<1>>);
static_assert(CatsVsDogs::param_count == 448 + 4'640 + 18'496 + 65);

// ---------------------------------------------------------------------------------
// The default folder: the emoji cats and dogs, written as PNG files
// ---------------------------------------------------------------------------------
//
// At their stored 64 x 64, named after the emoji ("smiling-cat-face-with-heart-shaped-
// eyes.png"), so that the folder is a data set a person can look through.
std::filesystem::path write_emoji_folder(const std::filesystem::path& folder) {
    const auto pets = data::emoji_cats_vs_dogs(data::find("emoji"), {.size = 64});
    std::filesystem::remove_all(folder);  // a previous run's files, so the counts stay right
    const std::size_t c = pets.channels, h = pets.height, w = pets.width, plane = h * w;
    for (std::size_t i = 0; i < pets.data.size(); ++i) {
        image::Image img(w, h, c);
        const std::uint8_t* chw = pets.data.bytes.data() + i * pets.data.input_width;
        for (std::size_t p = 0; p < plane; ++p)
            for (std::size_t ch = 0; ch < c; ++ch) img.pixels[p * c + ch] = chw[ch * plane + p];
        std::string file;
        for (char ch : pets.sources[i]) file += std::isalnum(static_cast<unsigned char>(ch))
                                                     ? char(std::tolower(static_cast<unsigned char>(ch)))
                                                     : '-';
        const auto& cls = pets.class_names[std::size_t(pets.data.target(i)[0])];
        image::write_png(folder / cls / (file + ".png"), img);
    }
    std::printf("wrote %zu emoji to %s/{%s,%s}/\n\n", pets.data.size(), folder.string().c_str(),
                pets.class_names[0].c_str(), pets.class_names[1].c_str());
    return folder;
}

// One training run on `train` (from scratch, seeded), the predictions for `held_out`.
struct RunOptions {
    std::size_t epochs;
    bool augment;
};
template <class Pipeline>
std::vector<std::size_t> train_and_predict(const Dataset& train, const Dataset& held_out, Seed seed,
                                           const RunOptions& run, const Pipeline& pipeline) {
    Model<CatsVsDogs> net{seed};
    Adam adam{{.lr = 3e-3f}};
    fit(net, train, BinaryCrossEntropyWithLogits{}, adam,
        {.epochs = run.epochs, .batch = 8, .verbosity = Verbosity::Quiet,
         .augment = run.augment ? pipeline.template for_input<CatsVsDogs::input_shape>() : nullptr});
    return small_data::predicted_classes(net, held_out);
}

// `--data DIR` is this lesson's own option; the rest go to lesson::parse.
struct Arguments {
    std::vector<char*> rest;
    std::filesystem::path data;
};
Arguments take_data_option(int argc, char** argv) {
    Arguments a;
    for (int i = 0; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--data" && i + 1 < argc)
            a.data = argv[++i];
        else
            a.rest.push_back(argv[i]);
    }
    return a;
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        auto args = take_data_option(argc, argv);
        const auto opt = lesson::parse(int(args.rest.size()), args.rest.data(), "20-cats-vs-dogs");

        // -------------------------------------------------------------------------
        // The data: a folder with one subfolder per class
        // -------------------------------------------------------------------------
        const auto folder = args.data.empty() ? write_emoji_folder(opt.out / "images") : args.data;
        const auto images = data::image_folder(folder, {.height = side, .width = side, .channels = 3});
        if (images.class_names.size() != 2)
            throw std::invalid_argument("20-cats-vs-dogs: " + folder.string() +
                                        " must hold exactly two class subfolders (cat and dog), found " +
                                        std::to_string(images.class_names.size()));
        const auto& names = images.class_names;
        const Dataset& all = images.data;
        const auto labels = small_data::labels_of(all);
        const auto counts = images.class_counts();
        const double majority = small_data::majority_share(labels);
        std::printf("%zu images: %zu %s, %zu %s; always answering the larger class scores %.1f%%\n\n", all.size(),
                    counts[0], names[0].c_str(), counts[1], names[1].c_str(), 100.0 * majority);

        // -------------------------------------------------------------------------
        // Augmentation
        // -------------------------------------------------------------------------
        //
        // Each transform is a change that does not change the answer: a cat shifted
        // by 3 pixels, mirrored, turned by up to 15 degrees, a little brighter or
        // paler, is still a cat. The uncovered border is white, the emoji's
        // background. Upside down would not be (few photos show an upside-down dog),
        // so there is no vertical flip.
        augment::Pipeline augmentation{augment::RandomCrop{.padding = 3, .fill = 1.f}, augment::HorizontalFlip{},
                                       augment::Rotation{.degrees = 15.f, .fill = 1.f},
                                       augment::ColorJitter{.brightness = 0.2f, .contrast = 0.2f, .saturation = 0.3f}};
        {
            // Each row: one image as it is, then seven versions of it as training sees them.
            const std::size_t shown = std::min<std::size_t>(8, all.size()), versions = 8;
            constexpr std::size_t size = CatsVsDogs::input_shape::size;
            std::vector<float> grid(shown * versions * size);
            Rng rng{Seed{5}};
            auto apply = augmentation.for_input<CatsVsDogs::input_shape>();
            for (std::size_t i = 0; i < shown; ++i) {
                const std::size_t sample = i * all.size() / shown;  // spread over both classes
                for (std::size_t v = 0; v < versions; ++v)
                    all.copy_input(sample, grid.data() + (i * versions + v) * size);
                apply(grid.data() + (i * versions + 1) * size, versions - 1, rng);
            }
            image::write_png(lesson::wrote(opt.out / "augmented.png"),
                             image::image_grid(grid.data(), shown * versions, 3, side, side,
                                               {.columns = versions, .upscale = 3, .gap = 2}));
        }

        // -------------------------------------------------------------------------
        // Repeated stratified cross-validation, with and without augmentation
        // -------------------------------------------------------------------------
        //
        // Both settings train on exactly the same folds from the same initial
        // weights (the seed is the repeat and the fold), so their difference is the
        // augmentation's and not the luck of the split. Training is a fixed number of
        // optimizer steps, about 160 batches of 8, whatever the data set's size
        // (at least 3 epochs): with 18 images that is 70 epochs.
        const std::size_t folds = opt.smoke ? 2 : 5;
        const std::size_t repeats = opt.smoke ? 1 : all.size() <= 200 ? 4 : 1;
        const std::size_t train_size = all.size() - all.size() / folds;
        const std::size_t epochs = opt.smoke ? 2 : std::max<std::size_t>(3, 160 * 8 / train_size);
        std::printf("%zu x stratified %zu-fold cross-validation, %zu epochs per model\n", repeats, folds, epochs);
        std::vector<double> plain_accuracy, augmented_accuracy;
        std::vector<std::size_t> augmented_misses(all.size());
        for (std::size_t r = 0; r < repeats; ++r) {
            const auto fold = small_data::stratified_folds(labels, folds, Seed{100 + r});
            std::vector<std::size_t> plain(all.size()), augmented(all.size());
            for (std::size_t f = 0; f < folds; ++f) {
                const auto [train_idx, held_idx] = small_data::fold_split(fold, f);
                const Dataset train = small_data::subset(all, train_idx, "train");
                const Dataset held = small_data::subset(all, held_idx, "held out");
                const Seed seed{1000 * (r + 1) + f};
                const auto p = train_and_predict(train, held, seed, {epochs, false}, augmentation);
                const auto a = train_and_predict(train, held, seed, {epochs, true}, augmentation);
                for (std::size_t k = 0; k < held_idx.size(); ++k) {
                    plain[held_idx[k]] = p[k];
                    augmented[held_idx[k]] = a[k];
                }
            }
            for (std::size_t i = 0; i < all.size(); ++i) augmented_misses[i] += augmented[i] != labels[i];
            plain_accuracy.push_back(small_data::accuracy(plain, labels));
            augmented_accuracy.push_back(small_data::accuracy(augmented, labels));
            std::printf("  repeat %zu: without augmentation %5.1f%%, with %5.1f%%\n", r + 1,
                        100.0 * plain_accuracy.back(), 100.0 * augmented_accuracy.back());
        }
        const auto plain_spread = small_data::spread(plain_accuracy);
        const auto aug_spread = small_data::spread(augmented_accuracy);
        // How noisy one repeat is, on top: with n images, an accuracy p has a binomial
        // standard error sqrt(p (1 - p) / n) from which images happen to be in the set
        // at all, which no amount of repeating removes.
        const double n = double(all.size());
        const double binomial = std::sqrt(aug_spread.mean * (1 - aug_spread.mean) / n);
        std::printf("\ncross-validated accuracy (mean +- standard deviation over %zu repeats):\n", repeats);
        std::printf("  always \"%s\"               %5.1f%%\n", names[counts[0] >= counts[1] ? 0 : 1].c_str(),
                    100.0 * majority);
        std::printf("  CNN without augmentation   %5.1f%% +- %.1f (range %.1f .. %.1f)\n", 100.0 * plain_spread.mean,
                    100.0 * plain_spread.stddev, 100.0 * plain_spread.min, 100.0 * plain_spread.max);
        std::printf("  CNN with augmentation      %5.1f%% +- %.1f (range %.1f .. %.1f)\n", 100.0 * aug_spread.mean,
                    100.0 * aug_spread.stddev, 100.0 * aug_spread.min, 100.0 * aug_spread.max);
        std::printf("  one image is %.1f points; the binomial standard error of %.0f%% on %zu images is +- %.1f\n",
                    100.0 / n, 100.0 * aug_spread.mean, all.size(), 100.0 * binomial);
        if (!opt.smoke) {
            std::printf("\nimages most often wrong with augmentation:\n");
            for (std::size_t i = 0; i < all.size(); ++i)
                if (2 * augmented_misses[i] > repeats)
                    std::printf("  %-60s (%s) wrong in %zu of %zu repeats\n",
                                std::filesystem::path(images.sources[i]).filename().string().c_str(),
                                names[labels[i]].c_str(), augmented_misses[i], repeats);
        }

        // -------------------------------------------------------------------------
        // The model to keep: trained on every image, with augmentation
        // -------------------------------------------------------------------------
        //
        // Cross-validation measured the recipe; the model to use is the recipe
        // applied to all the data (no image is left to test it on: the estimate
        // above is its accuracy, as well as 23 images can say).
        Model<CatsVsDogs> net{Seed{7}};
        Adam adam{{.lr = 3e-3f}};
        const std::size_t final_epochs = opt.smoke ? 2 : std::max<std::size_t>(3, 160 * 8 / all.size());
        const History history = fit(net, all, BinaryCrossEntropyWithLogits{}, adam,
                                    {.epochs = final_epochs, .batch = 8, .verbosity = Verbosity::Quiet,
                                     .augment = augmentation.for_input<CatsVsDogs::input_shape>()});
        plot::curves(history, lesson::wrote(opt.out / "curves.svg"), "cats vs dogs, all images, augmented");
        save_model(opt.out / "cats-vs-dogs.safetensors", net);
        lesson::wrote(opt.out / "cats-vs-dogs.safetensors");

        const bool reached = aug_spread.mean > majority;
        char what[220];
        std::snprintf(what, sizeof what,
                      "with augmentation %.1f%% +- %.1f, without %.1f%% +- %.1f, majority %.1f%% (target: reported "
                      "with augmentation, and above the majority class)",
                      100.0 * aug_spread.mean, 100.0 * aug_spread.stddev, 100.0 * plain_spread.mean,
                      100.0 * plain_spread.stddev, 100.0 * majority);
        return lesson::report_target(opt, reached, what);
    });
}
