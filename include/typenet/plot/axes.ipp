// The bodies of plot/axes.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>

#include "typenet/plot/axes.hpp"

namespace tn::plot {

TYPENET_INLINE double text_width(const std::string& s, double font_size) {
    std::size_t glyphs = 0;
    for (unsigned char c : s) glyphs += (c & 0xC0) != 0x80;  // count UTF-8 code points
    return double(glyphs) * 0.6 * font_size;
}

TYPENET_INLINE Frame make_frame(Rect outer, Ticks x_ticks, bool x_log, Ticks y_ticks, bool y_log, std::string title,
                                std::string x_label, std::string y_label, double right_reserve) {
    double widest = 0;
    for (const auto& l : y_ticks.labels) widest = std::max(widest, text_width(l, font::tick));
    Frame f;
    f.outer = outer;
    const double left = 12 + (y_label.empty() ? 0 : 22) + widest + 8;
    const double top = title.empty() ? 16 : 40;
    const double bottom = x_label.empty() ? 30 : 50;
    const double right = 20 + right_reserve;
    f.area = {outer.x + left, outer.y + top, std::max(outer.w - left - right, 40.0), std::max(outer.h - top - bottom, 40.0)};
    f.x = {std::move(x_ticks), x_log, f.area.x, f.area.right()};
    f.y = {std::move(y_ticks), y_log, f.area.bottom(), f.area.y};
    f.title = std::move(title);
    f.x_label = std::move(x_label);
    f.y_label = std::move(y_label);
    return f;
}

TYPENET_INLINE void draw_grid(Svg& svg, const Frame& f) {
    PathData p;
    for (double v : f.x.ticks.values) p.move(f.x(v), f.area.y).vertical(f.area.bottom());
    for (double v : f.y.ticks.values) p.move(f.area.x, f.y(v)).horizontal(f.area.right());
    svg.path(p.d, std::string("fill=\"none\" stroke=\"") + palette::grid + "\" stroke-width=\"1\"");
}

TYPENET_INLINE void draw_frame(Svg& svg, const Frame& f) {
    const Rect& a = f.area;
    svg.rect(a.x, a.y, a.w, a.h, std::string("fill=\"none\" stroke=\"") + palette::frame + "\" stroke-width=\"1\"");
    PathData d;
    // x ticks: thin out the labels when they would collide.
    const auto& xt = f.x.ticks;
    double widest = 0;
    for (const auto& l : xt.labels) widest = std::max(widest, text_width(l, font::tick));
    const double spacing = xt.values.size() > 1 ? a.w / double(xt.values.size() - 1) : a.w;
    const std::size_t every = std::max<std::size_t>(1, std::size_t(std::ceil((widest + 10) / std::max(spacing, 1.0))));
    for (std::size_t i = 0; i < xt.values.size(); ++i) {
        const double px = f.x(xt.values[i]);
        d.move(px, a.bottom()).relative_vertical(5);
        if (i % every == 0)
            svg.text(px, a.bottom() + 15, xt.labels[i], font::tick, Svg::Anchor::middle, "fill=\"#444444\"");
    }
    for (std::size_t i = 0; i < f.y.ticks.values.size(); ++i) {
        const double py = f.y(f.y.ticks.values[i]);
        d.move(a.x, py).relative_horizontal(-5);
        svg.text(a.x - 8, py, f.y.ticks.labels[i], font::tick, Svg::Anchor::end, "fill=\"#444444\"");
    }
    svg.path(d.d, std::string("fill=\"none\" stroke=\"") + palette::frame + "\" stroke-width=\"1\"");
    if (!f.title.empty())
        svg.text(a.x + a.w / 2, f.outer.y + 20, f.title, font::title, Svg::Anchor::middle, "font-weight=\"bold\"");
    if (!f.x_label.empty())
        svg.text(a.x + a.w / 2, a.bottom() + 36, f.x_label, font::label, Svg::Anchor::middle);
    if (!f.y_label.empty()) {
        const double x = f.outer.x + 18, y = a.y + a.h / 2;
        svg.text(x, y, f.y_label, font::label, Svg::Anchor::middle,
                 "transform=\"rotate(-90 " + number(x) + " " + number(y) + ")\"");
    }
}

TYPENET_INLINE void draw_marker(Svg& svg, std::size_t shape, double x, double y, double r, std::string_view style) {
    switch (shape % marker_shapes) {
        case 0: svg.circle(x, y, r, style); break;
        case 1: svg.rect(x - 0.88 * r, y - 0.88 * r, 1.76 * r, 1.76 * r, style); break;
        case 2:  // triangle, pointing up
            svg.path(PathData{}.move(x, y - 1.2 * r).line(x + 1.1 * r, y + 0.75 * r).line(x - 1.1 * r, y + 0.75 * r).close().d,
                     style);
            break;
        case 3:  // diamond
            svg.path(PathData{}.move(x, y - 1.25 * r).line(x + 1.25 * r, y).line(x, y + 1.25 * r).line(x - 1.25 * r, y).close().d,
                     style);
            break;
        default:  // triangle, pointing down
            svg.path(PathData{}.move(x, y + 1.2 * r).line(x + 1.1 * r, y - 0.75 * r).line(x - 1.1 * r, y - 0.75 * r).close().d,
                     style);
    }
}

namespace detail {
inline constexpr double legend_row = 18, legend_sample = 28, legend_pad = 8;
}

TYPENET_INLINE Rect legend_box(const std::vector<LegendEntry>& entries) {
    double widest = 0;
    for (const auto& e : entries) widest = std::max(widest, text_width(e.label, font::legend));
    return {0, 0, detail::legend_pad * 2 + detail::legend_sample + 6 + widest,
            detail::legend_pad * 2 + detail::legend_row * double(entries.size()) - 4};
}

TYPENET_INLINE void draw_legend(Svg& svg, Rect box, const std::vector<LegendEntry>& entries) {
    using namespace detail;
    svg.rect(box.x, box.y, box.w, box.h,
             "rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.88\" stroke=\"#cccccc\" stroke-width=\"1\"");
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        const double cy = box.y + legend_pad + 7 + legend_row * double(i);
        const double x0 = box.x + legend_pad, x1 = x0 + legend_sample;
        if (e.line) {
            std::string style = "stroke=\"" + e.colour + "\" stroke-width=\"" + number(e.line_width) + "\"";
            if (!e.dash.empty()) style += " stroke-dasharray=\"" + e.dash + "\"";
            svg.line(x0, cy, x1, cy, style);
        }
        if (e.marker)
            draw_marker(svg, e.marker_shape, (x0 + x1) / 2, cy, 4.2,
                        "fill=\"" + e.colour + "\" stroke=\"#ffffff\" stroke-width=\"0.8\"");
        svg.text(x1 + 6, cy, e.label, font::legend);
    }
}

TYPENET_INLINE Rect place_legend(const Rect& area, Rect size, const std::vector<std::pair<double, double>>& occupied) {
    const double inset = 8;
    const Rect corners[] = {
        {area.right() - inset - size.w, area.y + inset, size.w, size.h},
        {area.x + inset, area.y + inset, size.w, size.h},
        {area.right() - inset - size.w, area.bottom() - inset - size.h, size.w, size.h},
        {area.x + inset, area.bottom() - inset - size.h, size.w, size.h},
    };
    Rect best = corners[0];
    std::size_t fewest = static_cast<std::size_t>(-1);
    for (const Rect& c : corners) {
        // A small margin around the box, so a line grazing it counts as covered.
        const Rect grown{c.x - 4, c.y - 4, c.w + 8, c.h + 8};
        std::size_t n = 0;
        for (const auto& [px, py] : occupied) n += grown.contains(px, py);
        if (n < fewest) fewest = n, best = c;
    }
    return best;
}

}  // namespace tn::plot
