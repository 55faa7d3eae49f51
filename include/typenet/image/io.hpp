// Reading and writing image files through stb_image (Debian's libstb-dev): PNG, JPEG,
// BMP, GIF (first frame), TGA, PSD, PNM and HDR in; PNG out.
//   tn::image::Image img = tn::image::read_image("data/emoji/img/google/64/1f600.png");
//   tn::image::write_png("out/grid.png", img);
// stb's implementation is compiled once in typenet::precompiled, or, header-only, as
// static functions in each translation unit that includes this (io.ipp).
#pragma once
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

#include "typenet/config.hpp"
#include "typenet/image/image.hpp"

namespace tn::image {

// What decoding one image may cost, so that a hostile header cannot ask for
// gigabytes. The header's width x height is checked against max_pixels before any
// pixel is decoded; while stb decodes, its allocations (inflated PNG data, JPEG
// coefficients, the output) are counted and refused past
//   working_bytes_per_pixel x width x height + 2 x the file's size + 1 MiB,
// so a small file that inflates to gigabytes (a PNG "bomb") fails at that bound.
struct DecodeLimits {
    std::size_t max_pixels = std::size_t(1) << 26;  // 64 Mpixels: 8192 x 8192, 256 MB as RGBA bytes
    std::size_t working_bytes_per_pixel = 40;       // 16-bit RGBA PNG needs ~24, HDR ~20
};

// Decodes an image held in memory; `source` names it in errors. `channels` as for
// read_image. Throws ImageError naming the source and the reason (stb's, or the
// limit that was reached).
TYPENET_INLINE Image decode_image(std::span<const unsigned char> bytes, const std::string& source,
                                  std::size_t channels = 0, const DecodeLimits& limits = {});

// Reads an image file. `channels` 0 keeps the file's own (1 grey, 2 grey + alpha,
// 3 RGB, 4 RGBA); 1 to 4 asks stb to convert (adding an opaque alpha, or dropping it
// without compositing: use to_channels (image/color.hpp) to composite over white).
// 16-bit files are reduced to 8 bits. Throws ImageError naming the file and stb's
// reason, or the limit (DecodeLimits) that the file's header or its data exceeds.
TYPENET_INLINE Image read_image(const std::filesystem::path& path, std::size_t channels = 0,
                                const DecodeLimits& limits = {});

// Writes a PNG (1 to 4 channels), creating missing parent folders. A FloatImage is
// clamped to [0, 1] and rounded to bytes. Throws ImageError naming the file.
TYPENET_INLINE void write_png(const std::filesystem::path& path, const Image& image);
TYPENET_INLINE void write_png(const std::filesystem::path& path, const FloatImage& image);

}  // namespace tn::image

#if TYPENET_DEFINE_BODIES
#include "typenet/image/io.ipp"
#endif
