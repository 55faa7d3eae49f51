// The bodies of plot/decision_map.hpp: inline in a header-only build, compiled once
// into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cmath>

#include "typenet/plot/decision_map.hpp"

namespace tn::plot {

TYPENET_INLINE DecisionMap::Line& DecisionMap::add_line(std::string name, double x0, double y0, double x1,
                                                        double y1) {
    Line l;
    l.name = std::move(name);
    l.x0 = x0, l.y0 = y0, l.x1 = x1, l.y1 = y1;
    const std::size_t k = lines.size() % 4;
    l.colour = line_colours[k];
    l.dash = line_dashes[k];
    lines.push_back(std::move(l));
    return lines.back();
}

TYPENET_INLINE std::vector<std::pair<DecisionMap::Point, DecisionMap::Point>> DecisionMap::boundary() const {
    std::vector<std::pair<Point, Point>> segments;
    const std::size_t n = field.cells;
    const double l = boundary_level;
    const auto cross = [&](double xa, double ya, double va, double xb, double yb, double vb) {
        const double t = (va == vb) ? 0.5 : std::clamp((l - va) / (vb - va), 0.0, 1.0);
        return Point{xa + t * (xb - xa), ya + t * (yb - ya)};
    };
    const auto segment = [&](Point a, Point b) { segments.emplace_back(a, b); };
    for (std::size_t j = 0; j < n; ++j)
        for (std::size_t i = 0; i < n; ++i) {
            const double x0 = field.x(i), x1 = field.x(i + 1), y0 = field.y(j), y1 = field.y(j + 1);
            const double a = field.at(i, j), b = field.at(i + 1, j), c = field.at(i + 1, j + 1),
                         e = field.at(i, j + 1);  // corners counter-clockwise from bottom left
            if (!std::isfinite(a) || !std::isfinite(b) || !std::isfinite(c) || !std::isfinite(e)) continue;
            const int mask = (a >= l) | (b >= l) << 1 | (c >= l) << 2 | (e >= l) << 3;
            if (mask == 0 || mask == 15) continue;
            const Point bottom = cross(x0, y0, a, x1, y0, b), right = cross(x1, y0, b, x1, y1, c),
                        top = cross(x1, y1, c, x0, y1, e), left = cross(x0, y1, e, x0, y0, a);
            switch (mask) {
                case 1: case 14: segment(left, bottom); break;
                case 2: case 13: segment(bottom, right); break;
                case 3: case 12: segment(left, right); break;
                case 4: case 11: segment(right, top); break;
                case 6: case 9: segment(bottom, top); break;
                case 7: case 8: segment(left, top); break;
                default: {  // 5 or 10, a saddle: the centre value decides which corners connect
                    const bool centre_above = (a + b + c + e) / 4 >= l;
                    if ((mask == 5) == centre_above) segment(left, top), segment(bottom, right);
                    else segment(left, bottom), segment(right, top);
                }
            }
        }
    return segments;
}

TYPENET_INLINE std::string DecisionMap::svg() const {
    Svg doc(width, height);
    render(doc, {0, 0, width, height});
    return doc.str();
}

TYPENET_INLINE void DecisionMap::render(Svg& svg, Rect outer) const {
    const std::vector<LegendEntry> legend = legend_entries();
    const Rect legend_size = legend_box(legend);
    auto [x_ticks, y_ticks] = axis_ticks();
    const Frame f = make_frame(outer, std::move(x_ticks), false, std::move(y_ticks), false, title, x_label,
                               y_label, legend.empty() ? 0 : legend_size.w + 12);
    const std::string clip = svg.clip_rect(f.area.x, f.area.y, f.area.w, f.area.h);
    svg.open_group("clip-path=\"url(#" + clip + ")\"");
    if (has_field()) draw_field(svg, f);
    else draw_grid(svg, f);
    svg.close_group();
    if (has_field()) draw_grid_over_field(svg, f);
    svg.open_group("clip-path=\"url(#" + clip + ")\"");
    if (has_field() && show_boundary) draw_boundary(svg, f);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const Line& l = lines[i];
        svg.line(f.x(l.x0), f.y(l.y0), f.x(l.x1), f.y(l.y1), line_style(l));
    }
    svg.close_group();
    for (const PointSet& p : point_sets) {
        const std::string style = "fill=\"" + std::string(palette::for_class(p.class_index)) +
                                  "\" stroke=\"#ffffff\" stroke-width=\"0.9\"";
        const double r = radius();
        for (std::size_t i = 0; i < p.x.size(); ++i) {
            if (!std::isfinite(p.x[i]) || !std::isfinite(p.y[i])) continue;
            const double px = f.x(p.x[i]), py = f.y(p.y[i]);
            if (f.area.contains(px, py)) draw_marker(svg, p.class_index, px, py, r, style);
        }
    }
    draw_frame(svg, f);
    if (!legend.empty()) draw_legend(svg, {f.area.right() + 12, f.area.y, legend_size.w, legend_size.h}, legend);
}

TYPENET_INLINE double DecisionMap::radius() const {
    std::size_t n = 0;
    for (const auto& p : point_sets) n += p.x.size();
    return n > 1500 ? 2.6 : n > 400 ? 3.3 : n > 40 ? 4.2 : 6;
}

