// Data augmentation: random changes to each training image, so that a small data set
// looks bigger and the model learns what does not change the class (a cat flipped is
// still a cat). Transforms act in place on a batch of CHW float images, as fit()
// gathers it, and draw everything from one tn::Rng, so one seed fixes every crop.
//
//   augment::Pipeline augment{augment::RandomCrop{.padding = 4}, augment::HorizontalFlip{},
//                             augment::ColorJitter{.brightness = 0.2f}};
//   fit(model, train, loss, Adam{}, {.epochs = 20, .augment = augment.for_images(3, 32, 32)});
//
// Values are taken as intensities in [0, 1] (the byte-stored data sets give that);
// ColorJitter clamps its result there, the others need no range. Each transform is a
// plain struct with `apply(float* image, ImageShape, Rng&, std::vector<float>& scratch)`;
// a Pipeline runs them in order on each sample in turn.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <numbers>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "typenet/core/rng.hpp"

namespace tn::augment {

struct ImageShape {
    std::size_t channels = 1, height = 0, width = 0;
    std::size_t plane() const { return height * width; }
    std::size_t size() const { return channels * height * width; }
};

// Shift by up to `padding` pixels each way: the image padded with `fill` on every
// side, then cropped back to its size at a random place (the CIFAR recipe, padding 4).
struct RandomCrop {
    std::size_t padding = 4;
    float fill = 0.f;
    void apply(float* image, ImageShape s, Rng& rng, std::vector<float>& scratch) const {
        const auto dy = std::ptrdiff_t(rng.below(2 * padding + 1)) - std::ptrdiff_t(padding);
        const auto dx = std::ptrdiff_t(rng.below(2 * padding + 1)) - std::ptrdiff_t(padding);
        if (dy == 0 && dx == 0) return;
        scratch.assign(image, image + s.size());
        const auto h = std::ptrdiff_t(s.height), w = std::ptrdiff_t(s.width);
        for (std::size_t c = 0; c < s.channels; ++c) {
            const float* src = scratch.data() + c * s.plane();
            float* dst = image + c * s.plane();
            for (std::ptrdiff_t y = 0; y < h; ++y)
                for (std::ptrdiff_t x = 0; x < w; ++x) {
                    const std::ptrdiff_t sy = y + dy, sx = x + dx;  // output (y, x) reads padded input (y + dy, x + dx)
                    dst[y * w + x] = (sy >= 0 && sy < h && sx >= 0 && sx < w) ? src[sy * w + sx] : fill;
                }
        }
    }
};

// Mirror left-right with probability `probability`.
struct HorizontalFlip {
    float probability = 0.5f;
    void apply(float* image, ImageShape s, Rng& rng, std::vector<float>&) const {
        if (!(rng.uniform() < probability)) return;
        for (std::size_t row = 0; row < s.channels * s.height; ++row)
            std::reverse(image + row * s.width, image + (row + 1) * s.width);
    }
};

// Rotate about the centre by an angle uniform in [-degrees, degrees], bilinear;
// corners that come from outside the image are `fill`.
struct Rotation {
    float degrees = 10.f;
    float fill = 0.f;
    void apply(float* image, ImageShape s, Rng& rng, std::vector<float>& scratch) const {
        const float angle = rng.uniform(-degrees, degrees) * std::numbers::pi_v<float> / 180.f;
        rotate(image, s, angle, scratch);
    }
    // By exactly `radians` (counter-clockwise on screen, y pointing down).
    void rotate(float* image, ImageShape s, float radians, std::vector<float>& scratch) const {
        if (radians == 0.f) return;
        scratch.assign(image, image + s.size());
        const float cos_a = std::cos(radians), sin_a = std::sin(radians);
        const float cy = float(s.height - 1) / 2, cx = float(s.width - 1) / 2;
        const auto h = std::ptrdiff_t(s.height), w = std::ptrdiff_t(s.width);
        for (std::size_t c = 0; c < s.channels; ++c) {
            const float* src = scratch.data() + c * s.plane();
            float* dst = image + c * s.plane();
            const auto at = [&](std::ptrdiff_t y, std::ptrdiff_t x) {
                return (y >= 0 && y < h && x >= 0 && x < w) ? src[y * w + x] : fill;
            };
            for (std::ptrdiff_t y = 0; y < h; ++y)
                for (std::ptrdiff_t x = 0; x < w; ++x) {
                    // The inverse rotation: where in the source this output pixel comes from.
                    const float ox = float(x) - cx, oy = float(y) - cy;
                    const float sx = cos_a * ox - sin_a * oy + cx, sy = sin_a * ox + cos_a * oy + cy;
                    const float fx = std::floor(sx), fy = std::floor(sy);
                    const auto x0 = std::ptrdiff_t(fx), y0 = std::ptrdiff_t(fy);
                    const float wx = sx - fx, wy = sy - fy;
                    const float top = at(y0, x0) + wx * (at(y0, x0 + 1) - at(y0, x0));
                    const float bottom = at(y0 + 1, x0) + wx * (at(y0 + 1, x0 + 1) - at(y0 + 1, x0));
                    dst[y * w + x] = top + wy * (bottom - top);
                }
        }
    }
};

// Brightness (scale all values), contrast (scale around the image's mean grey) and,
// for RGB, saturation (scale around each pixel's grey), each by a factor uniform in
// [1 - amount, 1 + amount], in that order; the result is clamped to [0, 1].
struct ColorJitter {
    float brightness = 0.2f, contrast = 0.2f, saturation = 0.2f;
    void apply(float* image, ImageShape s, Rng& rng, std::vector<float>&) const {
        const float b = factor(brightness, rng), c = factor(contrast, rng), sat = factor(saturation, rng);
        const std::size_t n = s.size(), plane = s.plane();
        for (std::size_t i = 0; i < n; ++i) image[i] *= b;
        if (c != 1.f) {
            double sum = 0;
            for (std::size_t i = 0; i < plane; ++i) sum += grey(image, s, i);
            const float mean = float(sum / double(plane));
            for (std::size_t i = 0; i < n; ++i) image[i] = mean + c * (image[i] - mean);
        }
        if (sat != 1.f && s.channels == 3)
            for (std::size_t i = 0; i < plane; ++i) {
                const float g = grey(image, s, i);
                for (std::size_t ch = 0; ch < 3; ++ch) image[ch * plane + i] = g + sat * (image[ch * plane + i] - g);
            }
        for (std::size_t i = 0; i < n; ++i) image[i] = std::clamp(image[i], 0.f, 1.f);
    }

private:
    static float factor(float amount, Rng& rng) { return amount > 0 ? rng.uniform(1.f - amount, 1.f + amount) : 1.f; }
    static float grey(const float* image, ImageShape s, std::size_t i) {
        if (s.channels != 3) return image[i];
        const std::size_t p = s.plane();
        return 0.299f * image[i] + 0.587f * image[p + i] + 0.114f * image[2 * p + i];
    }
};

// Adds independent normal noise of standard deviation `stddev` to every value.
struct GaussianNoise {
    float stddev = 0.05f;
    void apply(float* image, ImageShape s, Rng& rng, std::vector<float>&) const {
        for (std::size_t i = 0; i < s.size(); ++i) image[i] += stddev * rng.normal();
    }
};

// Cutout (DeVries & Taylor 2017): a `size` x `size` square, centred anywhere in the
// image (so it may be cut by the border), set to `fill` in every channel.
struct Cutout {
    std::size_t size = 8;
    float fill = 0.f;
    float probability = 1.f;
    void apply(float* image, ImageShape s, Rng& rng, std::vector<float>&) const {
        if (!(rng.uniform() < probability)) return;
        const auto cy = std::ptrdiff_t(rng.below(s.height)), cx = std::ptrdiff_t(rng.below(s.width));
        const auto half = std::ptrdiff_t(size / 2);
        const auto y0 = std::max<std::ptrdiff_t>(0, cy - half), x0 = std::max<std::ptrdiff_t>(0, cx - half);
        const auto y1 = std::min<std::ptrdiff_t>(std::ptrdiff_t(s.height), cy - half + std::ptrdiff_t(size));
        const auto x1 = std::min<std::ptrdiff_t>(std::ptrdiff_t(s.width), cx - half + std::ptrdiff_t(size));
        for (std::size_t c = 0; c < s.channels; ++c)
            for (std::ptrdiff_t y = y0; y < y1; ++y)
                std::fill(image + c * s.plane() + std::size_t(y) * s.width + std::size_t(x0),
                          image + c * s.plane() + std::size_t(y) * s.width + std::size_t(x1), fill);
    }
};

// Transforms run in order, sample by sample: sample 0's draws, then sample 1's, ...
template <class... Transforms>
class Pipeline {
public:
    explicit Pipeline(Transforms... transforms) : transforms_(std::move(transforms)...) {}

