// Contour plots: marching squares puts each level line where the field has that
// value (circles of a paraboloid, a straight line of a plane), skips cells it cannot
// judge, and the plot draws levels, paths and points into a well-formed SVG.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <typenet/plot/contour.hpp>

namespace plot = tn::plot;

namespace {
plot::ScalarField sample(double lo, double hi, std::size_t cells, double (*f)(double, double)) {
    plot::ScalarField s{lo, hi, lo, hi, cells, {}};
    for (std::size_t j = 0; j <= cells; ++j)
        for (std::size_t i = 0; i <= cells; ++i) s.values.push_back(f(s.x(i), s.y(j)));
    return s;
}
double paraboloid(double x, double y) { return x * x + y * y; }
double plane(double x, double) { return x; }

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
}
}  // namespace

TEST_CASE("marching squares: the level-r^2 line of x^2 + y^2 is the circle of radius r") {
    const auto field = sample(-2, 2, 80, paraboloid);
    // Radii whose circles miss the grid nodes (through a node the line touches four cells).
    for (double r : {0.52, 1.03, 1.71}) {
        const auto segments = plot::contour_segments(field, r * r);
        REQUIRE(segments.size() > 20);
        double length = 0;
        for (const auto& [a, b] : segments) {
            // Linear interpolation on cells of 0.05: off the circle by far less than a cell.
            CHECK(std::hypot(a.x, a.y) == doctest::Approx(r).epsilon(0.01));
            CHECK(std::hypot(b.x, b.y) == doctest::Approx(r).epsilon(0.01));
            length += std::hypot(b.x - a.x, b.y - a.y);
        }
        CHECK(length == doctest::Approx(2 * std::numbers::pi * r).epsilon(0.01));

        // A closed curve: every end point is shared by exactly two segments.
        std::map<std::pair<long, long>, int> ends;
        const auto key = [](const plot::ContourPoint& p) {
            return std::pair<long, long>{std::lround(p.x * 1e6), std::lround(p.y * 1e6)};
        };
        for (const auto& [a, b] : segments) ++ends[key(a)], ++ends[key(b)];
        for (const auto& [point, uses] : ends) CHECK(uses == 2);
    }
}

TEST_CASE("marching squares: a plane's level line is straight; levels outside the field give nothing") {
    const auto field = sample(0, 1, 10, plane);
    const auto segments = plot::contour_segments(field, 0.43);
    CHECK(segments.size() == 10);  // one per row of cells
    for (const auto& [a, b] : segments) {
        CHECK(a.x == doctest::Approx(0.43));
        CHECK(b.x == doctest::Approx(0.43));
    }
    CHECK(plot::contour_segments(field, 1.5).empty());
    CHECK(plot::contour_segments(field, -0.5).empty());
    CHECK(plot::contour_segments(field, NAN).empty());
    CHECK(plot::contour_segments(plot::ScalarField{}, 0.5).empty());
}

TEST_CASE("marching squares: a cell with a non-finite corner is skipped, its neighbours are not") {
    auto field = sample(0, 1, 10, plane);
    field.values[5 * 11 + 4] = NAN;  // node (4, 5): touches the four cells around it
    const auto segments = plot::contour_segments(field, 0.43);  // crosses cells in column 4
    CHECK(segments.size() == 8);                                 // rows 4 and 5 lose theirs
}

TEST_CASE("levels: log-spaced, sorted, and refused when they cannot be drawn") {
    plot::ContourPlot p{.title = "levels", .x_label = "x", .y_label = "y"};
    p.set_log_levels(0.1, 1000, 5);
    REQUIRE(p.levels.size() == 5);
    CHECK(p.levels.front() == doctest::Approx(0.1));
    CHECK(p.levels[1] == doctest::Approx(1.0));
    CHECK(p.levels[2] == doctest::Approx(10.0));
    CHECK(p.levels.back() == 1000.0);
    p.set_levels({3, 1, 2});
    CHECK(p.levels == std::vector<double>{1, 2, 3});
    CHECK_THROWS_WITH_AS(p.set_log_levels(0, 10, 5), doctest::Contains("ContourPlot 'levels'"), std::invalid_argument);
    CHECK_THROWS_AS(p.set_log_levels(10, 1, 5), std::invalid_argument);
    CHECK_THROWS_AS(p.set_levels({1, INFINITY}), std::invalid_argument);
    CHECK_THROWS_AS(p.set_field(1, 0, 0, 1, 20, paraboloid), std::invalid_argument);
    CHECK_THROWS_AS(p.set_field(0, 1, 0, 1, 1, paraboloid), std::invalid_argument);
}

TEST_CASE("a contour plot draws its levels, paths and points into a well-formed SVG file") {
    plot::ContourPlot p{.title = "Bowl & paths", .x_label = "x", .y_label = "y"};
    p.set_field(-2, 2, -2, 2, 60, paraboloid);
    p.set_levels({0.25, 1, 2.25});
    p.add_path("descent", std::vector<double>{1.5, 0.8, 0.3, 0.05}, std::vector<float>{1.5f, 0.8f, 0.3f, 0.05f});
    p.add_path("wanders off", std::vector<double>{-1, -3, NAN, -1.5}, std::vector<double>{1, 3, NAN, -1.5});
    p.add_point("minimum", 0, 0);
    CHECK_THROWS_AS(p.add_path("bad", std::vector<double>{1, 2}, std::vector<double>{1}), std::invalid_argument);

    const std::string svg = p.svg();
    CHECK(svg.rfind("<?xml", 0) == 0);
    CHECK(svg.ends_with("</svg>\n"));
    CHECK(count(svg, "<g ") == count(svg, "</g>"));
    CHECK(svg.find("Bowl &amp; paths") != std::string::npos);  // escaped
    CHECK(svg.find(">descent</text>") != std::string::npos);
    CHECK(svg.find(">wanders off</text>") != std::string::npos);
    CHECK(svg.find(">minimum</text>") != std::string::npos);
    CHECK(svg.find(">level lines</text>") != std::string::npos);
    CHECK(svg.find("nan") == std::string::npos);
    // Three level lines and two paths are five stroked, unfilled paths.
    CHECK(count(svg, "fill=\"none\" stroke=\"#") >= 5);

    const auto file = std::filesystem::temp_directory_path() / "typenet-contour-test" / "bowl.svg";
    p.save(file);
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() == svg);
}
