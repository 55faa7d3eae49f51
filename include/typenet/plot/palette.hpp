// Colours that stay distinct for colour-blind readers: the Okabe-Ito palette
// (Okabe & Ito 2008, "Color Universal Design"), the one Nature Methods recommends.
// Lines and classes also differ by dash pattern and marker shape, so a chart still
// reads in greyscale.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <string>

namespace tn::plot::palette {

// Series colours, in the order they are handed out: blue, vermillion, bluish green,
// reddish purple, orange, sky blue, black (yellow is left out: unreadable on white).
inline constexpr const char* lines[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                        "#E69F00", "#56B4E9", "#000000"};
inline constexpr std::size_t line_count = sizeof lines / sizeof lines[0];

// Class colours: class 0 blue and class 1 orange, the safest pair of all.
inline constexpr const char* classes[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"};
inline constexpr std::size_t class_count = sizeof classes / sizeof classes[0];

inline const char* line(std::size_t i) { return lines[i % line_count]; }
inline const char* for_class(std::size_t i) { return classes[i % class_count]; }

inline constexpr const char* text = "#222222";
inline constexpr const char* grid = "#e5e5e5";
inline constexpr const char* frame = "#9a9a9a";

// `amount` of colour `hex` (#rrggbb) over white: 0 is white, 1 the colour itself.
inline std::string tint(const char* hex, double amount) {
    unsigned r = 0, g = 0, b = 0;
    std::sscanf(hex, "#%2x%2x%2x", &r, &g, &b);
    amount = std::clamp(amount, 0.0, 1.0);
    const auto mix = [&](unsigned c) { return unsigned(255.0 + (double(c) - 255.0) * amount + 0.5); };
    char out[8];
    std::snprintf(out, sizeof out, "#%02x%02x%02x", mix(r) & 0xffu, mix(g) & 0xffu, mix(b) & 0xffu);
    return out;
}

}  // namespace tn::plot::palette
