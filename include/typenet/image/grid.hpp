// Many small images in one picture: an augmented batch, the feature maps of one
// layer, the learned filters of a convolution.
//   write_png("out/batch.png", image_grid(batch, 64, 3, 32, 32));             // 64 RGB images, CHW each
//   write_png("out/maps.png", feature_map_grid(maps, 16, 24, 24, {.upscale = 2}));
//   write_png("out/filters.png", filter_grid(weights, 6, 1, 5, 5, {.upscale = 8}));
// Tiles are laid out row by row, separated by `gap` pixels of `background`.
#pragma once
#include <cstddef>

#include "typenet/config.hpp"
#include "typenet/image/image.hpp"

namespace tn::image {

enum class Normalize {
    clamp,     // values are intensities: clamp to [0, 1]
    per_tile,  // each tile stretched from its own min..max to 0..1 (feature maps, filters)
    whole,     // all tiles stretched together from the overall min..max (keeps their relative scale)
};

struct GridOptions {
    std::size_t columns = 0;  // 0: about a square grid (ceil(sqrt(count)))
    std::size_t upscale = 1;  // each pixel drawn as an upscale x upscale block
    std::size_t gap = 1;      // pixels between tiles (after upscaling)
    Normalize normalize = Normalize::clamp;
    float background = 1.f;  // the gaps' grey: white
};

// `count` tiles of [channels, height, width] floats, one after another (channels 1 or 3).
TYPENET_INLINE FloatImage image_grid(const float* tiles, std::size_t count, std::size_t channels, std::size_t height,
                                     std::size_t width, const GridOptions& options = {});

// The C maps [C, H, W] of one sample at one layer, each a grey tile normalised on its
// own (per_tile unless options say otherwise).
TYPENET_INLINE FloatImage feature_map_grid(const float* maps, std::size_t count, std::size_t height,
                                           std::size_t width, GridOptions options = {.normalize = Normalize::per_tile});

// Convolution weights [F, C, kh, kw] (PyTorch's layout): with C = 3 one RGB tile per
// filter; otherwise one row per filter, one grey tile per input channel. Each tile
// min..max normalised, unless options say otherwise.
TYPENET_INLINE FloatImage filter_grid(const float* weights, std::size_t filters, std::size_t channels,
                                      std::size_t kh, std::size_t kw,
                                      GridOptions options = {.normalize = Normalize::per_tile});

}  // namespace tn::image

#if TYPENET_DEFINE_BODIES
#include "typenet/image/grid.ipp"
#endif
