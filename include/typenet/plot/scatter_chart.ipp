// The bodies of plot/scatter_chart.hpp: inline in a header-only build, compiled once
// into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cmath>

#include "typenet/plot/scatter_chart.hpp"

namespace tn::plot {

TYPENET_INLINE std::size_t ScatterChart::drawn_points() const {
    std::size_t n = 0;
    for (const auto& g : groups)
        for (std::size_t i = 0; i < g.x.size(); ++i) n += usable(g.x[i], g.y[i]);
    return n;
}

TYPENET_INLINE void ScatterChart::render(Svg& svg, Rect outer) const {
    check_log_scale();
    auto [x_ticks, y_ticks] = axis_ticks();
    std::vector<LegendEntry> legend;
    for (const auto& g : groups)
        if (!g.name.empty())
            legend.push_back({g.name, palette::line(g.colour), false, {}, 2, true, g.colour % marker_shapes});
    const Rect legend_size = legend_box(legend);
    Frame f = make_frame(outer, x_ticks, log_x, y_ticks, log_y, title, x_label, y_label);
    Rect legend_at = place_legend(f.area, legend_size, pixels(f));
    if (!legend.empty() && covered(legend_at, pixels(f)) > 0) {
        f = make_frame(outer, std::move(x_ticks), log_x, std::move(y_ticks), log_y, title, x_label, y_label,
                       legend_size.w + 12);
        legend_at = {f.area.right() + 12, f.area.y, legend_size.w, legend_size.h};
    }
    draw_grid(svg, f);
    for (const auto& g : groups) {
        const std::string style =
            "fill=\"" + std::string(palette::line(g.colour)) + "\" fill-opacity=\"0.85\" stroke=\"#ffffff\" stroke-width=\"0.8\"";
        for (std::size_t i = 0; i < g.x.size(); ++i)
            if (usable(g.x[i], g.y[i]))
                draw_marker(svg, g.colour % marker_shapes, f.x(g.x[i]), f.y(g.y[i]), g.radius, style);
    }
    for (const Mark& m : marks) {
        if (!usable(m.x, m.y)) continue;
        const double px = f.x(m.x), py = f.y(m.y);
        svg.circle(px, py, 9, "fill=\"none\" stroke=\"#222222\" stroke-width=\"1.5\"");
        // The label goes on the side of the point with more room.
        const bool left = px > f.area.x + f.area.w * 0.7;
        svg.text(left ? px - 13 : px + 13, py - 11, m.label, font::legend,
                 left ? Svg::Anchor::end : Svg::Anchor::start, "font-weight=\"bold\"");
    }
    draw_frame(svg, f);
    if (!legend.empty()) draw_legend(svg, legend_at, legend);
}

TYPENET_INLINE std::string ScatterChart::svg() const {
    Svg doc(width, height);
    render(doc, {0, 0, width, height});
    return doc.str();
}

TYPENET_INLINE void ScatterChart::check_log_scale() const {
    for (const auto& g : groups)
        for (std::size_t i = 0; i < g.x.size(); ++i) {
            if (!std::isfinite(g.x[i]) || !std::isfinite(g.y[i])) continue;
            if ((log_x && g.x[i] <= 0) || (log_y && g.y[i] <= 0))
                throw std::invalid_argument(describe() + ": a log axis needs values > 0, but group '" + g.name +
                                            "' has the point (" + number(g.x[i], 6) + ", " + number(g.y[i], 6) +
                                            ") (point " + std::to_string(i + 1) + ")");
        }
}

TYPENET_INLINE std::pair<Ticks, Ticks> ScatterChart::axis_ticks() const {
    double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
    const auto take = [&](double x, double y) {
        if (!usable(x, y)) return;
        x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x);
        y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y);
    };
    for (const auto& g : groups)
        for (std::size_t i = 0; i < g.x.size(); ++i) take(g.x[i], g.y[i]);
    for (const Mark& m : marks) take(m.x, m.y);
    if (x_lo > x_hi) x_lo = log_x ? 0.1 : 0, x_hi = 1;  // nothing to plot: an empty frame
    if (y_lo > y_hi) y_lo = log_y ? 0.1 : 0, y_hi = 1;
    return {padded(x_lo, x_hi, log_x), padded(y_lo, y_hi, log_y)};
}

TYPENET_INLINE Ticks ScatterChart::padded(double lo, double hi, bool log) {
    Ticks t = log ? log_ticks(lo, hi) : nice_ticks(lo, hi);
    const auto to_axis = [&](double v) { return log ? std::log10(v) : v; };
    const auto from_axis = [&](double v) { return log ? std::pow(10.0, v) : v; };
    const double pad = 0.04 * (to_axis(t.hi) - to_axis(t.lo));
    t.lo = from_axis(to_axis(t.lo) - pad);
    t.hi = from_axis(to_axis(t.hi) + pad);
    return t;
}

TYPENET_INLINE std::vector<std::pair<double, double>> ScatterChart::pixels(const Frame& f) const {
    std::vector<std::pair<double, double>> out;
    for (const auto& g : groups)
        for (std::size_t i = 0; i < g.x.size(); ++i)
            if (usable(g.x[i], g.y[i])) out.emplace_back(f.x(g.x[i]), f.y(g.y[i]));
    for (const Mark& m : marks)
        if (usable(m.x, m.y)) out.emplace_back(f.x(m.x), f.y(m.y));
    return out;
}

TYPENET_INLINE std::size_t ScatterChart::covered(const Rect& box,
                                                 const std::vector<std::pair<double, double>>& points) {
    const Rect grown{box.x - 6, box.y - 6, box.w + 12, box.h + 12};
    std::size_t n = 0;
    for (const auto& [px, py] : points) n += grown.contains(px, py);
    return n;
}

}  // namespace tn::plot
