// The bodies of image/saliency_overlay.hpp (see include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cmath>

#include "typenet/image/resize.hpp"
#include "typenet/image/saliency_overlay.hpp"

namespace tn::image {

TYPENET_INLINE FloatImage saliency_overlay(const float* image, std::size_t channels, std::size_t height,
                                           std::size_t width, const float* saliency_map,
                                           const SaliencyOptions& options) {
    if (channels != 1 && channels != 3)
        throw ImageError("saliency_overlay: the image has 1 (grey) or 3 (RGB) channels, got " +
                         std::to_string(channels));
    if (height == 0 || width == 0) throw ImageError("saliency_overlay: the image has no pixels");
    const std::size_t plane = height * width;
    float top = 0;
    for (std::size_t i = 0; i < plane; ++i)
        if (std::isfinite(saliency_map[i])) top = std::max(top, std::fabs(saliency_map[i]));
    const float opacity = std::clamp(options.opacity, 0.f, 1.f);
    FloatImage out(width, height, 3);
    for (std::size_t i = 0; i < plane; ++i) {
        // A grey background keeps the heat colours readable over any picture.
        float grey = channels == 3 ? 0.299f * image[i] + 0.587f * image[plane + i] + 0.114f * image[2 * plane + i]
                                   : image[i];
        grey = std::isfinite(grey) ? std::clamp(grey, 0.f, 1.f) : 0.f;
        const float s = top > 0 && std::isfinite(saliency_map[i]) ? std::fabs(saliency_map[i]) / top : 0.f;
        // Heat: black -> red (s = 0.5) -> yellow (s = 1).
        const float heat[3] = {std::min(1.f, 2 * s), std::max(0.f, 2 * s - 1), 0.f};
        const float a = opacity * s;
        for (std::size_t c = 0; c < 3; ++c) out.pixels[i * 3 + c] = (1 - a) * grey + a * heat[c];
    }
    return options.upscale > 1 ? upscale_nearest(out, options.upscale) : out;
}

}  // namespace tn::image
