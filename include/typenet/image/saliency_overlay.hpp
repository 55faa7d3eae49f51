// The picture of a saliency map (image/saliency.hpp computes one): a heat map over
// the image, so the pixels the model's answer depends on glow.
#pragma once
#include <cstddef>

#include "typenet/config.hpp"
#include "typenet/image/image.hpp"

namespace tn::image {

struct SaliencyOptions {
    float opacity = 0.7f;     // of the heat map where saliency is largest (0 nowhere)
    std::size_t upscale = 1;  // each pixel drawn as upscale x upscale
};

// The image ([channels, height, width] floats in [0, 1], channels 1 or 3) in grey,
// with the saliency map [height, width] (scaled by its maximum) over it in a
// black-red-yellow heat colour. An RGB FloatImage of (width, height) x upscale.
TYPENET_INLINE FloatImage saliency_overlay(const float* image, std::size_t channels, std::size_t height,
                                           std::size_t width, const float* saliency_map,
                                           const SaliencyOptions& options = {});

}  // namespace tn::image

#if TYPENET_DEFINE_BODIES
#include "typenet/image/saliency_overlay.ipp"
#endif
