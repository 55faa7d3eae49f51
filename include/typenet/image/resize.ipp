// The bodies of image/resize.hpp (see include/typenet/config.hpp), with stb_image_resize's
// implementation as static functions (as io.ipp does for stb_image).
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>

#include "typenet/image/resize.hpp"

#ifndef STBIR_INCLUDE_STB_IMAGE_RESIZE_H
#define STB_IMAGE_RESIZE_STATIC
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb/stb_image_resize.h>
#endif

namespace tn::image {
namespace detail {

template <class T>
void check_resize(const BasicImage<T>& in, std::size_t width, std::size_t height) {
    if (in.empty() || in.channels == 0)
        throw ImageError("resize: the image is empty (" + std::to_string(in.width) + "x" + std::to_string(in.height) +
                         "x" + std::to_string(in.channels) + ")");
    if (width == 0 || height == 0)
        throw ImageError("resize: the target size " + std::to_string(width) + "x" + std::to_string(height) +
                         " has no pixels");
}

// Bilinear interpolation at pixel centres: output pixel x samples the input at
// (x + 0.5) * in_w / out_w - 0.5, clamped to the edge pixels.
template <class T>
BasicImage<T> bilinear(const BasicImage<T>& in, std::size_t width, std::size_t height) {
    BasicImage<T> out(width, height, in.channels);
    const float sx = float(in.width) / float(width), sy = float(in.height) / float(height);
    const float max_x = float(in.width - 1), max_y = float(in.height - 1);
    for (std::size_t y = 0; y < height; ++y) {
        const float fy = std::clamp((float(y) + 0.5f) * sy - 0.5f, 0.f, max_y);
        const std::size_t y0 = std::size_t(fy), y1 = std::min(y0 + 1, in.height - 1);
        const float wy = fy - float(y0);
        for (std::size_t x = 0; x < width; ++x) {
            const float fx = std::clamp((float(x) + 0.5f) * sx - 0.5f, 0.f, max_x);
            const std::size_t x0 = std::size_t(fx), x1 = std::min(x0 + 1, in.width - 1);
            const float wx = fx - float(x0);
            for (std::size_t c = 0; c < in.channels; ++c) {
                const float top = float(in.at(y0, x0, c)) + wx * (float(in.at(y0, x1, c)) - float(in.at(y0, x0, c)));
                const float bottom =
                    float(in.at(y1, x0, c)) + wx * (float(in.at(y1, x1, c)) - float(in.at(y1, x0, c)));
                const float v = top + wy * (bottom - top);
                if constexpr (std::is_same_v<T, std::uint8_t>)
                    out.at(y, x, c) = std::uint8_t(std::clamp(v + 0.5f, 0.f, 255.f));
                else
                    out.at(y, x, c) = v;
            }
        }
    }
    return out;
}

inline int alpha_channel(std::size_t channels) {
    return channels == 4 ? 3 : channels == 2 ? 1 : STBIR_ALPHA_CHANNEL_NONE;
}

}  // namespace detail

TYPENET_INLINE Image resize(const Image& in, std::size_t width, std::size_t height, Filter filter) {
    detail::check_resize(in, width, height);
    if (width == in.width && height == in.height) return in;
    if (filter == Filter::bilinear) return detail::bilinear(in, width, height);
    Image out(width, height, in.channels);
    if (!stbir_resize_uint8_generic(in.pixels.data(), int(in.width), int(in.height), 0, out.pixels.data(),
                                    int(width), int(height), 0, int(in.channels), detail::alpha_channel(in.channels),
                                    0, STBIR_EDGE_CLAMP, STBIR_FILTER_DEFAULT, STBIR_COLORSPACE_LINEAR, nullptr))
        throw ImageError("resize: stb_image_resize failed");
    return out;
}

TYPENET_INLINE FloatImage resize(const FloatImage& in, std::size_t width, std::size_t height, Filter filter) {
    detail::check_resize(in, width, height);
    if (width == in.width && height == in.height) return in;
    if (filter == Filter::bilinear) return detail::bilinear(in, width, height);
    FloatImage out(width, height, in.channels);
    if (!stbir_resize_float_generic(in.pixels.data(), int(in.width), int(in.height), 0, out.pixels.data(), int(width),
                                    int(height), 0, int(in.channels), detail::alpha_channel(in.channels), 0,
                                    STBIR_EDGE_CLAMP, STBIR_FILTER_DEFAULT, STBIR_COLORSPACE_LINEAR, nullptr))
        throw ImageError("resize: stb_image_resize failed");
    return out;
}

}  // namespace tn::image
