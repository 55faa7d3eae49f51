// The bodies of image/image.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>

#include "typenet/image/image.hpp"

namespace tn::image {

TYPENET_INLINE FloatImage to_float(const Image& in) {
    FloatImage out(in.width, in.height, in.channels);
    std::transform(in.pixels.begin(), in.pixels.end(), out.pixels.begin(),
                   [](std::uint8_t v) { return float(v) * (1.f / 255.f); });
    return out;
}

TYPENET_INLINE Image to_bytes(const FloatImage& in) {
    Image out(in.width, in.height, in.channels);
    std::transform(in.pixels.begin(), in.pixels.end(), out.pixels.begin(), to_byte);
    return out;
}

TYPENET_INLINE std::vector<float> to_chw(const Image& in) {
    std::vector<float> out(in.size());
    to_chw(in, out.data(), 1.f / 255.f);
    return out;
}
TYPENET_INLINE std::vector<float> to_chw(const FloatImage& in) {
    std::vector<float> out(in.size());
    to_chw(in, out.data(), 1.f);
    return out;
}

TYPENET_INLINE FloatImage from_chw(const float* chw, std::size_t channels, std::size_t height, std::size_t width) {
    FloatImage out(width, height, channels);
    const std::size_t plane = width * height;
    for (std::size_t i = 0; i < plane; ++i)
        for (std::size_t c = 0; c < channels; ++c) out.pixels[i * channels + c] = chw[c * plane + i];
    return out;
}

}  // namespace tn::image