    // Augments `batch` images of `shape`, stored one after another (CHW each).
    void apply(float* images, std::size_t batch, ImageShape shape, Rng& rng) {
        if (shape.size() == 0) throw std::invalid_argument("augment::Pipeline: the image shape has no pixels");
        for (std::size_t b = 0; b < batch; ++b) {
            float* image = images + b * shape.size();
            std::apply([&](const auto&... t) { (t.apply(image, shape, rng, scratch_), ...); }, transforms_);
        }
    }

    // What FitOptions::augment takes, for images of this shape (the model's Input).
    std::function<void(float*, std::size_t, Rng&)> for_images(std::size_t channels, std::size_t height,
                                                              std::size_t width) const {
        return [pipeline = *this, shape = ImageShape{channels, height, width}](
                   float* images, std::size_t batch, Rng& rng) mutable { pipeline.apply(images, batch, shape, rng); };
    }
    // The same, for a model's Input shape: .augment = pipeline.for_input<Model<Net>::input_shape>().
    template <class Shape>
    std::function<void(float*, std::size_t, Rng&)> for_input() const {
        static_assert(Shape::rank == 3 || Shape::rank == 2,
                      "augment: images are [channels, height, width] or [height, width]");
        if constexpr (Shape::rank == 3)
            return for_images(Shape::dims[0], Shape::dims[1], Shape::dims[2]);
        else
            return for_images(1, Shape::dims[0], Shape::dims[1]);
    }

private:
    std::tuple<Transforms...> transforms_;
    std::vector<float> scratch_;  // one image, reused (allocated once, on the first shift or rotation)
};

}  // namespace tn::augment
