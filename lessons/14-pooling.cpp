// Lesson 14: pooling
// ==================
//
// A convolution answers "is my pattern here?" at every pixel (lesson 13), and keeps
// the answer exactly where it was found: shift the digit one pixel and every feature
// map shifts one pixel with it (equivariance). For reading a digit that precision is
// a nuisance. A "7" is a 7 whether its stroke starts at column 9 or 10, but compared
// pixel by pixel the two are different images.
//
// A pooling layer summarises each small window of a map by one number:
//
//   MaxPool<2>       the largest of each 2x2 window: "the pattern is somewhere in here"
//   AvgPool<2>       their mean: "how much of the pattern is in here"
//   GlobalAvgPool    the mean of the whole map: "how much of it is anywhere"
//
// With windows side by side (stride = window) the map shrinks by the window in each
// direction, and has no parameters to learn. Three things follow:
//
//   - the next layer's units see a window twice as wide for the same kernel (their
//     receptive field grows), and work on a quarter of the values;
//   - a shift smaller than the window often leaves the window's maximum where it
//     was: small shifts change the pooled map less than the map (local invariance);
//   - GlobalAvgPool forgets position entirely (up to the image's border).
//
// Invariance is not free: the pooled map no longer knows where inside its window a
// feature was. Hubel and Wiesel's complex cells do just this: they answer to an
// edge of one orientation anywhere in a patch, pooling the simple cells below them.
//
// This lesson pools MNIST digits and edge maps of them and draws what comes out;
// measures how much each representation changes when a digit moves by 1, 2 or 3
// pixels; then trains the same small CNN four ways (max pooling, average pooling,
// a stride-4 convolution that shrinks as much without pooling, and no shrinking at
// all) on centred digits, and tests them on shifted ones.
//
// Run:  build/release/lessons/14-pooling [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh mnist). The full run trains four small CNNs for
//       2 epochs on 12,000 digits each: about 3 minutes on the loaded shared machine
//       (50 s of CPU time). --smoke uses 500 digits and takes a few seconds.
// Writes into out/14-pooling/: pooled-digits.png, edge-maps.png, edge-maps-pooled.png,
// shifted-digit.png, shift-change.svg, shifted-accuracy.svg.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <typenet/data/mnist.hpp>
#include <typenet/image/grid.hpp>
#include <typenet/image/io.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;
namespace fs = std::filesystem;
using image::Normalize;

// ---------------------------------------------------------------------------------
// The networks
// ---------------------------------------------------------------------------------
//
// Pooling on its own, straight on the digits. No parameters: a pool is a fixed
// function, and its shape rule is OH = (H - k) / stride + 1.
using Digit = Input<1, 28, 28>;
using Max2 = Sequential<Digit, MaxPool<2>>;
using Avg2 = Sequential<Digit, AvgPool<2>>;
using Max4 = Sequential<Digit, MaxPool<4>>;
using Avg4 = Sequential<Digit, AvgPool<4>>;
static_assert(std::is_same_v<Max2::output_shape, Shape<1, 14, 14>>);
static_assert(std::is_same_v<Max4::output_shape, Shape<1, 7, 7>>);
static_assert(Max2::param_count == 0 && Avg4::param_count == 0);

// Edge maps (the eight direction detectors of lesson 13, hand-set, with ReLU), then
// a pool or none. `EdgesThen<>` is the edges alone.
template <class... Pool>
using EdgesThen = Sequential<Digit, Conv2D<8, Kernel<3>, Pad<1>, NoBias>, ReLU, Pool...>;
static_assert(std::is_same_v<EdgesThen<>::output_shape, Shape<8, 28, 28>>);
static_assert(std::is_same_v<EdgesThen<MaxPool<2>>::output_shape, Shape<8, 14, 14>>);
static_assert(std::is_same_v<EdgesThen<MaxPool<4>>::output_shape, Shape<8, 7, 7>>);
static_assert(std::is_same_v<EdgesThen<GlobalAvgPool>::output_shape, Shape<8>>);

