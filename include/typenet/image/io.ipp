// The bodies of image/io.hpp, and stb_image's implementation: inline in a header-only
// build, compiled once into typenet::precompiled otherwise (include/typenet/config.hpp).
// STB_*_STATIC keeps stb's functions local to the translation unit, so header-only
// programs with several files including this still link (each has a private copy).
// stb lives under /usr/include, a system header, so its own warnings stay quiet.
#pragma once
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "typenet/image/io.hpp"

namespace tn::image::detail {
// stb_image's allocations go through these, so that one decode can be held to a
// budget (DecodeLimits): each block carries its size in front, `used` counts the
// live bytes of this thread's decodes, and a request past `limit` fails as an
// out-of-memory would, which stb reports as a failed decode.
struct StbBudget {
    std::size_t used = 0;
    std::size_t limit = static_cast<std::size_t>(-1);
    bool exceeded = false;
};
inline thread_local StbBudget stb_budget;
inline constexpr std::size_t stb_block_header = 16;  // keeps malloc's 16-byte alignment

inline void* stb_malloc(std::size_t n) {
    StbBudget& b = stb_budget;
    if (n > b.limit - std::min(b.used, b.limit) || n > static_cast<std::size_t>(-1) - stb_block_header) {
        b.exceeded = true;
        return nullptr;
    }
    void* raw = std::malloc(n + stb_block_header);
    if (!raw) return nullptr;
    std::memcpy(raw, &n, sizeof n);
    b.used += n;
    return static_cast<char*>(raw) + stb_block_header;
}
inline void stb_free(void* p) {
    if (!p) return;
    char* raw = static_cast<char*>(p) - stb_block_header;
    std::size_t n = 0;
    std::memcpy(&n, raw, sizeof n);
    StbBudget& b = stb_budget;
    b.used -= std::min(b.used, n);  // a block of an earlier decode may be freed after it
    std::free(raw);
}
inline void* stb_realloc(void* p, std::size_t n) {
    if (!p) return stb_malloc(n);
    char* raw = static_cast<char*>(p) - stb_block_header;
    std::size_t old = 0;
    std::memcpy(&old, raw, sizeof old);
    StbBudget& b = stb_budget;
    if (n > old && (n - old > b.limit - std::min(b.used, b.limit) ||
                    n > static_cast<std::size_t>(-1) - stb_block_header)) {
        b.exceeded = true;
        return nullptr;
    }
    void* moved = std::realloc(raw, n + stb_block_header);
    if (!moved) return nullptr;
    std::memcpy(moved, &n, sizeof n);
    b.used = b.used - std::min(b.used, old) + n;
    return static_cast<char*>(moved) + stb_block_header;
}

// Two holes of stb_image 2.27 (Debian's) in JPEG Huffman tables, both found by
// fuzz/image_fuzzer.cpp, checked here before stb reads the file:
//  - a table whose 16 code counts add up to more than 256: stb writes past the
//    table's arrays (fixed upstream in 2.28);
//  - a scan that uses a table no DHT segment defined: stb decodes with the
//    uninitialised table and indexes its arrays with garbage.
// The walk follows stb's: segments by their length, entropy-coded data byte by byte
// up to the next marker (FF then neither 00 nor a restart marker), so it sees every
// DHT and SOS segment stb would read, in the same order. Returns what is wrong.
inline std::optional<std::string> jpeg_huffman_problem(std::span<const unsigned char> b) {
    // stb takes a file as JPEG when it starts with FF (any number), then D8.
    std::size_t i = 0;
    while (i < b.size() && b[i] == 0xFF) ++i;
    if (i == 0 || i >= b.size() || b[i] != 0xD8) return std::nullopt;
    const auto at = [&](std::size_t k) -> unsigned { return k < b.size() ? b[k] : 0u; };  // stb reads 0 past the end
    bool defined[2][4] = {};  // [DC, AC][table]
    ++i;
    while (i + 1 < b.size()) {
        if (b[i] != 0xFF) {
            ++i;
            continue;
        }
        const unsigned marker = b[i + 1];
        if (marker == 0xFF) {  // fill byte
            ++i;
            continue;
        }
        if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD9)) {  // no length field
            i += 2;
            continue;
        }
        const std::size_t length = (at(i + 2) << 8) | at(i + 3);  // counts its own two bytes
        if (marker == 0xC4) {  // DHT: tables of [class << 4 | id] [16 counts] [symbols]
            std::size_t p = i + 4;
            long left = long(length) - 2;
            while (left > 0 && p < b.size()) {
                std::size_t codes = 0;
                for (std::size_t k = 1; k <= 16; ++k) codes += at(p + k);
                if (codes > 256)
                    return "corrupt JPEG: the Huffman table at byte " + std::to_string(p) + " defines " +
                           std::to_string(codes) + " codes, and a table holds at most 256";
                const unsigned kind = at(p) >> 4, id = at(p) & 15;
                if (kind <= 1 && id <= 3) defined[kind][id] = true;
                p += 17 + codes;
                left -= long(17 + codes);
            }
        } else if (marker == 0xDA) {  // SOS: [count] [component, dc << 4 | ac]... [Ss] [Se] [Ah << 4 | Al]
            const std::size_t count = at(i + 4);
            const unsigned start = at(i + 5 + 2 * count), end = at(i + 6 + 2 * count);
            for (std::size_t c = 0; c < count; ++c) {
                const unsigned tables = at(i + 6 + 2 * c), dc = tables >> 4, ac = tables & 15;
                const bool needs_dc = start == 0, needs_ac = end > 0;  // baseline needs both; progressive one
                if (needs_dc && dc <= 3 && !defined[0][dc])
                    return "corrupt JPEG: the scan at byte " + std::to_string(i) + " uses DC Huffman table " +
                           std::to_string(dc) + ", which no DHT segment before it defines";
                if (needs_ac && ac <= 3 && !defined[1][ac])
                    return "corrupt JPEG: the scan at byte " + std::to_string(i) + " uses AC Huffman table " +
                           std::to_string(ac) + ", which no DHT segment before it defines";
            }
        }
        i += 2 + std::max<std::size_t>(length, 2);
    }
    return std::nullopt;
}

