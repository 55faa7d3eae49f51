// DecisionMap: what a binary classifier decides over a 2-D input plane.
//
//   tn::plot::DecisionMap map{.title = "Perceptron", .x_label = "x1", .y_label = "x2"};
//   map.set_field(x_min, x_max, y_min, y_max, 150, [&](float x, float y) -> float {
//       return p_class1;                              // in [0, 1]
//   });
//   map.add_points("setosa", xs, ys, 0);              // scatter, coloured by class index
//   map.add_line("perceptron boundary", x0, y0, x1, y1);  // optional straight line
//   map.save("out/01/boundary.svg");
//
// The background is shaded from class 0's colour (field 0) through white (0.5) to
// class 1's colour (field 1), and the 0.5 contour, the decision boundary, is drawn
// as a line (marching squares over the sampled grid). Classes differ by colour and
// marker shape; the legend sits to the right of the map.
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

struct DecisionMap {
    std::string title, x_label, y_label;
    double width = 700, height = 500;
    std::string boundary_label = "decision boundary (p = 0.5)";
    // Whether to draw the boundary_level contour. A field of hard 0/1 answers gives a
    // staircase at the grid's resolution: draw its exact line with add_line instead.
    bool show_boundary = true;
    // The field's value where the boundary is drawn.
    double boundary_level = 0.5;

    // What set_field, add_points and add_line fill in (public only so that the map
    // stays an aggregate and takes designated initializers).
    struct Grid {
        double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
        std::size_t cells = 0;
        std::vector<double> values{};  // (cells + 1)^2 node values; row j is at y(j)
        double x(std::size_t i) const { return x_min + (x_max - x_min) * double(i) / double(cells); }
        double y(std::size_t j) const { return y_min + (y_max - y_min) * double(j) / double(cells); }
        double at(std::size_t i, std::size_t j) const { return values[j * (cells + 1) + i]; }
    };
    struct PointSet {
        std::string name;
        std::vector<double> x, y;
        std::size_t class_index = 0;
    };
    struct Line {
        std::string name;  // empty: no legend entry
        double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
        // Style; empty colour and dash take the next of four distinct styles.
        std::string colour{}, dash{};
        double width = 2, opacity = 1;
        Line& style(std::string colour_, std::string dash_ = "", double width_ = 2, double opacity_ = 1) {
            colour = std::move(colour_), dash = std::move(dash_), width = width_, opacity = opacity_;
            return *this;
        }
    };
    Grid field{};
    std::vector<PointSet> point_sets{};
    std::vector<Line> lines{};

    // Samples `value_at(x, y)` on a grid of resolution x resolution cells over the
    // given rectangle, which becomes the map's view.
    template <class Function>
    void set_field(double x_min, double x_max, double y_min, double y_max, std::size_t resolution,
                   Function&& value_at) {
        if (!(x_min < x_max) || !(y_min < y_max) || !std::isfinite(x_max - x_min) || !std::isfinite(y_max - y_min))
            throw std::invalid_argument(describe() + ": set_field needs x_min < x_max and y_min < y_max, got x [" +
                                        number(x_min, 4) + ", " + number(x_max, 4) + "], y [" + number(y_min, 4) +
                                        ", " + number(y_max, 4) + "]");
        if (resolution < 2 || resolution > 2000)
            throw std::invalid_argument(describe() + ": set_field resolution must be in [2, 2000], got " +
                                        std::to_string(resolution));
        field = {x_min, x_max, y_min, y_max, resolution, {}};
        const std::size_t n = resolution + 1;  // values at the grid's nodes
        field.values.resize(n * n);
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t i = 0; i < n; ++i)
                field.values[j * n + i] = static_cast<double>(value_at(static_cast<float>(field.x(i)),
                                                                     static_cast<float>(field.y(j))));
    }

    template <NumberRange XS, NumberRange YS>
    void add_points(std::string name, const XS& xs, const YS& ys, std::size_t class_index) {
        PointSet p{std::move(name), to_doubles(xs), to_doubles(ys), class_index};
        if (p.x.size() != p.y.size())
            throw std::invalid_argument(describe() + ": points '" + p.name + "' have " + std::to_string(p.x.size()) +
                                        " x values but " + std::to_string(p.y.size()) + " y values");
        point_sets.push_back(std::move(p));
    }

    // A straight line through two points (extended or cut at the frame as drawn).
    // Returns it so that it can be styled: map.add_line(...).style("#999999", "", 1).
    TYPENET_INLINE Line& add_line(std::string name, double x0, double y0, double x1, double y1);

    struct Point {
        double x = 0, y = 0;
    };
    // The boundary_level contour of the field as line segments, in data coordinates,
    // by marching squares: in each grid cell, which corners lie above the level tells
    // which edges the contour crosses; the crossing on an edge is linearly interpolated.
    TYPENET_INLINE std::vector<std::pair<Point, Point>> boundary() const;

    TYPENET_INLINE std::string svg() const;
    void save(const std::filesystem::path& path) const { write_file(path, svg(), describe()); }
    TYPENET_INLINE void render(Svg& svg, Rect outer) const;

private:
    std::string describe() const { return "DecisionMap '" + title + "'"; }
    bool has_field() const { return field.cells > 0; }

    // Markers shrink when there are many points, so that clusters stay readable, and
    // grow when there are only a few (XOR's four).
    TYPENET_INLINE double radius() const;

    static constexpr const char* line_colours[] = {"#222222", "#CC79A7", "#009E73", "#D55E00"};
    static constexpr const char* line_dashes[] = {"7 4", "2 3", "9 3 2 3", ""};
    TYPENET_INLINE static std::string line_style(const Line& l);
    TYPENET_INLINE std::vector<LegendEntry> legend_entries() const;
    TYPENET_INLINE std::pair<Ticks, Ticks> axis_ticks() const;
    TYPENET_INLINE static Ticks inside(const Ticks& t, double lo, double hi);

    // Shade per cell, from the mean of its four corners, quantised to 2 x 10 tints so
    // that runs of equal colour merge into one rectangle (a file of kilobytes, not megabytes).
    TYPENET_INLINE void draw_field(Svg& svg, const Frame& f) const;

    // Light grid lines over the shading (under it they would be hidden).
    TYPENET_INLINE void draw_grid_over_field(Svg& svg, const Frame& f) const;
    TYPENET_INLINE void draw_boundary(Svg& svg, const Frame& f) const;
};

}  // namespace tn::plot

#if TYPENET_DEFINE_BODIES
#include "typenet/plot/decision_map.ipp"
#endif