// Four small CNNs that differ only in how they go from the 8 x 28 x 28 maps to
// what the classifier reads. The first three give it 8 x 7 x 7 = 392 values; the
// last all 6,272, with sixteen times the classifier's weights.
using MaxPooled = Sequential<Digit, Conv2D<8, Kernel<5>, Pad<2>>, ReLU, MaxPool<4>, Flatten, Dense<10>>;
using AvgPooled = Sequential<Digit, Conv2D<8, Kernel<5>, Pad<2>>, ReLU, AvgPool<4>, Flatten, Dense<10>>;
using Strided = Sequential<Digit, Conv2D<8, Kernel<5>, Stride<4>, Pad<2>>, ReLU, Flatten, Dense<10>>;
using Unpooled = Sequential<Digit, Conv2D<8, Kernel<5>, Pad<2>>, ReLU, Flatten, Dense<10>>;
static_assert(MaxPooled::param_count == (8 * 25 + 8) + (392 * 10 + 10));
static_assert(MaxPooled::param_count == Strided::param_count);  // same layers, same sizes
static_assert(Unpooled::param_count == (8 * 25 + 8) + (6272 * 10 + 10));

namespace {

constexpr std::size_t side = 28, pixels = side * side;

// The eight direction detectors: Sobel x turned by 45 degrees at a time (lesson 13).
std::vector<float> compass_kernels() {
    constexpr std::array<float, 9> sobel_x{-1, 0, 1, -2, 0, 2, -1, 0, 1};
    constexpr std::array<std::size_t, 8> ring{0, 1, 2, 5, 8, 7, 6, 3};  // clockwise around the centre
    std::vector<float> out;
    for (std::size_t turn = 0; turn < 8; ++turn) {
        std::array<float, 9> k{};
        for (std::size_t i = 0; i < 8; ++i) k[ring[(i + turn) % 8]] = sobel_x[ring[i]];
        out.insert(out.end(), k.begin(), k.end());
    }
    return out;
}
const char* const directions[] = {"E", "SE", "S", "SW", "W", "NW", "N", "NE"};

// A digit moved by (dx, dy) pixels, the uncovered border filled with 0 (MNIST's
// background). MNIST centres each digit, leaving a margin of about 4 pixels, so a
// move of 1 to 3 pixels cuts little or nothing off most digits (of the first 2,000
// test digits, 21 have ink in the outermost row or column).
void shift(const float* in, float* out, int dx, int dy) {
    for (int y = 0; y < int(side); ++y)
        for (int x = 0; x < int(side); ++x) {
            const int sy = y - dy, sx = x - dx;
            const bool inside = sy >= 0 && sy < int(side) && sx >= 0 && sx < int(side);
            out[std::size_t(y) * side + std::size_t(x)] = inside ? in[std::size_t(sy) * side + std::size_t(sx)] : 0.f;
        }
}
// The four moves of `by` pixels: right, left, down, up.
std::array<std::array<int, 2>, 4> moves(int by) { return {{{by, 0}, {-by, 0}, {0, by}, {0, -by}}}; }

// The first n images of a data set, as floats.
std::vector<float> images_of(const Dataset& d, std::size_t n) {
    std::vector<float> out(n * pixels);
    for (std::size_t i = 0; i < n; ++i) d.copy_input(i, out.data() + i * pixels);
    return out;
}

// A data set of the same digits, every one moved by (dx, dy).
Dataset shifted(const Dataset& d, int dx, int dy) {
    Dataset out(d.name + " shifted", d.input_width, d.target_width);
    out.inputs.resize(d.size() * pixels);
    out.targets = d.targets;
    std::vector<float> digit(pixels);
    for (std::size_t i = 0; i < d.size(); ++i) {
        d.copy_input(i, digit.data());
        shift(digit.data(), out.inputs.data() + i * pixels, dx, dy);
    }
    return out;
}

// Runs a model over many images, in batches, and returns all outputs.
template <class Net>
std::vector<float> outputs(Model<Net>& model, std::span<const float> images) {
    constexpr std::size_t in = Model<Net>::input_size, out = Model<Net>::output_size, batch = 250;
    const std::size_t n = images.size() / in;
    std::vector<float> all(n * out);
    for (std::size_t b = 0; b < n; b += batch) {
        const std::size_t count = std::min(batch, n - b);
        std::copy_n(images.data() + b * in, count * in, model.input(count));
        const auto y = model.forward(count);
        std::copy(y.begin(), y.end(), all.begin() + std::ptrdiff_t(b * out));
    }
    return all;
}

// A map [h, w] drawn at 28 x 28 by repeating each value (28 / h) times each way,
// so pooled maps line up with the digits they came from.
std::vector<float> blown_up(const float* map, std::size_t h) {
    std::vector<float> out(pixels);
    const std::size_t f = side / h;
    for (std::size_t y = 0; y < side; ++y)
        for (std::size_t x = 0; x < side; ++x) out[y * side + x] = map[(y / f) * h + x / f];
    return out;
}

// How much a representation f changes when its digit moves: ||f(moved) - f(x)|| /
// ||f(x)||, averaged over the digits, and the cosine of the angle between the two
// vectors (1: they point the same way). `base` and `moved` hold n vectors of `dim`.
struct Change {
    double relative = 0, cosine = 0;
};
Change change(const std::vector<float>& base, const std::vector<float>& moved, std::size_t dim) {
    const std::size_t n = base.size() / dim;
    Change c;
    std::size_t counted = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double diff = 0, aa = 0, bb = 0, ab = 0;
        for (std::size_t k = i * dim; k < (i + 1) * dim; ++k) {
            const double a = base[k], b = moved[k];
            diff += (a - b) * (a - b), aa += a * a, bb += b * b, ab += a * b;
        }
        if (aa == 0 || bb == 0) continue;  // nothing to compare (never for a digit)
        c.relative += std::sqrt(diff / aa);
        c.cosine += ab / std::sqrt(aa * bb);
        ++counted;
    }
    c.relative /= double(std::max<std::size_t>(counted, 1));
    c.cosine /= double(std::max<std::size_t>(counted, 1));
    return c;
}

