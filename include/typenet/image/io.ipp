// The bodies of image/io.hpp, and stb_image's implementation: inline in a header-only
// build, compiled once into typenet::precompiled otherwise (include/typenet/config.hpp).
// STB_*_STATIC keeps stb's functions local to the translation unit, so header-only
// programs with several files including this still link (each has a private copy).
// stb lives under /usr/include, a system header, so its own warnings stay quiet.
#pragma once
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "typenet/image/io.hpp"

#ifndef STBI_INCLUDE_STB_IMAGE_H
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_FAILURE_USERMSG  // "corrupt JPEG" rather than "bad huffman code"
#include <stb/stb_image.h>
#endif
#ifndef INCLUDE_STB_IMAGE_WRITE_H
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#endif

namespace tn::image {

TYPENET_INLINE Image read_image(const std::filesystem::path& path, std::size_t channels) {
    if (channels > 4)
        throw ImageError(path.string() + ": asked for " + std::to_string(channels) +
                         " channels; an image has 1 to 4 (or 0 for the file's own)");
    // The file is read here rather than by stb, so that "no such file" is told apart
    // from "not an image".
    std::ifstream file(path, std::ios::binary);
    if (!file) throw ImageError("cannot open image " + path.string() + ": " + std::strerror(errno));
    const std::vector<unsigned char> bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    if (bytes.empty()) throw ImageError("cannot read image " + path.string() + ": the file is empty");
    if (bytes.size() > std::size_t(INT32_MAX)) throw ImageError("cannot read image " + path.string() + ": over 2 GB");
    int w = 0, h = 0, file_channels = 0;
    unsigned char* data =
        stbi_load_from_memory(bytes.data(), int(bytes.size()), &w, &h, &file_channels, int(channels));
    if (!data) {
        const char* reason = stbi_failure_reason();
        throw ImageError("cannot read image " + path.string() + ": " + (reason ? reason : "unknown reason") +
                         " (stb_image reads PNG, JPEG, BMP, GIF, TGA, PSD, PNM and HDR)");
    }
    Image out(std::size_t(w), std::size_t(h), channels ? channels : std::size_t(file_channels));
    std::memcpy(out.pixels.data(), data, out.pixels.size());
    stbi_image_free(data);
    return out;
}

TYPENET_INLINE void write_png(const std::filesystem::path& path, const Image& image) {
    if (image.channels < 1 || image.channels > 4)
        throw ImageError("cannot write " + path.string() + ": a PNG has 1 to 4 channels, the image has " +
                         std::to_string(image.channels));
    if (image.width == 0 || image.height == 0 || image.pixels.size() != image.width * image.height * image.channels)
        throw ImageError("cannot write " + path.string() + ": the image is " + std::to_string(image.width) + "x" +
                         std::to_string(image.height) + "x" + std::to_string(image.channels) + " but holds " +
                         std::to_string(image.pixels.size()) + " values");
    std::string png;
    const auto append = [](void* context, void* data, int size) {
        static_cast<std::string*>(context)->append(static_cast<const char*>(data), std::size_t(size));
    };
    if (!stbi_write_png_to_func(append, &png, int(image.width), int(image.height), int(image.channels),
                                image.pixels.data(), int(image.width * image.channels)))
        throw ImageError("cannot write " + path.string() + ": stb_image_write could not encode the PNG");
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) throw ImageError("cannot write " + path.string() + ": " + std::strerror(errno));
    file.write(png.data(), std::streamsize(png.size()));
    file.close();
    if (!file) throw ImageError("cannot write " + path.string() + ": writing failed (disk full?)");
}

TYPENET_INLINE void write_png(const std::filesystem::path& path, const FloatImage& image) {
    write_png(path, to_bytes(image));
}

}  // namespace tn::image
