// The bodies of plot/line_chart.hpp: inline in a header-only build, compiled once
// into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cmath>

#include "typenet/plot/line_chart.hpp"

namespace tn::plot {

TYPENET_INLINE void LineChart::render(Svg& svg, Rect outer) const {
    check_log_scale();
    auto [x_ticks, y_ticks] = axis_ticks();
    std::vector<LegendEntry> legend;
    for (const Series& s : series)
        if (!s.name.empty())
            legend.push_back({s.name, palette::line(s.colour), true, s.dash, s.width, shows_markers(s),
                              s.colour % marker_shapes});
    const Rect legend_size = legend_box(legend);
    Frame f = make_frame(outer, x_ticks, log_x, y_ticks, log_y, title, x_label, y_label);
    // The legend goes in the emptiest corner; when every corner would hide part
    // of a line, it moves outside, to the right of the plot.
    const auto taken = occupied(f);
    Rect legend_at = place_legend(f.area, legend_size, taken);
    if (!legend.empty() && (legend_position == Legend::outside ||
                            (legend_position == Legend::automatic && covered(legend_at, taken) > 2))) {
        f = make_frame(outer, std::move(x_ticks), log_x, std::move(y_ticks), log_y, title, x_label, y_label,
                       legend_size.w + 12);
        legend_at = {f.area.right() + 12, f.area.y, legend_size.w, legend_size.h};
    }
    draw_grid(svg, f);
    const std::string clip = svg.clip_rect(f.area.x - 3, f.area.y - 3, f.area.w + 6, f.area.h + 6);
    svg.open_group("clip-path=\"url(#" + clip + ")\"");
    for (const Series& s : series) draw_series(svg, f, s);
    svg.close_group();
    draw_frame(svg, f);
    if (!legend.empty() && legend_position != Legend::none) draw_legend(svg, legend_at, legend);
}

TYPENET_INLINE std::string LineChart::svg() const {
    Svg doc(width, height);
    render(doc, {0, 0, width, height});
    return doc.str();
}

TYPENET_INLINE void LineChart::check_log_scale() const {
    const auto check = [&](bool log, const char* axis, const std::optional<double>& lo,
                           const std::optional<double>& hi, auto value_of) {
        if (!log) return;
        if ((lo && !(*lo > 0)) || (hi && !(*hi > 0)))
            throw std::invalid_argument(describe() + ": log_" + axis + " needs positive axis limits");
        for (const Series& s : series)
            for (std::size_t i = 0; i < s.y.size(); ++i)
                if (usable(s.x[i]) && usable(s.y[i]) && value_of(s, i) <= 0)
                    throw std::invalid_argument(describe() + ": log_" + axis + " needs values > 0, but series '" +
                                                s.name + "' has y = " + number(s.y[i], 6) + " at x = " +
                                                number(s.x[i], 6) + " (point " + std::to_string(i + 1) +
                                                "); use a linear axis or plot a positive quantity");
    };
    check(log_x, "x", x_min, x_max, [](const Series& s, std::size_t i) { return s.x[i]; });
    check(log_y, "y", y_min, y_max, [](const Series& s, std::size_t i) { return s.y[i]; });
}

TYPENET_INLINE std::pair<Ticks, Ticks> LineChart::axis_ticks() const {
    double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
    for (const Series& s : series)
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!usable(s.x[i]) || !usable(s.y[i])) continue;
            x_lo = std::min(x_lo, s.x[i]), x_hi = std::max(x_hi, s.x[i]);
            // The y range follows the points inside fixed x limits only.
            if ((x_min && s.x[i] < *x_min) || (x_max && s.x[i] > *x_max)) continue;
            y_lo = std::min(y_lo, s.y[i]), y_hi = std::max(y_hi, s.y[i]);
        }
    if (x_lo > x_hi) x_lo = log_x ? 0.1 : 0, x_hi = 1;  // nothing to plot: an empty frame
    if (y_lo > y_hi) y_lo = log_y ? 0.1 : 0, y_hi = 1;
    return {fit(x_min.value_or(x_lo), x_max.value_or(x_hi), x_min.has_value(), x_max.has_value(), log_x),
            fit(y_min.value_or(y_lo), y_max.value_or(y_hi), y_min.has_value(), y_max.has_value(), log_y)};
}

TYPENET_INLINE Ticks LineChart::fit(double lo, double hi, bool fixed_lo, bool fixed_hi, bool log) {
    Ticks t = log ? log_ticks(lo, hi) : nice_ticks(lo, hi);
    const auto to_axis = [&](double v) { return log ? std::log10(v) : v; };
    const auto from_axis = [&](double v) { return log ? std::pow(10.0, v) : v; };
    const double pad = 0.02 * (to_axis(t.hi) - to_axis(t.lo));
    t.lo = fixed_lo ? lo : from_axis(to_axis(t.lo) - pad);
    t.hi = fixed_hi ? hi : from_axis(to_axis(t.hi) + pad);
    Ticks kept{t.lo, t.hi, {}, {}};
    for (std::size_t i = 0; i < t.values.size(); ++i)
        if (t.values[i] >= t.lo - 1e-12 * std::abs(t.lo) && t.values[i] <= t.hi + 1e-12 * std::abs(t.hi)) {
            kept.values.push_back(t.values[i]);
            kept.labels.push_back(t.labels[i]);
        }
    return kept;
}