// One representation of the digits: its name and the function computing it.
struct Representation {
    std::string name;
    std::size_t dim;
    std::function<std::vector<float>(std::span<const float>)> compute;
};

template <class Net>
Representation edge_representation(std::string name) {
    return {std::move(name), Model<Net>::output_size, [](std::span<const float> images) {
                Model<Net> m;
                const std::vector<float> k = compass_kernels();
                std::copy(k.begin(), k.end(), m.parameter("0.weight").values.begin());
                return outputs(m, images);
            }};
}

// Trains one of the four CNNs on centred digits and measures it on moved ones.
struct Trained {
    std::string name;
    std::vector<double> accuracy;  // per shift 0, 1, 2, 3 (the mean over the four moves)
};
template <class Net>
Trained train_and_test(const std::string& name, const Dataset& train, const Dataset& test, std::size_t epochs,
                       int max_shift) {
    Model<Net> net{Seed{14}};
    fit(net, train, SoftmaxCrossEntropy{}, Adam{{.lr = 2e-3f}},
        {.epochs = epochs, .batch = 64, .verbosity = Verbosity::Quiet});
    Trained t{name, {}};
    t.accuracy.push_back(double(evaluate(net, test, SoftmaxCrossEntropy{}).accuracy));
    for (int by = 1; by <= max_shift; ++by) {
        double sum = 0;
        for (const auto& [dx, dy] : moves(by))
            sum += double(evaluate(net, shifted(test, dx, dy), SoftmaxCrossEntropy{}).accuracy);
        t.accuracy.push_back(sum / 4);
    }
    std::printf("  %-34s %6zu params  test accuracy by shift:", name.c_str(), Net::param_count);
    for (double a : t.accuracy) std::printf(" %6.2f%%", 100 * a);
    std::printf("   kept %3.0f%% at 2 px\n", 100 * t.accuracy[2] / t.accuracy[0]);
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "14-pooling");
        std::vector<fs::path> written;
        const auto png = [&](const std::string& name, const image::FloatImage& img) {
            image::write_png(opt.out / name, img);
            written.push_back(lesson::wrote(opt.out / name));
        };
        const auto mnist = data::mnist();

        // -------------------------------------------------------------------------
        // 1. Pooling digits
        // -------------------------------------------------------------------------
        //
        // Eight test digits, each row: the digit, MaxPool<2>, AvgPool<2>, MaxPool<4>,
        // AvgPool<4>, every pooled map blown up to 28 x 28 so it lines up. Max pooling
        // thickens strokes (a window with any ink is inked); average pooling blurs.
        constexpr std::size_t shown = 8;
        const std::vector<float> digits = images_of(mnist.test, shown);
        {
            Model<Max2> max2;
            Model<Avg2> avg2;
            Model<Max4> max4;
            Model<Avg4> avg4;
            const std::vector<float> m2 = outputs(max2, digits), a2 = outputs(avg2, digits);
            const std::vector<float> m4 = outputs(max4, digits), a4 = outputs(avg4, digits);
            std::vector<float> tiles;
            for (std::size_t i = 0; i < shown; ++i) {
                tiles.insert(tiles.end(), digits.begin() + std::ptrdiff_t(i * pixels),
                             digits.begin() + std::ptrdiff_t((i + 1) * pixels));
                const auto pooled = {std::pair{&m2, 14u}, std::pair{&a2, 14u}, std::pair{&m4, 7u}, std::pair{&a4, 7u}};
                for (const auto& [maps, h] : pooled) {
                    const std::vector<float> big = blown_up(maps->data() + i * h * h, h);
                    tiles.insert(tiles.end(), big.begin(), big.end());
                }
            }
            std::printf("pooling digits: %s -> MaxPool<2>, AvgPool<2> %s -> MaxPool<4>, AvgPool<4> %s\n",
                        shape_string<Digit::shape>().c_str(), shape_string<Max2::output_shape>().c_str(),
                        shape_string<Max4::output_shape>().c_str());
            png("pooled-digits.png",
                image::image_grid(tiles.data(), 5 * shown, 1, side, side,
                                  {.columns = 5, .upscale = 4, .gap = 4, .normalize = Normalize::clamp,
                                   .background = 0.5f}));
        }

        // -------------------------------------------------------------------------
        // 2. Pooling feature maps
        // -------------------------------------------------------------------------
        //
        // The eight edge maps of one digit, and the same maps after MaxPool<2>, and
        // GlobalAvgPool, which keeps one number per direction: how much edge of each
        // direction the digit has, wherever it is. A "1" is mostly its two long
        // sides (E and W); a "0" has edges in every direction. Opposite directions
        // (E and W, ...) come out equal: every stroke has a rising and a falling side,
        // and over an image that is black at its border the two cancel exactly. So
        // four numbers are printed.
        {
            Model<EdgesThen<>> edges;
            Model<EdgesThen<MaxPool<2>>> edges_max2;
            Model<EdgesThen<GlobalAvgPool>> edges_gap;
            const std::vector<float> k = compass_kernels();
            for (NamedTensor t : {edges.parameter("0.weight"), edges_max2.parameter("0.weight"),
                                  edges_gap.parameter("0.weight")})
                std::copy(k.begin(), k.end(), t.values.begin());
            const std::span<const float> first(digits.data(), pixels);
            const std::vector<float> maps = edges.predict(first), pooled = edges_max2.predict(first);
            png("edge-maps.png", image::feature_map_grid(maps.data(), 8, side, side,
                                                         {.columns = 8, .upscale = 4, .gap = 4,
                                                          .normalize = Normalize::whole}));
            png("edge-maps-pooled.png", image::feature_map_grid(pooled.data(), 8, 14, 14,
                                                                {.columns = 8, .upscale = 8, .gap = 4,
                                                                 .normalize = Normalize::whole}));
            std::printf("\nedge maps of the first test digit %s, after MaxPool<2> %s (edge-maps*.png)\n",
                        shape_string<EdgesThen<>::output_shape>().c_str(),
                        shape_string<EdgesThen<MaxPool<2>>::output_shape>().c_str());
            std::printf("GlobalAvgPool of the edge maps, %s: mean edge strength per direction\n  digit",
                        shape_string<EdgesThen<GlobalAvgPool>::output_shape>().c_str());
            for (std::size_t d = 0; d < 4; ++d) std::printf(" %6s", directions[d]);
            std::printf("\n");
            for (float wanted : {0.f, 1.f, 7.f}) {
                std::size_t i = 0;
                while (mnist.test.target(i)[0] != wanted) ++i;
                std::vector<float> digit(pixels);
                mnist.test.copy_input(i, digit.data());
                const std::vector<float> g = edges_gap.predict(digit);
                std::printf("  %5.0f", double(wanted));
                for (std::size_t d = 0; d < 4; ++d) std::printf(" %6.3f", double(g[d]));
                std::printf("\n");
            }
        }

        // -------------------------------------------------------------------------
        // 3. Shift invariance, measured
        // -------------------------------------------------------------------------
        //
        // Each test digit is moved by 1, 2 and 3 pixels right, left, down and up,
        // and each representation of the moved digit is compared with that of the
        // original: the relative change ||f(moved) - f(x)|| / ||f(x)||, 0 for no
        // change, and the cosine similarity, 1 for the same direction.
        const std::size_t probe = opt.smoke ? 100 : 2'000;
        constexpr int max_shift = 3;
        const std::vector<float> originals = images_of(mnist.test, probe);
        std::vector<Representation> reps = {
            {"pixels [1, 28, 28]", pixels,
             [](std::span<const float> x) { return std::vector<float>(x.begin(), x.end()); }},
            edge_representation<EdgesThen<>>("edges [8, 28, 28]"),
            edge_representation<EdgesThen<AvgPool<2>>>("edges, AvgPool<2> [8, 14, 14]"),
            edge_representation<EdgesThen<MaxPool<2>>>("edges, MaxPool<2> [8, 14, 14]"),
            edge_representation<EdgesThen<MaxPool<4>>>("edges, MaxPool<4> [8, 7, 7]"),
            edge_representation<EdgesThen<GlobalAvgPool>>("edges, GlobalAvgPool [8]"),
        };
        enum { raw, edges_only, avg2, max2, max4, global };  // their order
        // relative[r][s - 1] and cosine[r][s - 1]: representation r, shift s.
        std::vector<std::vector<double>> relative(reps.size()), cosine(reps.size());
        std::vector<std::vector<float>> base(reps.size());
        for (std::size_t r = 0; r < reps.size(); ++r) base[r] = reps[r].compute(originals);
        std::vector<float> moved(originals.size());
        for (int by = 1; by <= max_shift; ++by) {
            std::vector<Change> sum(reps.size());
            for (const auto& [dx, dy] : moves(by)) {
                for (std::size_t i = 0; i < probe; ++i)
                    shift(originals.data() + i * pixels, moved.data() + i * pixels, dx, dy);
                for (std::size_t r = 0; r < reps.size(); ++r) {
                    const Change c = change(base[r], reps[r].compute(moved), reps[r].dim);
                    sum[r].relative += c.relative / 4, sum[r].cosine += c.cosine / 4;
                }
            }
            for (std::size_t r = 0; r < reps.size(); ++r)
                relative[r].push_back(sum[r].relative), cosine[r].push_back(sum[r].cosine);
        }
        std::printf("\nhow much a representation changes when the digit moves (%zu test digits, 4 directions):\n",
                    probe);
        std::printf("  %-32s %29s   %29s\n", "", "relative L2 change", "cosine similarity");
        std::printf("  %-32s %9s %9s %9s   %9s %9s %9s\n", "shift (pixels)", "1", "2", "3", "1", "2", "3");
        for (std::size_t r = 0; r < reps.size(); ++r) {
            std::printf("  %-32s", reps[r].name.c_str());
            for (double v : relative[r]) std::printf(" %9.3f", v);
            std::printf("  ");
            for (double v : cosine[r]) std::printf(" %9.3f", v);
            std::printf("\n");
        }
        {
            plot::LineChart chart{.title = "Change of a representation when the digit moves",
                                  .x_label = "shift (pixels)", .y_label = "relative L2 change"};
            const std::vector<double> shifts{0, 1, 2, 3};
            for (std::size_t r = 0; r < reps.size(); ++r) {
                std::vector<double> y{0};
                y.insert(y.end(), relative[r].begin(), relative[r].end());
                chart.add(reps[r].name, shifts, y);
            }
            chart.save(opt.out / "shift-change.svg");
            written.push_back(lesson::wrote(opt.out / "shift-change.svg"));
        }

        // The same, as pictures: one digit moved by 0, 1 and 2 pixels to the right;
        // its edge strength (the eight maps summed), and after MaxPool<2> and <4>.
        {
            Model<EdgesThen<>> edges;
            Model<EdgesThen<MaxPool<2>>> edges_max2;
            Model<EdgesThen<MaxPool<4>>> edges_max4;
            const std::vector<float> k = compass_kernels();
            for (NamedTensor t : {edges.parameter("0.weight"), edges_max2.parameter("0.weight"),
                                  edges_max4.parameter("0.weight")})
                std::copy(k.begin(), k.end(), t.values.begin());
            const auto summed = [](const std::vector<float>& maps, std::size_t plane) {
                std::vector<float> s(plane);
                for (std::size_t c = 0; c < 8; ++c)
                    for (std::size_t i = 0; i < plane; ++i) s[i] += maps[c * plane + i];
                return s;
            };
            std::vector<float> tiles, digit(pixels);
            for (int by = 0; by <= 2; ++by) {
                shift(originals.data(), digit.data(), by, 0);
                const std::vector<float> e = summed(edges.predict(digit), pixels);
                const std::vector<float> p2 = blown_up(summed(edges_max2.predict(digit), 196).data(), 14);
                const std::vector<float> p4 = blown_up(summed(edges_max4.predict(digit), 49).data(), 7);
                for (const std::vector<float>& t : {std::cref(digit), std::cref(e), std::cref(p2), std::cref(p4)})
                    tiles.insert(tiles.end(), t.begin(), t.end());
            }
            png("shifted-digit.png", image::image_grid(tiles.data(), 12, 1, side, side,
                                                       {.columns = 4, .upscale = 4, .gap = 4,
                                                        .normalize = Normalize::per_tile, .background = 0.5f}));
        }

        // -------------------------------------------------------------------------
        // 4. Does it matter for a trained network?
        // -------------------------------------------------------------------------
        //
        // Four CNNs trained on the (centred) training digits, tested on the test
        // digits as they are and moved by 1, 2 and 3 pixels (the mean over the four
        // directions). Nothing in training shows them a moved digit on purpose: what
        // they tolerate comes from their architecture, and from how much MNIST's own
        // digits already vary in position.
        //
        // What to look for: the three networks whose classifier reads 8 x 7 x 7 values
        // differ only in how they shrink the maps, and max pooling loses the least
        // accuracy as digits move; a stride-4 convolution, which shrinks as much but
        // just skips positions, and average pooling lose more. The full-size network,
        // with sixteen times the classifier's weights, starts higher but keeps no more
        // of its accuracy than max pooling: each of its weights belongs to one
        // position. One layer of pooling is a small step; CNNs stack several, and
        // lesson 21 adds the other remedy, training on moved digits.
        const std::size_t n_train = opt.smoke ? 500 : 12'000, n_test = opt.smoke ? 200 : 2'000;
        const std::size_t epochs = opt.smoke ? 1 : 2;
        const Dataset train = mnist.train.slice(0, n_train), test = mnist.test.slice(0, n_test);
        std::printf("\ntraining four CNNs on %zu digits for %zu epochs (Adam, batch 64); %zu test digits:\n"
                    "  %-34s %13s  %26s %7s %7s %7s\n",
                    train.size(), epochs, test.size(), "", "", "shift 0", "1", "2", "3");
        const std::vector<Trained> trained = {
            train_and_test<MaxPooled>("conv 5x5, MaxPool<4>", train, test, epochs, max_shift),
            train_and_test<AvgPooled>("conv 5x5, AvgPool<4>", train, test, epochs, max_shift),
            train_and_test<Strided>("conv 5x5, Stride<4> (no pooling)", train, test, epochs, max_shift),
            train_and_test<Unpooled>("conv 5x5, full size (no pooling)", train, test, epochs, max_shift),
        };
        {
            plot::LineChart chart{.title = "Accuracy on moved test digits (trained on centred ones)",
                                  .x_label = "shift (pixels)", .y_label = "test accuracy"};
            const std::vector<double> shifts{0, 1, 2, 3};
            for (const Trained& t : trained) chart.add(t.name, shifts, t.accuracy);
            chart.save(opt.out / "shifted-accuracy.svg");
            written.push_back(lesson::wrote(opt.out / "shifted-accuracy.svg"));
        }

        // -------------------------------------------------------------------------
        // The target: pooled maps written; pooled features change less under shifts
        // -------------------------------------------------------------------------
        //
        // "Measurably less": max-pooled edge maps change at least 10% less than the
        // edge maps themselves, for moves of 1 and of 2 pixels.
        const bool pictures_ok = std::all_of(written.begin(), written.end(),
                                             [](const fs::path& p) { return fs::exists(p) && fs::file_size(p) > 0; });
        const bool less_change = relative[max2][0] < 0.9 * relative[edges_only][0] &&
                                 relative[max2][1] < 0.9 * relative[edges_only][1];
        char what[300];
        std::snprintf(what, sizeof what,
                      "%zu pictures written%s; relative change of edge maps under a 1- / 2-pixel shift %.3f / %.3f, "
                      "after MaxPool<2> %.3f / %.3f",
                      written.size(), pictures_ok ? "" : " (SOME MISSING)", relative[edges_only][0],
                      relative[edges_only][1], relative[max2][0], relative[max2][1]);
        return lesson::report_target(opt, pictures_ok && less_change, what);
    });
}
