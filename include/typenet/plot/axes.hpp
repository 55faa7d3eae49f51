// What every chart shares: the mapping from data to pixels, the frame with its grid,
// ticks and labels, the marker shapes, and the legend (placed in the emptiest corner
// unless the chart asks for it outside).
#pragma once
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/plot/palette.hpp"
#include "typenet/plot/svg.hpp"
#include "typenet/plot/ticks.hpp"

namespace tn::plot {

struct Rect {
    double x = 0, y = 0, w = 0, h = 0;
    double right() const { return x + w; }
    double bottom() const { return y + h; }
    bool contains(double px, double py) const { return px >= x && px <= right() && py >= y && py <= bottom(); }
};

// One axis: its ticks and where its limits land in pixels (`from` for ticks.lo).
struct Axis {
    Ticks ticks;
    bool log = false;
    double from = 0, to = 1;
    double operator()(double v) const {
        const double t = log ? (std::log10(v) - std::log10(ticks.lo)) / (std::log10(ticks.hi) - std::log10(ticks.lo))
                             : (v - ticks.lo) / (ticks.hi - ticks.lo);
        return from + t * (to - from);
    }
};

// Rough width of a label in DejaVu Sans: good enough to leave room for it.
TYPENET_INLINE double text_width(const std::string& s, double font_size);

namespace font {
inline constexpr double title = 15, label = 12.5, tick = 11, legend = 11.5;
}

// The plot area inside `outer`, and the axes mapped onto it.
struct Frame {
    Rect outer, area;
    Axis x, y;
    std::string title, x_label, y_label;
};

// Lays out a panel: room on the left for the y tick labels and label, below for the
// x ticks and label, above for the title, and `right_reserve` pixels on the right
// (an outside legend).
TYPENET_INLINE Frame make_frame(Rect outer, Ticks x_ticks, bool x_log, Ticks y_ticks, bool y_log, std::string title,
                                std::string x_label, std::string y_label, double right_reserve = 0);

// Grid lines go under the data...
TYPENET_INLINE void draw_grid(Svg& svg, const Frame& f);

// ... and the frame, ticks and labels over it.
TYPENET_INLINE void draw_frame(Svg& svg, const Frame& f);

// Marker shapes, so that classes differ by more than colour.
inline constexpr std::size_t marker_shapes = 5;
TYPENET_INLINE void draw_marker(Svg& svg, std::size_t shape, double x, double y, double r, std::string_view style);

// One legend row: a line sample (solid or dashed), a marker, or both.
struct LegendEntry {
    std::string label;
    std::string colour;
    bool line = true;
    std::string dash;                  // stroke-dasharray, empty for solid
    double line_width = 2;
    bool marker = false;
    std::size_t marker_shape = 0;
};

TYPENET_INLINE Rect legend_box(const std::vector<LegendEntry>& entries);
TYPENET_INLINE void draw_legend(Svg& svg, Rect box, const std::vector<LegendEntry>& entries);

// The corner of `area` where a legend of `size` covers the fewest of `occupied`
// pixel positions (ties: top right, top left, bottom right, bottom left).
TYPENET_INLINE Rect place_legend(const Rect& area, Rect size, const std::vector<std::pair<double, double>>& occupied);

}  // namespace tn::plot

#if TYPENET_DEFINE_BODIES
#include "typenet/plot/axes.ipp"
#endif
