// Augmentation: each transform on small images with known answers, one seed fixing
// everything, and fit() with augmentation deterministic and resumable.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <numbers>
#include <numeric>
#include <typenet/data/augment.hpp>
#include <typenet/typenet.hpp>
#include <vector>

using namespace tn;
using namespace tn::augment;

namespace {
std::vector<float> ramp(ImageShape s) {
    std::vector<float> v(s.size());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = float(i + 1) / float(v.size() + 1);
    return v;
}
}  // namespace

TEST_CASE("a horizontal flip mirrors each row, and twice is the identity") {
    const ImageShape s{2, 3, 4};
    const auto original = ramp(s);
    auto v = original;
    std::vector<float> scratch;
    Rng rng{Seed{1}};
    HorizontalFlip{.probability = 1.f}.apply(v.data(), s, rng, scratch);
    CHECK(v[0] == original[3]);
    CHECK(v[s.plane() + 5] == original[s.plane() + 6]);  // channel 1, row 1: column 1 <- column 2
    HorizontalFlip{.probability = 1.f}.apply(v.data(), s, rng, scratch);
    CHECK(v == original);
    HorizontalFlip{.probability = 0.f}.apply(v.data(), s, rng, scratch);
    CHECK(v == original);
}

TEST_CASE("a random crop with padding keeps the size and shifts the image by at most the padding") {
    const ImageShape s{1, 6, 6};
    const auto original = ramp(s);  // all values distinct and non-zero
    std::vector<float> scratch;
    Rng rng{Seed{3}};
    int shifted = 0;
    for (int trial = 0; trial < 20; ++trial) {
        auto v = original;
        RandomCrop{.padding = 2}.apply(v.data(), s, rng, scratch);
        CHECK(v.size() == original.size());
        // Find the shift that explains the result: every pixel the original's or the fill.
        bool explained = false;
        for (int dy = -2; dy <= 2 && !explained; ++dy)
            for (int dx = -2; dx <= 2 && !explained; ++dx) {
                bool ok = true;
                for (int y = 0; y < 6; ++y)
                    for (int x = 0; x < 6; ++x) {
                        const int sy = y + dy, sx = x + dx;
                        const float want =
                            (sy >= 0 && sy < 6 && sx >= 0 && sx < 6) ? original[std::size_t(sy * 6 + sx)] : 0.f;
                        ok = ok && v[std::size_t(y * 6 + x)] == want;
                    }
                if (ok) {
                    explained = true;
                    shifted += (dy != 0 || dx != 0);
                }
            }
        CHECK(explained);
    }
    CHECK(shifted > 10);  // 24 of 25 shifts move the image
}

TEST_CASE("rotation by 0 is the identity; by 90 degrees it turns the grid") {
    const ImageShape s{1, 5, 5};
    const auto original = ramp(s);
    auto v = original;
    std::vector<float> scratch;
    Rng rng{Seed{4}};
    Rotation{.degrees = 0.f}.apply(v.data(), s, rng, scratch);
    CHECK(v == original);
    Rotation{}.rotate(v.data(), s, float(std::numbers::pi / 2), scratch);
    // Output (y, x) reads input (x, 4 - y), to float rounding of cos(pi / 2).
    for (std::size_t y = 0; y < 5; ++y)
        for (std::size_t x = 0; x < 5; ++x)
            CHECK(v[y * 5 + x] == doctest::Approx(original[x * 5 + 4 - y]).epsilon(1e-4));
    // A small rotation keeps the centre pixel and fills the corners from outside.
    auto w = original;
    Rotation{.fill = -1.f}.rotate(w.data(), s, 0.6f, scratch);
    CHECK(w[12] == doctest::Approx(original[12]));
    CHECK(w[0] < 0.f);
}

TEST_CASE("Gaussian noise has mean about 0 and the standard deviation asked") {
    const ImageShape s{3, 64, 64};
    std::vector<float> v(s.size(), 0.5f), scratch;
    Rng rng{Seed{5}};
    GaussianNoise{.stddev = 0.1f}.apply(v.data(), s, rng, scratch);
    double sum = 0, sq = 0;
    for (float x : v) sum += double(x) - 0.5, sq += (double(x) - 0.5) * (double(x) - 0.5);
    const double n = double(v.size()), mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
    CHECK(std::fabs(mean) < 0.003);  // 4 standard errors: 0.1 / sqrt(12288) = 0.0009
    CHECK(sd == doctest::Approx(0.1).epsilon(0.03));
}

TEST_CASE("colour jitter: no amount is the identity, brightness scales, results stay in [0, 1]") {
    const ImageShape s{3, 4, 4};
    const auto original = ramp(s);
    std::vector<float> scratch;
    Rng rng{Seed{6}};
    auto v = original;
    ColorJitter{.brightness = 0, .contrast = 0, .saturation = 0}.apply(v.data(), s, rng, scratch);
    CHECK(v == original);
    ColorJitter{.brightness = 0.5f, .contrast = 0, .saturation = 0}.apply(v.data(), s, rng, scratch);
    const float ratio = v[0] / original[0];
    CHECK(ratio != 1.f);
    for (std::size_t i = 0; i < v.size(); ++i)
        if (original[i] * ratio < 1.f) CHECK(v[i] == doctest::Approx(original[i] * ratio));
    for (int trial = 0; trial < 10; ++trial) {
        auto u = original;
        ColorJitter{.brightness = 0.9f, .contrast = 0.9f, .saturation = 0.9f}.apply(u.data(), s, rng, scratch);
        for (float x : u) CHECK((x >= 0.f && x <= 1.f));
    }
    // Saturation moves colours towards or away from their grey: a grey image has nothing to move.
    std::vector<float> grey(s.size());
    for (std::size_t i = 0; i < grey.size(); ++i) grey[i] = original[i % s.plane()];
    auto g = grey;
    ColorJitter{.brightness = 0, .contrast = 0, .saturation = 0.9f}.apply(g.data(), s, rng, scratch);
    for (std::size_t i = 0; i < g.size(); ++i) CHECK(g[i] == doctest::Approx(grey[i]));
    auto colour = original;
    ColorJitter{.brightness = 0, .contrast = 0, .saturation = 0.9f}.apply(colour.data(), s, rng, scratch);
    CHECK(colour != original);
}

