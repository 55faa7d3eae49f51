// ScatterChart: points in named groups, e.g. each trial of a search as its score
// against its learning rate, one group (colour and marker shape) per architecture.
//
//   tn::plot::ScatterChart chart{.title = "Random search", .x_label = "learning rate",
//                                .y_label = "validation accuracy"};
//   chart.log_x = true;
//   chart.add("small MLP", lrs, scores);     // any ranges of numbers, of equal length
//   chart.mark(best_lr, best_score, "best"); // a ring and a label around one point
//   chart.save("out/12/search.svg");
//
// Points with a NaN or infinite coordinate are left out. The legend goes in the
// corner with the fewest points under it, or outside, right of the plot, when every
// corner would hide one.
#pragma once
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "typenet/plot/axes.hpp"
#include "typenet/plot/line_chart.hpp"

namespace tn::plot {

struct PointGroup {
    std::string name;
    std::vector<double> x, y;
    std::size_t colour = 0;  // index into palette::lines; also picks the marker shape
    double radius = 4.5;

    PointGroup& color(std::size_t palette_index) { colour = palette_index; return *this; }
};

struct ScatterChart {
    std::string title{}, x_label{}, y_label{};
    bool log_x = false;
    bool log_y = false;
    double width = 720, height = 440;
    std::vector<PointGroup> groups{};

    struct Mark {
        double x = 0, y = 0;
        std::string label;
    };
    std::vector<Mark> marks{};

    template <NumberRange XS, NumberRange YS>
    PointGroup& add(std::string name, const XS& xs, const YS& ys) {
        PointGroup g;
        g.name = std::move(name);
        g.x = to_doubles(xs);
        g.y = to_doubles(ys);
        g.colour = groups.size() % palette::line_count;
        if (g.x.size() != g.y.size())
            throw std::invalid_argument(describe() + ": group '" + g.name + "' has " + std::to_string(g.x.size()) +
                                        " x values but " + std::to_string(g.y.size()) + " y values");
        groups.push_back(std::move(g));
        return groups.back();
    }

    // Rings the point (x, y) and writes `label` beside it.
    void mark(double x, double y, std::string label) { marks.push_back({x, y, std::move(label)}); }

    // Points that will be drawn (finite, and positive on a log axis).
    std::size_t drawn_points() const {
        std::size_t n = 0;
        for (const auto& g : groups)
            for (std::size_t i = 0; i < g.x.size(); ++i) n += usable(g.x[i], g.y[i]);
        return n;
    }

    void render(Svg& svg, Rect outer) const {
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

    std::string svg() const {
        Svg doc(width, height);
        render(doc, {0, 0, width, height});
        return doc.str();
    }
    void save(const std::filesystem::path& path) const { write_file(path, svg(), describe()); }

private:
    std::string describe() const { return "ScatterChart '" + title + "'"; }

    bool usable(double x, double y) const {
        return std::isfinite(x) && std::isfinite(y) && (!log_x || x > 0) && (!log_y || y > 0);
    }

    void check_log_scale() const {
        for (const auto& g : groups)
            for (std::size_t i = 0; i < g.x.size(); ++i) {
                if (!std::isfinite(g.x[i]) || !std::isfinite(g.y[i])) continue;
                if ((log_x && g.x[i] <= 0) || (log_y && g.y[i] <= 0))
                    throw std::invalid_argument(describe() + ": a log axis needs values > 0, but group '" + g.name +
                                                "' has the point (" + number(g.x[i], 6) + ", " + number(g.y[i], 6) +
                                                ") (point " + std::to_string(i + 1) + ")");
            }
    }

    std::pair<Ticks, Ticks> axis_ticks() const {
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

    // Nice ticks over [lo, hi], with 4% of room beyond the outer ticks so that no
    // marker sits on the frame.
    static Ticks padded(double lo, double hi, bool log) {
        Ticks t = log ? log_ticks(lo, hi) : nice_ticks(lo, hi);
        const auto to_axis = [&](double v) { return log ? std::log10(v) : v; };
        const auto from_axis = [&](double v) { return log ? std::pow(10.0, v) : v; };
        const double pad = 0.04 * (to_axis(t.hi) - to_axis(t.lo));
        t.lo = from_axis(to_axis(t.lo) - pad);
        t.hi = from_axis(to_axis(t.hi) + pad);
        return t;
    }

    std::vector<std::pair<double, double>> pixels(const Frame& f) const {
        std::vector<std::pair<double, double>> out;
        for (const auto& g : groups)
            for (std::size_t i = 0; i < g.x.size(); ++i)
                if (usable(g.x[i], g.y[i])) out.emplace_back(f.x(g.x[i]), f.y(g.y[i]));
        for (const Mark& m : marks)
            if (usable(m.x, m.y)) out.emplace_back(f.x(m.x), f.y(m.y));
        return out;
    }

    static std::size_t covered(const Rect& box, const std::vector<std::pair<double, double>>& points) {
        const Rect grown{box.x - 6, box.y - 6, box.w + 12, box.h + 12};
        std::size_t n = 0;
        for (const auto& [px, py] : points) n += grown.contains(px, py);
        return n;
    }
};

}  // namespace tn::plot