// Sets this thread's budget for one decode and restores the previous one after.
struct StbBudgetScope {
    StbBudget saved;
    explicit StbBudgetScope(std::size_t limit) : saved(stb_budget) { stb_budget = {0, limit, false}; }
    StbBudgetScope(const StbBudgetScope&) = delete;
    StbBudgetScope& operator=(const StbBudgetScope&) = delete;
    ~StbBudgetScope() { stb_budget = saved; }
};
}  // namespace tn::image::detail

#ifndef STBI_INCLUDE_STB_IMAGE_H
#define STBI_MALLOC(size) ::tn::image::detail::stb_malloc(size)
#define STBI_REALLOC(p, size) ::tn::image::detail::stb_realloc(p, size)
#define STBI_FREE(p) ::tn::image::detail::stb_free(p)
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

TYPENET_INLINE Image decode_image(std::span<const unsigned char> bytes, const std::string& source,
                                  std::size_t channels, const DecodeLimits& limits) {
    const std::string what = "cannot read image " + source + ": ";
    if (channels > 4)
        throw ImageError(source + ": asked for " + std::to_string(channels) +
                         " channels; an image has 1 to 4 (or 0 for the file's own)");
    if (bytes.empty()) throw ImageError(what + "the file is empty");
    if (bytes.size() > std::size_t(INT32_MAX)) throw ImageError(what + "over 2 GB");
    const int size = int(bytes.size());
    // Before stb reads anything (stbi_info reads the tables too).
    if (const auto problem = detail::jpeg_huffman_problem(bytes)) throw ImageError(what + *problem);
    // The header first: its size, before a single pixel is decoded.
    int w = 0, h = 0, file_channels = 0;
    std::size_t pixels = 0;
    if (stbi_info_from_memory(bytes.data(), size, &w, &h, &file_channels) && w > 0 && h > 0) {
        pixels = std::size_t(w) * std::size_t(h);
        if (pixels > limits.max_pixels)
            throw ImageError(what + "its header says " + std::to_string(w) + " x " + std::to_string(h) + " = " +
                             std::to_string(pixels) + " pixels, more than the limit of " +
                             std::to_string(limits.max_pixels) + " (DecodeLimits::max_pixels)");
    }
    const std::size_t budget = limits.working_bytes_per_pixel * pixels + 2 * bytes.size() + (std::size_t(1) << 20);
    unsigned char* data = nullptr;
    bool exceeded = false;
    {
        const detail::StbBudgetScope scope(budget);
        data = stbi_load_from_memory(bytes.data(), size, &w, &h, &file_channels, int(channels));
        exceeded = detail::stb_budget.exceeded;
        if (data && (std::size_t(w) * std::size_t(h) > limits.max_pixels)) {  // a decoder that disagreed with its header
            stbi_image_free(data);
            data = nullptr;
            exceeded = true;
        }
    }
    if (!data) {
        if (exceeded)
            throw ImageError(what + "decoding it needs more than " + std::to_string(budget) +
                             " bytes, the limit for a " + std::to_string(w) + " x " + std::to_string(h) +
                             " image of " + std::to_string(bytes.size()) +
                             " bytes (DecodeLimits): a corrupt or hostile file");
        const char* reason = stbi_failure_reason();
        throw ImageError(what + (reason ? reason : "unknown reason") +
                         " (stb_image reads PNG, JPEG, BMP, GIF, TGA, PSD, PNM and HDR)");
    }
    const std::size_t out_channels = channels ? channels : std::size_t(file_channels);
    if (w <= 0 || h <= 0 || out_channels < 1 || out_channels > 4) {  // stb's PNM reader returns 0 x 0 for no digits
        stbi_image_free(data);
        throw ImageError(what + "it decodes to a " + std::to_string(w) + " x " + std::to_string(h) + " image of " +
                         std::to_string(out_channels) + " channels: a corrupt file");
    }
    Image out(std::size_t(w), std::size_t(h), out_channels);
    std::memcpy(out.pixels.data(), data, out.pixels.size());
    stbi_image_free(data);
    return out;
}

TYPENET_INLINE Image read_image(const std::filesystem::path& path, std::size_t channels, const DecodeLimits& limits) {
    if (channels > 4)
        throw ImageError(path.string() + ": asked for " + std::to_string(channels) +
                         " channels; an image has 1 to 4 (or 0 for the file's own)");
    // The file is read here rather than by stb, so that "no such file" is told apart
    // from "not an image". Anything but a regular file is refused first: a FIFO
    // would block the read until something wrote to it.
    std::error_code ec;
    if (const auto status = std::filesystem::status(path, ec);
        std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
        throw ImageError("cannot read image " + path.string() + ": not a regular file");
    std::ifstream file(path, std::ios::binary);
    if (!file) throw ImageError("cannot open image " + path.string() + ": " + std::strerror(errno));
    const std::vector<unsigned char> bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    return decode_image(bytes, path.string(), channels, limits);
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
