// The bodies of image/grid.hpp (see include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "typenet/image/grid.hpp"

namespace tn::image {

TYPENET_INLINE FloatImage image_grid(const float* tiles, std::size_t count, std::size_t channels, std::size_t height,
                                     std::size_t width, const GridOptions& options) {
    if (count == 0 || height == 0 || width == 0)
        throw ImageError("image_grid: nothing to draw (" + std::to_string(count) + " tiles of " +
                         std::to_string(height) + "x" + std::to_string(width) + ")");
    if (channels != 1 && channels != 3)
        throw ImageError("image_grid: tiles have 1 (grey) or 3 (RGB) channels, got " + std::to_string(channels) +
                         "; draw other channel counts as separate grey maps with feature_map_grid");
    const std::size_t up = std::max<std::size_t>(options.upscale, 1);
    const std::size_t columns =
        options.columns ? std::min(options.columns, count) : std::size_t(std::ceil(std::sqrt(double(count))));
    const std::size_t rows = (count + columns - 1) / columns;
    const std::size_t tile_w = width * up, tile_h = height * up, gap = options.gap;
    FloatImage out(columns * tile_w + (columns - 1) * gap, rows * tile_h + (rows - 1) * gap, channels,
                   options.background);
    const std::size_t tile_size = channels * height * width;

    // The value range that maps to 0..1, for the whole grid or one tile.
    const auto range_of = [](const float* p, std::size_t n) {
        float lo = std::numeric_limits<float>::infinity(), hi = -lo;
        for (std::size_t i = 0; i < n; ++i)
            if (std::isfinite(p[i])) lo = std::min(lo, p[i]), hi = std::max(hi, p[i]);
        return std::pair{lo, hi};
    };
    std::pair<float, float> whole{0.f, 1.f};
    if (options.normalize == Normalize::whole) whole = range_of(tiles, count * tile_size);

    const std::size_t plane = height * width;
    for (std::size_t t = 0; t < count; ++t) {
        const float* tile = tiles + t * tile_size;
        auto [lo, hi] = options.normalize == Normalize::per_tile ? range_of(tile, tile_size) : whole;
        // A constant tile (or none finite) is drawn mid-grey when normalised.
        const bool flat = !(hi > lo);
        const float scale = flat ? 0.f : 1.f / (hi - lo);
        const std::size_t ox = (t % columns) * (tile_w + gap), oy = (t / columns) * (tile_h + gap);
        for (std::size_t y = 0; y < tile_h; ++y)
            for (std::size_t x = 0; x < tile_w; ++x)
                for (std::size_t c = 0; c < channels; ++c) {
                    float v = tile[c * plane + (y / up) * width + x / up];
                    if (options.normalize != Normalize::clamp) v = flat ? 0.5f : (v - lo) * scale;
                    out.at(oy + y, ox + x, c) = std::isfinite(v) ? std::clamp(v, 0.f, 1.f) : 0.f;
                }
    }
    return out;
}

TYPENET_INLINE FloatImage feature_map_grid(const float* maps, std::size_t count, std::size_t height,
                                           std::size_t width, GridOptions options) {
    return image_grid(maps, count, 1, height, width, options);
}

TYPENET_INLINE FloatImage filter_grid(const float* weights, std::size_t filters, std::size_t channels,
                                      std::size_t kh, std::size_t kw, GridOptions options) {
    if (channels == 3) return image_grid(weights, filters, 3, kh, kw, options);
    // [F, C, kh, kw] is already F*C consecutive grey tiles: a row per filter.
    if (options.columns == 0) options.columns = channels;
    return image_grid(weights, filters * channels, 1, kh, kw, options);
}

}  // namespace tn::image
