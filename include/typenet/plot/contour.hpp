// ContourPlot: the level lines of a function of two variables, with paths and
// points drawn over them, e.g. optimizers' trajectories on a loss surface (lesson 11).
//
//   tn::plot::ContourPlot plot{.title = "Rosenbrock", .x_label = "x", .y_label = "y"};
//   plot.set_field(-2, 2, -1, 3, 200, [](double x, double y) { return f(x, y); });
//   plot.set_log_levels(0.1, 1000, 9);        // or set_levels({...}); default: 10 even steps
//   plot.add_path("Adam", xs, ys);            // a polyline, marked where it starts and ends
//   plot.add_point("minimum (1, 1)", 1, 1);
//   plot.save("out/11-optimizers/rosenbrock.svg");
//
// Each level line is found by marching squares over the sampled grid
// (contour_segments, below). Lines of low levels are drawn light and high ones dark,
// so the valleys read at a glance; paths get the Okabe-Ito colours in order.
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
#include "typenet/plot/line_chart.hpp"  // NumberRange, to_doubles

namespace tn::plot {

// f sampled at the (cells + 1) x (cells + 1) nodes of a grid over a rectangle; row j
// is at y(j).
struct ScalarField {
    double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
    std::size_t cells = 0;
    std::vector<double> values{};
    double x(std::size_t i) const { return x_min + (x_max - x_min) * double(i) / double(cells); }
    double y(std::size_t j) const { return y_min + (y_max - y_min) * double(j) / double(cells); }
    double at(std::size_t i, std::size_t j) const { return values[j * (cells + 1) + i]; }
};

struct ContourPoint {
    double x = 0, y = 0;
};
using ContourSegment = std::pair<ContourPoint, ContourPoint>;

// The line where the field equals `level`, as segments in data coordinates, by
// marching squares: in each cell, which of its four corners lie at or above the level
// tells which edges the line crosses; each crossing is interpolated linearly along
// its edge. A saddle cell (opposite corners above) is resolved by the mean of the
// corners. Cells with a non-finite corner are skipped.
TYPENET_INLINE std::vector<ContourSegment> contour_segments(const ScalarField& field, double level);

struct ContourPlot {
    std::string title, x_label, y_label;
    double width = 720, height = 560;
    // What the legend says of the level lines (empty: no legend entry for them).
    std::string levels_label = "level lines";

    struct Path {
        std::string name;
        std::vector<double> x, y;
        std::size_t colour = 0;  // index into palette::lines
    };
    struct Marked {
        std::string name;
        double x = 0, y = 0;
    };
    // What set_field, set_levels, add_path and add_point fill in (public only so that
    // the plot stays an aggregate and takes designated initializers).
    ScalarField field{};
    std::vector<double> levels{};
    std::vector<Path> paths{};
    std::vector<Marked> points{};

    // Samples `value_at(x, y)` on a resolution x resolution grid of cells over the
    // rectangle, which becomes the plot's view.
    template <class Function>
    void set_field(double x_min, double x_max, double y_min, double y_max, std::size_t resolution,
                   Function&& value_at) {
        check_view(x_min, x_max, y_min, y_max, resolution);
        field = {x_min, x_max, y_min, y_max, resolution, {}};
        const std::size_t n = resolution + 1;
        field.values.resize(n * n);
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t i = 0; i < n; ++i)
                field.values[j * n + i] = static_cast<double>(value_at(field.x(i), field.y(j)));
    }

    // The levels to draw, in any order.
    TYPENET_INLINE void set_levels(std::vector<double> values);
    // `count` levels spaced evenly on a log scale from `lo` to `hi` (both > 0): the
    // choice for a surface whose values span decades, like a loss.
    TYPENET_INLINE void set_log_levels(double lo, double hi, std::size_t count);

    template <NumberRange XS, NumberRange YS>
    Path& add_path(std::string name, const XS& xs, const YS& ys) {
        Path p{std::move(name), to_doubles(xs), to_doubles(ys), paths.size() % palette::line_count};
        if (p.x.size() != p.y.size())
            throw std::invalid_argument(describe() + ": path '" + p.name + "' has " + std::to_string(p.x.size()) +
                                        " x values but " + std::to_string(p.y.size()) + " y values");
        paths.push_back(std::move(p));
        return paths.back();
    }
    void add_point(std::string name, double x, double y) { points.push_back({std::move(name), x, y}); }

    TYPENET_INLINE std::string svg() const;
    void save(const std::filesystem::path& path) const { write_file(path, svg(), describe()); }
    TYPENET_INLINE void render(Svg& svg, Rect outer) const;

private:
    std::string describe() const { return "ContourPlot '" + title + "'"; }
    TYPENET_INLINE void check_view(double x_min, double x_max, double y_min, double y_max,
                                   std::size_t resolution) const;
    // The levels as drawn: the ones set, or 10 even steps inside the field's range.
    TYPENET_INLINE std::vector<double> levels_to_draw() const;
    TYPENET_INLINE std::vector<LegendEntry> legend_entries() const;
    TYPENET_INLINE void draw_levels(Svg& svg, const Frame& f) const;
    TYPENET_INLINE void draw_paths(Svg& svg, const Frame& f) const;
};

}  // namespace tn::plot

#if TYPENET_DEFINE_BODIES
#include "typenet/plot/contour.ipp"
#endif
