// The bodies of image/text.hpp (see include/typenet/config.hpp). stb_easy_font is all
// static functions: nothing to define, and only this file includes it.
#pragma once
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <stb/stb_easy_font.h>

#include "typenet/image/text.hpp"

namespace tn::image {

TYPENET_INLINE std::size_t text_width(std::string_view text, std::size_t scale) {
    std::string s(text);
    return std::size_t(stb_easy_font_width(s.data())) * scale;
}

TYPENET_INLINE std::size_t text_height(std::string_view text, std::size_t scale) {
    std::string s(text);
    return std::size_t(stb_easy_font_height(s.data())) * scale;
}

TYPENET_INLINE void draw_text(Image& image, std::size_t x, std::size_t y, std::string_view text, TextStyle style) {
    if (text.empty() || image.empty()) return;
    std::string s(text);
    // stb_easy_font writes 4 vertices of 16 bytes per quad, one quad per stroke, and
    // silently stops at the end of the buffer: an '8' takes 7 quads (448 bytes), so 300
    // bytes a glyph cut "883" to "88". 16 quads a glyph is more than any glyph takes.
    std::vector<char> vertices(16 * 64 * (s.size() + 1));
    const int quads = stb_easy_font_print(0, 0, s.data(), nullptr, vertices.data(), int(vertices.size()));
    const std::size_t scale = std::max<std::size_t>(style.scale, 1);
    const std::uint8_t colour[3] = {style.r, style.g, style.b};
    const auto grey = std::uint8_t((299 * style.r + 587 * style.g + 114 * style.b) / 1000);
    for (int q = 0; q < quads; ++q) {
        // The quad's corners 0 and 2 are opposite: (x, y) floats at the start of each 16-byte vertex.
        float v0[2], v2[2];
        std::memcpy(v0, vertices.data() + q * 64, sizeof v0);
        std::memcpy(v2, vertices.data() + q * 64 + 32, sizeof v2);
        const auto x0 = std::size_t(std::min(v0[0], v2[0])) * scale, x1 = std::size_t(std::max(v0[0], v2[0])) * scale;
        const auto y0 = std::size_t(std::min(v0[1], v2[1])) * scale, y1 = std::size_t(std::max(v0[1], v2[1])) * scale;
        for (std::size_t py = y + y0; py < y + y1 && py < image.height; ++py)
            for (std::size_t px = x + x0; px < x + x1 && px < image.width; ++px) {
                if (image.channels <= 2) {
                    image.at(py, px, 0) = grey;
                } else {
                    for (std::size_t c = 0; c < 3; ++c) image.at(py, px, c) = colour[c];
                }
                if (image.channels == 2 || image.channels == 4) image.at(py, px, image.channels - 1) = 255;
            }
    }
}

}  // namespace tn::image
