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

#include "typenet/config.hpp"
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
    TYPENET_INLINE std::size_t drawn_points() const;

    // Draws the chart into `outer` of an existing document (panels of a figure).
    TYPENET_INLINE void render(Svg& svg, Rect outer) const;
    TYPENET_INLINE std::string svg() const;
    void save(const std::filesystem::path& path) const { write_file(path, svg(), describe()); }

private:
    std::string describe() const { return "ScatterChart '" + title + "'"; }

    bool usable(double x, double y) const {
        return std::isfinite(x) && std::isfinite(y) && (!log_x || x > 0) && (!log_y || y > 0);
    }

    TYPENET_INLINE void check_log_scale() const;
    TYPENET_INLINE std::pair<Ticks, Ticks> axis_ticks() const;

    // Nice ticks over [lo, hi], with 4% of room beyond the outer ticks so that no
    // marker sits on the frame.
    TYPENET_INLINE static Ticks padded(double lo, double hi, bool log);

    // Where the points are drawn: what a legend must not cover.
    TYPENET_INLINE std::vector<std::pair<double, double>> pixels(const Frame& f) const;
    TYPENET_INLINE static std::size_t covered(const Rect& box, const std::vector<std::pair<double, double>>& points);
};

}  // namespace tn::plot

#if TYPENET_DEFINE_BODIES
#include "typenet/plot/scatter_chart.ipp"
#endif