TEST_CASE("cutout fills one square, clipped by the border") {
    const ImageShape s{2, 10, 10};
    std::vector<float> scratch;
    Rng rng{Seed{7}};
    for (int trial = 0; trial < 20; ++trial) {
        std::vector<float> v(s.size(), 1.f);
        Cutout{.size = 4}.apply(v.data(), s, rng, scratch);
        std::size_t y0 = 10, y1 = 0, x0 = 10, x1 = 0, zeros = 0;
        for (std::size_t y = 0; y < 10; ++y)
            for (std::size_t x = 0; x < 10; ++x)
                if (v[y * 10 + x] == 0.f) {
                    ++zeros;
                    y0 = std::min(y0, y), y1 = std::max(y1, y + 1), x0 = std::min(x0, x), x1 = std::max(x1, x + 1);
                    CHECK(v[100 + y * 10 + x] == 0.f);  // every channel
                }
        REQUIRE(zeros > 0);
        CHECK(zeros == (y1 - y0) * (x1 - x0));  // a filled rectangle
        CHECK(y1 - y0 <= 4);
        CHECK(x1 - x0 <= 4);
        CHECK((y1 - y0 == 4 || y0 == 0 || y1 == 10));  // smaller only where the border cuts it
    }
}

TEST_CASE("a pipeline gives the same batch for the same seed, and another for another seed") {
    Pipeline pipeline{RandomCrop{.padding = 2},       HorizontalFlip{}, Rotation{.degrees = 15}, ColorJitter{},
                      GaussianNoise{.stddev = 0.02f}, Cutout{.size = 3}};
    const ImageShape s{3, 8, 8};
    std::vector<float> base(4 * s.size());
    for (std::size_t i = 0; i < base.size(); ++i) base[i] = float(i % 97) / 97.f;
    const auto run = [&](std::uint64_t seed) {
        auto v = base;
        Rng rng{Seed{seed}};
        auto hook = pipeline.for_images(3, 8, 8);
        hook(v.data(), 4, rng);
        return v;
    };
    const auto a = run(11), b = run(11), c = run(12);
    CHECK(a == b);
    CHECK(a != c);
    CHECK(a != base);
}

namespace {
using Tiny = Sequential<Input<1, 6, 6>, Flatten, Dense<3>>;

Dataset stripes(std::size_t n) {
    Dataset d("stripes", 36, 1);
    Rng rng{Seed{9}};
    std::vector<float> x(36);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = i % 3;
        for (std::size_t p = 0; p < 36; ++p) x[p] = (p % 6) / 2 == k ? 0.9f : 0.1f + 0.05f * rng.uniform();
        d.add(x, std::vector<float>{float(k)});
    }
    return d;
}

struct StopAt {
    std::size_t epoch;
    TrainingPosition position{};
    void on_epoch_end(FitState& s) {
        if (s.epoch == epoch) {
            position = s.position();
            s.stop();
        }
    }
};
}  // namespace

TEST_CASE("fit with augmentation is deterministic, differs from fit without, and resumes bit-identically") {
    const Dataset data = stripes(60);
    Pipeline pipeline{RandomCrop{.padding = 1}, HorizontalFlip{}, GaussianNoise{.stddev = 0.05f}};
    const auto train = [&](bool augmented, std::size_t epochs) {
        Model<Tiny> model{Seed{21}};
        FitOptions o{.epochs = epochs, .batch = 8, .verbosity = Verbosity::Quiet};
        if (augmented) o.augment = pipeline.for_input<Model<Tiny>::input_shape>();
        fit(model, data, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}}, o);
        return std::vector<float>(model.parameters().begin(), model.parameters().end());
    };
    const auto a = train(true, 4), b = train(true, 4), plain = train(false, 4);
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    CHECK(a != plain);

    // Stopped after epoch 2 and resumed (SGD keeps no state): the same bits as 4 epochs straight.
    Model<Tiny> first{Seed{21}};
    StopAt stop{2};
    FitOptions o{.epochs = 4, .batch = 8, .verbosity = Verbosity::Quiet};
    o.augment = pipeline.for_input<Model<Tiny>::input_shape>();
    fit(first, data, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}}, o, stop);
    Model<Tiny> second{Seed{99}};
    std::copy(first.parameters().begin(), first.parameters().end(), second.parameters().begin());
    o.resume_from = stop.position;
    fit(second, data, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}}, o);
    const std::vector<float> resumed(second.parameters().begin(), second.parameters().end());
    CHECK(std::memcmp(resumed.data(), a.data(), a.size() * sizeof(float)) == 0);
}
