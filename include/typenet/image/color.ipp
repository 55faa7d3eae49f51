// The bodies of image/color.hpp (see include/typenet/config.hpp).
#pragma once
#include <cmath>
#include <string>

#include "typenet/image/color.hpp"

namespace tn::image {

TYPENET_INLINE Image to_channels(const Image& in, std::size_t channels, Background background) {
    if (in.channels < 1 || in.channels > 4 || channels < 1 || channels > 4)
        throw ImageError("to_channels: converts between 1 and 4 channels, asked " + std::to_string(in.channels) +
                         " to " + std::to_string(channels));
    if (channels == in.channels) return in;
    Image out(in.width, in.height, channels);
    const bool has_alpha = in.channels == 2 || in.channels == 4;
    const bool colour = in.channels >= 3;
    const float back[3] = {float(background.r), float(background.g), float(background.b)};
    const std::size_t n = in.width * in.height;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t* p = &in.pixels[i * in.channels];
        float rgb[3] = {float(p[0]), float(colour ? p[1] : p[0]), float(colour ? p[2] : p[0])};
        const std::uint8_t alpha = has_alpha ? p[in.channels - 1] : 255;
        std::uint8_t* q = &out.pixels[i * channels];
        const bool keep_alpha = channels == 2 || channels == 4;
        if (!keep_alpha && alpha != 255) {  // composite: a = alpha / 255, c = a c + (1 - a) background
            const float a = float(alpha) / 255.f;
            for (int c = 0; c < 3; ++c) rgb[c] = a * rgb[c] + (1.f - a) * back[c];
        }
        if (channels <= 2) {
            const float grey = colour ? 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2] : rgb[0];
            q[0] = std::uint8_t(std::lround(std::fmin(grey, 255.f)));
        } else {
            for (int c = 0; c < 3; ++c) q[c] = std::uint8_t(std::lround(std::fmin(rgb[c], 255.f)));
        }
        if (keep_alpha) q[channels - 1] = alpha;
    }
    return out;
}

}  // namespace tn::image