TYPENET_INLINE bool LineChart::shows_markers(const Series& s) {
    if (s.markers != Markers::automatic) return s.markers == Markers::always;
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.y.size(); ++i) n += usable(s.x[i]) && usable(s.y[i]);
    return n <= 30;
}

TYPENET_INLINE std::vector<std::pair<double, double>> LineChart::occupied(const Frame& f) const {
    std::vector<std::pair<double, double>> out;
    for (const Series& s : series) {
        bool pen_down = false;
        double last_px = 0, last_py = 0;
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!usable(s.x[i]) || !usable(s.y[i])) {
                pen_down = false;
                continue;
            }
            const double px = f.x(s.x[i]), py = f.y(s.y[i]);
            if (pen_down) {
                const double steps = std::min(std::ceil(std::hypot(px - last_px, py - last_py) / 6), 500.0);
                for (double k = 1; k < steps; ++k)
                    out.emplace_back(last_px + (px - last_px) * k / steps, last_py + (py - last_py) * k / steps);
            }
            out.emplace_back(px, py);
            last_px = px, last_py = py;
            pen_down = true;
        }
    }
    return out;
}

TYPENET_INLINE std::size_t LineChart::covered(const Rect& box,
                                              const std::vector<std::pair<double, double>>& points) {
    const Rect grown{box.x - 4, box.y - 4, box.w + 8, box.h + 8};
    std::size_t n = 0;
    for (const auto& [px, py] : points) n += grown.contains(px, py);
    return n;
}

TYPENET_INLINE void LineChart::draw_series(Svg& svg, const Frame& f, const Series& s) {
    const char* colour = palette::line(s.colour);
    PathData d;
    bool pen_down = false;
    double last_px = 0, last_py = 0;
    std::vector<std::pair<double, double>> lone;  // points with no neighbour to join
    for (std::size_t i = 0; i < s.x.size(); ++i) {
        if (!usable(s.x[i]) || !usable(s.y[i])) {
            pen_down = false;
            continue;
        }
        const double px = f.x(s.x[i]), py = f.y(s.y[i]);
        const bool next_usable = i + 1 < s.x.size() && usable(s.x[i + 1]) && usable(s.y[i + 1]);
        if (!pen_down && !next_usable) lone.emplace_back(px, py);
        // Long series: drop points that land on the last drawn point (to a quarter pixel).
        if (pen_down && std::abs(px - last_px) < 0.25 && std::abs(py - last_py) < 0.25 && next_usable) continue;
        if (pen_down) d.line(px, py);
        else d.move(px, py);
        last_px = px, last_py = py;
        pen_down = true;
    }
    std::string style = "fill=\"none\" stroke=\"" + std::string(colour) + "\" stroke-width=\"" + number(s.width) +
                        "\" stroke-linejoin=\"round\" stroke-linecap=\"round\"";
    if (!s.dash.empty()) style += " stroke-dasharray=\"" + s.dash + "\"";
    svg.path(d.d, style);
    const std::string dot = "fill=\"" + std::string(colour) + "\" stroke=\"#ffffff\" stroke-width=\"0.8\"";
    if (shows_markers(s)) {
        for (std::size_t i = 0; i < s.x.size(); ++i)
            if (usable(s.x[i]) && usable(s.y[i]))
                draw_marker(svg, s.colour % marker_shapes, f.x(s.x[i]), f.y(s.y[i]), 3.4, dot);
    } else {
        for (const auto& [px, py] : lone) draw_marker(svg, s.colour % marker_shapes, px, py, 3.4, dot);
    }
}

TYPENET_INLINE void save_row(const std::filesystem::path& path, const std::string& title,
                             const std::vector<const LineChart*>& charts, double panel_width, double panel_height) {
    const double top = title.empty() ? 0 : 34;
    Svg svg(panel_width * double(std::max<std::size_t>(charts.size(), 1)), panel_height + top);
    if (!title.empty())
        svg.text(svg.width() / 2, 20, title, font::title + 1, Svg::Anchor::middle, "font-weight=\"bold\"");
    for (std::size_t i = 0; i < charts.size(); ++i) charts[i]->render(svg, {panel_width * double(i), top, panel_width, panel_height});
    write_file(path, svg.str(), "plot '" + title + "'");
}

}  // namespace tn::plot
