// The bodies of plot/contour.hpp: inline in a header-only build, compiled once
// into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cmath>

#include "typenet/plot/contour.hpp"

namespace tn::plot {

TYPENET_INLINE std::vector<ContourSegment> contour_segments(const ScalarField& field, double level) {
    std::vector<ContourSegment> segments;
    const std::size_t n = field.cells;
    if (n == 0 || field.values.size() != (n + 1) * (n + 1) || !std::isfinite(level)) return segments;
    const double l = level;
    const auto cross = [&](double xa, double ya, double va, double xb, double yb, double vb) {
        const double t = (va == vb) ? 0.5 : std::clamp((l - va) / (vb - va), 0.0, 1.0);
        return ContourPoint{xa + t * (xb - xa), ya + t * (yb - ya)};
    };
    const auto segment = [&](ContourPoint a, ContourPoint b) { segments.emplace_back(a, b); };
    for (std::size_t j = 0; j < n; ++j)
        for (std::size_t i = 0; i < n; ++i) {
            const double x0 = field.x(i), x1 = field.x(i + 1), y0 = field.y(j), y1 = field.y(j + 1);
            const double a = field.at(i, j), b = field.at(i + 1, j), c = field.at(i + 1, j + 1),
                         e = field.at(i, j + 1);  // corners counter-clockwise from bottom left
            if (!std::isfinite(a) || !std::isfinite(b) || !std::isfinite(c) || !std::isfinite(e)) continue;
            const int mask = (a >= l) | (b >= l) << 1 | (c >= l) << 2 | (e >= l) << 3;
            if (mask == 0 || mask == 15) continue;
            const ContourPoint bottom = cross(x0, y0, a, x1, y0, b), right = cross(x1, y0, b, x1, y1, c),
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

TYPENET_INLINE void ContourPlot::check_view(double x_min, double x_max, double y_min, double y_max,
                                            std::size_t resolution) const {
    if (!(x_min < x_max) || !(y_min < y_max) || !std::isfinite(x_max - x_min) || !std::isfinite(y_max - y_min))
        throw std::invalid_argument(describe() + ": set_field needs x_min < x_max and y_min < y_max, got x [" +
                                    number(x_min, 4) + ", " + number(x_max, 4) + "], y [" + number(y_min, 4) + ", " +
                                    number(y_max, 4) + "]");
    if (resolution < 2 || resolution > 2000)
        throw std::invalid_argument(describe() + ": set_field resolution must be in [2, 2000], got " +
                                    std::to_string(resolution));
}

TYPENET_INLINE void ContourPlot::set_levels(std::vector<double> values) {
    for (double v : values)
        if (!std::isfinite(v)) throw std::invalid_argument(describe() + ": a level must be finite, got " + number(v, 6));
    std::sort(values.begin(), values.end());
    levels = std::move(values);
}

TYPENET_INLINE void ContourPlot::set_log_levels(double lo, double hi, std::size_t count) {
    if (!(lo > 0) || !(hi > lo) || !std::isfinite(hi) || count < 2)
        throw std::invalid_argument(describe() + ": set_log_levels needs 0 < lo < hi and at least 2 levels, got lo " +
                                    number(lo, 6) + ", hi " + number(hi, 6) + ", count " + std::to_string(count));
    std::vector<double> v;
    const double step = std::log(hi / lo) / double(count - 1);
    for (std::size_t k = 0; k < count; ++k) v.push_back(lo * std::exp(step * double(k)));
    v.back() = hi;  // exactly, whatever the rounding of exp
    levels = std::move(v);
}

TYPENET_INLINE std::vector<double> ContourPlot::levels_to_draw() const {
    if (!levels.empty()) return levels;
    double lo = INFINITY, hi = -INFINITY;
    for (double v : field.values)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    std::vector<double> out;
    if (!(lo < hi)) return out;
    for (int k = 1; k <= 10; ++k) out.push_back(lo + (hi - lo) * double(k) / 11.0);
    return out;
}

TYPENET_INLINE std::string ContourPlot::svg() const {
    Svg doc(width, height);
    render(doc, {0, 0, width, height});
    return doc.str();
}

TYPENET_INLINE std::vector<LegendEntry> ContourPlot::legend_entries() const {
    std::vector<LegendEntry> out;
    if (field.cells > 0 && !levels_label.empty()) out.push_back({levels_label, "#777777", true, "", 1, false, 0});
    for (const Path& p : paths)
        if (!p.name.empty()) out.push_back({p.name, palette::line(p.colour), true, "", 2, true, p.colour % marker_shapes});
    for (const Marked& m : points)
        if (!m.name.empty()) out.push_back({m.name, "#111111", false, "", 0, true, 3});
    return out;
}

TYPENET_INLINE void ContourPlot::render(Svg& svg, Rect outer) const {
    const std::vector<LegendEntry> legend = legend_entries();
    const Rect legend_size = legend_box(legend);
    // The field fixes the view; without one, the paths and points do.
    double x_lo = field.x_min, x_hi = field.x_max, y_lo = field.y_min, y_hi = field.y_max;
    if (field.cells == 0) {
        x_lo = y_lo = INFINITY, x_hi = y_hi = -INFINITY;
        const auto cover = [&](double x, double y) {
            if (!std::isfinite(x) || !std::isfinite(y)) return;
            x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x), y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y);
        };
        for (const Path& p : paths)
            for (std::size_t i = 0; i < p.x.size(); ++i) cover(p.x[i], p.y[i]);
        for (const Marked& m : points) cover(m.x, m.y);
        if (!(x_lo < x_hi)) x_lo -= 1, x_hi += 1;
        if (!(y_lo < y_hi)) y_lo -= 1, y_hi += 1;
    }
    // Ticks inside the view, which ends exactly at its limits.
    const auto inside = [](double lo, double hi) {
        const Ticks t = nice_ticks(lo, hi);
        Ticks kept{lo, hi, {}, {}};
        const double eps = 1e-9 * (hi - lo);
        for (std::size_t i = 0; i < t.values.size(); ++i)
            if (t.values[i] >= lo - eps && t.values[i] <= hi + eps) {
                kept.values.push_back(t.values[i]);
                kept.labels.push_back(t.labels[i]);
            }
        return kept;
    };
    const Frame f = make_frame(outer, inside(x_lo, x_hi), false, inside(y_lo, y_hi), false, title, x_label, y_label,
                               legend.empty() ? 0 : legend_size.w + 12);
    draw_grid(svg, f);
    const std::string clip = svg.clip_rect(f.area.x, f.area.y, f.area.w, f.area.h);
    svg.open_group("clip-path=\"url(#" + clip + ")\"");
    draw_levels(svg, f);
    draw_paths(svg, f);
    svg.close_group();
    for (const Marked& m : points)
        if (std::isfinite(m.x) && std::isfinite(m.y) && f.area.contains(f.x(m.x), f.y(m.y)))
            draw_marker(svg, 3, f.x(m.x), f.y(m.y), 6, "fill=\"#111111\" stroke=\"#ffffff\" stroke-width=\"1\"");
    draw_frame(svg, f);
    if (!legend.empty()) draw_legend(svg, {f.area.right() + 12, f.area.y, legend_size.w, legend_size.h}, legend);
}

TYPENET_INLINE void ContourPlot::draw_levels(Svg& svg, const Frame& f) const {
    if (field.cells == 0) return;
    const std::vector<double> drawn = levels_to_draw();
    for (std::size_t k = 0; k < drawn.size(); ++k) {
        PathData d;
        for (const auto& [a, b] : contour_segments(field, drawn[k])) d.move(f.x(a.x), f.y(a.y)).line(f.x(b.x), f.y(b.y));
        // Light for the lowest level, dark for the highest.
        const double shade = drawn.size() > 1 ? double(k) / double(drawn.size() - 1) : 0.5;
        svg.path(d.d, "fill=\"none\" stroke=\"" + palette::tint("#222222", 0.25 + 0.55 * shade) +
                          "\" stroke-width=\"1\" stroke-linecap=\"round\"");
    }
}

TYPENET_INLINE void ContourPlot::draw_paths(Svg& svg, const Frame& f) const {
    for (const Path& p : paths) {
        const char* colour = palette::line(p.colour);
        PathData d;
        bool pen_down = false;
        double last_px = 0, last_py = 0;
        std::size_t first = p.x.size(), last = 0;
        for (std::size_t i = 0; i < p.x.size(); ++i) {
            if (!std::isfinite(p.x[i]) || !std::isfinite(p.y[i])) {
                pen_down = false;
                continue;
            }
            first = std::min(first, i), last = i;
            const double px = f.x(p.x[i]), py = f.y(p.y[i]);
            // Thousands of optimizer steps crowd into a few pixels near the end: drop
            // points within a quarter pixel of the last one drawn (the last always stays).
            const bool next_finite = i + 1 < p.x.size() && std::isfinite(p.x[i + 1]) && std::isfinite(p.y[i + 1]);
            if (pen_down && next_finite && std::abs(px - last_px) < 0.25 && std::abs(py - last_py) < 0.25) continue;
            if (pen_down) d.line(px, py);
            else d.move(px, py);
            last_px = px, last_py = py;
            pen_down = true;
        }
        if (first > last) continue;  // no finite point at all
        svg.path(d.d, "fill=\"none\" stroke=\"" + std::string(colour) +
                          "\" stroke-width=\"2\" stroke-opacity=\"0.9\" stroke-linejoin=\"round\"");
        // Where it starts: a hollow circle; where it ends: the path's own marker.
        svg.circle(f.x(p.x[first]), f.y(p.y[first]), 4.5,
                   "fill=\"#ffffff\" stroke=\"" + std::string(colour) + "\" stroke-width=\"2\"");
        draw_marker(svg, p.colour % marker_shapes, f.x(p.x[last]), f.y(p.y[last]), 4.5,
                    "fill=\"" + std::string(colour) + "\" stroke=\"#ffffff\" stroke-width=\"0.9\"");
    }
}

}  // namespace tn::plot