TYPENET_INLINE std::string DecisionMap::line_style(const Line& l) {
    std::string style = "stroke=\"" + l.colour + "\" stroke-width=\"" + number(l.width) + "\"";
    if (!l.dash.empty()) style += " stroke-dasharray=\"" + l.dash + "\"";
    if (l.opacity < 1) style += " stroke-opacity=\"" + number(l.opacity) + "\"";
    return style;
}

TYPENET_INLINE std::vector<LegendEntry> DecisionMap::legend_entries() const {
    std::vector<LegendEntry> out;
    for (const PointSet& p : point_sets)
        if (!p.name.empty())
            out.push_back({p.name, palette::for_class(p.class_index), false, "", 0, true, p.class_index});
    if (has_field() && show_boundary && !boundary_label.empty()) out.push_back({boundary_label, "#222222", true, "", 2, false, 0});
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (!lines[i].name.empty())
            out.push_back({lines[i].name, lines[i].colour, true, lines[i].dash, lines[i].width, false, 0});
    return out;
}

TYPENET_INLINE std::pair<Ticks, Ticks> DecisionMap::axis_ticks() const {
    if (has_field())  // the field fixes the view; ticks inside it
        return {inside(nice_ticks(field.x_min, field.x_max), field.x_min, field.x_max),
                inside(nice_ticks(field.y_min, field.y_max), field.y_min, field.y_max)};
    double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
    for (const PointSet& p : point_sets)
        for (std::size_t i = 0; i < p.x.size(); ++i) {
            if (!std::isfinite(p.x[i]) || !std::isfinite(p.y[i])) continue;
            x_lo = std::min(x_lo, p.x[i]), x_hi = std::max(x_hi, p.x[i]);
            y_lo = std::min(y_lo, p.y[i]), y_hi = std::max(y_hi, p.y[i]);
        }
    if (x_lo > x_hi) x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;
    const double px = 0.05 * (x_hi - x_lo), py = 0.05 * (y_hi - y_lo);
    return {nice_ticks(x_lo - px, x_hi + px), nice_ticks(y_lo - py, y_hi + py)};
}

TYPENET_INLINE Ticks DecisionMap::inside(const Ticks& t, double lo, double hi) {
    Ticks kept{lo, hi, {}, {}};
    const double eps = 1e-9 * (hi - lo);
    for (std::size_t i = 0; i < t.values.size(); ++i)
        if (t.values[i] >= lo - eps && t.values[i] <= hi + eps) {
            kept.values.push_back(t.values[i]);
            kept.labels.push_back(t.labels[i]);
        }
    return kept;
}

TYPENET_INLINE void DecisionMap::draw_field(Svg& svg, const Frame& f) const {
    constexpr int steps = 10;
    const std::size_t n = field.cells;
    const auto shade = [&](int tint_level) -> std::string {  // in [-steps, steps]
        if (tint_level == 0) return "#ffffff";
        return palette::tint(palette::for_class(tint_level < 0 ? 0 : 1), 0.36 * std::abs(tint_level) / steps);
    };
    // -steps at 0, 0 at the boundary level, +steps at 1.
    const double l = std::clamp(boundary_level, 1e-6, 1 - 1e-6);
    const auto quantise = [&](double v) {
        v = std::clamp(v, 0.0, 1.0);
        return int(std::lround(v < l ? -(l - v) / l * steps : (v - l) / (1 - l) * steps));
    };
    const double cell_w = f.area.w / double(n), cell_h = f.area.h / double(n);
    for (std::size_t j = 0; j < n; ++j) {
        // Row j spans y(j) .. y(j + 1), drawn upward from the bottom; overlap by
        // half a pixel so no seam shows between rows.
        const double top = f.area.bottom() - double(j + 1) * cell_h;
        int run_level = 0;
        std::size_t run_start = 0;
        bool in_run = false;
        for (std::size_t i = 0; i <= n; ++i) {
            bool valid = false;
            int cell_level = 0;
            if (i < n) {
                const double v = 0.25 * (field.at(i, j) + field.at(i + 1, j) + field.at(i, j + 1) +
                                         field.at(i + 1, j + 1));
                valid = std::isfinite(v);
                if (valid) cell_level = quantise(v);
            }
            if (in_run && (!valid || cell_level != run_level || i == n)) {
                if (run_level != 0)
                    svg.rect(f.area.x + double(run_start) * cell_w, top, double(i - run_start) * cell_w + 0.5,
                             cell_h + 0.5, "fill=\"" + shade(run_level) + "\"");
                in_run = false;
            }
            if (valid && !in_run) in_run = true, run_start = i, run_level = cell_level;
        }
    }
}

TYPENET_INLINE void DecisionMap::draw_grid_over_field(Svg& svg, const Frame& f) const {
    PathData d;
    for (double v : f.x.ticks.values) d.move(f.x(v), f.area.y).vertical(f.area.bottom());
    for (double v : f.y.ticks.values) d.move(f.area.x, f.y(v)).horizontal(f.area.right());
    svg.path(d.d, "fill=\"none\" stroke=\"#000000\" stroke-opacity=\"0.07\" stroke-width=\"1\"");
}

TYPENET_INLINE void DecisionMap::draw_boundary(Svg& svg, const Frame& f) const {
    PathData d;
    for (const auto& [a, b] : boundary()) d.move(f.x(a.x), f.y(a.y)).line(f.x(b.x), f.y(b.y));
    svg.path(d.d, "fill=\"none\" stroke=\"#222222\" stroke-width=\"2\" stroke-linecap=\"round\"");
}

}  // namespace tn::plot
