// An image in memory, as files hold it: height rows of width pixels, each pixel
// `channels` values (1 grey, 2 grey + alpha, 3 RGB, 4 RGBA), row-major HWC. Bytes
// (0..255) as read from PNG and JPEG files, or floats (0..1 for display) as the
// pictures (image/grid.hpp) are drawn. Models read CHW floats instead: to_chw and
// from_chw convert, and are the only place that layout changes.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/config.hpp"

namespace tn::image {

// A file that cannot be read or written, or an image of the wrong size or channels.
struct ImageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

template <class T>
struct BasicImage {
    std::size_t width = 0, height = 0, channels = 0;
    std::vector<T> pixels;  // [height, width, channels], row-major

    BasicImage() = default;
    BasicImage(std::size_t width_, std::size_t height_, std::size_t channels_, T fill = T{})
        : width(width_), height(height_), channels(channels_), pixels(width_ * height_ * channels_, fill) {}

    std::size_t size() const { return pixels.size(); }
    bool empty() const { return pixels.empty(); }
    T& at(std::size_t y, std::size_t x, std::size_t c) { return pixels[(y * width + x) * channels + c]; }
    const T& at(std::size_t y, std::size_t x, std::size_t c) const { return pixels[(y * width + x) * channels + c]; }
};

using Image = BasicImage<std::uint8_t>;  // what files hold
using FloatImage = BasicImage<float>;    // 0 black .. 1 full intensity

// Bytes to floats in [0, 1], and back (clamped, rounded to nearest).
TYPENET_INLINE FloatImage to_float(const Image& in);
inline std::uint8_t to_byte(float v) {
    if (!(v > 0.f)) return 0;  // also NaN: black rather than undefined behaviour
    if (v >= 1.f) return 255;
    return std::uint8_t(std::lround(v * 255.f));
}
TYPENET_INLINE Image to_bytes(const FloatImage& in);

// HWC (files) to CHW (models): out[c][y][x] = in[y][x][c] * scale. `out` holds
// channels * height * width values.
template <class T>
void to_chw(const BasicImage<T>& in, float* out, float scale) {
    const std::size_t plane = in.width * in.height;
    for (std::size_t i = 0; i < plane; ++i)
        for (std::size_t c = 0; c < in.channels; ++c)
            out[c * plane + i] = float(in.pixels[i * in.channels + c]) * scale;
}
// Bytes become floats in [0, 1].
TYPENET_INLINE std::vector<float> to_chw(const Image& in);
TYPENET_INLINE std::vector<float> to_chw(const FloatImage& in);

// CHW floats (a model's input or a layer's output) as an HWC image.
TYPENET_INLINE FloatImage from_chw(const float* chw, std::size_t channels, std::size_t height, std::size_t width);

}  // namespace tn::image

#if TYPENET_DEFINE_BODIES
#include "typenet/image/image.ipp"
#endif
