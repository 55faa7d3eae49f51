// Text drawn into an image with stb_easy_font (a small built-in bitmap font, ASCII):
// the counts and class names of a confusion-matrix PNG. Each glyph is about 6 x 7
// pixels at scale 1; a line is 12 pixels high.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "typenet/config.hpp"
#include "typenet/image/image.hpp"

namespace tn::image {

struct TextStyle {
    std::uint8_t r = 0, g = 0, b = 0;
    std::size_t scale = 1;  // each font pixel an scale x scale block
};

// Draws `text` with its top-left corner at (x, y); what falls outside is clipped.
// Works on grey (the luma of the colour) and RGB(A) images.
TYPENET_INLINE void draw_text(Image& image, std::size_t x, std::size_t y, std::string_view text, TextStyle style = {});
// The size `text` takes at `scale`, in pixels.
TYPENET_INLINE std::size_t text_width(std::string_view text, std::size_t scale = 1);
TYPENET_INLINE std::size_t text_height(std::string_view text, std::size_t scale = 1);

}  // namespace tn::image

#if TYPENET_DEFINE_BODIES
#include "typenet/image/text.ipp"
#endif
