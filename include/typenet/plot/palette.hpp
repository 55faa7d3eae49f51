// Colours that stay distinct for colour-blind readers: the Okabe-Ito palette
// (Okabe & Ito 2008, "Color Universal Design"), the one Nature Methods recommends.
// Lines and classes also differ by dash pattern and marker shape, so a chart still
// reads in greyscale.
#pragma once
#include <cstddef>
#include <string>

#include "typenet/config.hpp"

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
TYPENET_INLINE std::string tint(const char* hex, double amount);

}  // namespace tn::plot::palette

#if TYPENET_DEFINE_BODIES
#include "typenet/plot/palette.ipp"
#endif
