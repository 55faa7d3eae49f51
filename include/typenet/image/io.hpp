// Reading and writing image files through stb_image (Debian's libstb-dev): PNG, JPEG,
// BMP, GIF (first frame), TGA, PSD, PNM and HDR in; PNG out.
//   tn::image::Image img = tn::image::read_image("data/emoji/img/google/64/1f600.png");
//   tn::image::write_png("out/grid.png", img);
// stb's implementation is compiled once in typenet::precompiled, or, header-only, as
// static functions in each translation unit that includes this (io.ipp).
#pragma once
#include <filesystem>

#include "typenet/config.hpp"
#include "typenet/image/image.hpp"

namespace tn::image {

// Reads an image file. `channels` 0 keeps the file's own (1 grey, 2 grey + alpha,
// 3 RGB, 4 RGBA); 1 to 4 asks stb to convert (adding an opaque alpha, or dropping it
// without compositing: use to_channels (image/color.hpp) to composite over white).
// 16-bit files are reduced to 8 bits. Throws ImageError naming the file and stb's reason.
TYPENET_INLINE Image read_image(const std::filesystem::path& path, std::size_t channels = 0);

// Writes a PNG (1 to 4 channels), creating missing parent folders. A FloatImage is
// clamped to [0, 1] and rounded to bytes. Throws ImageError naming the file.
TYPENET_INLINE void write_png(const std::filesystem::path& path, const Image& image);
TYPENET_INLINE void write_png(const std::filesystem::path& path, const FloatImage& image);

}  // namespace tn::image

#if TYPENET_DEFINE_BODIES
#include "typenet/image/io.ipp"
#endif
