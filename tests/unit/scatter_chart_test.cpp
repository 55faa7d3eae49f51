// ScatterChart (plot/scatter_chart.hpp): one marker per usable point, placed by the
// axes (linear and log), marks and legends drawn, bad input refused with its place.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include <typenet/plot/scatter_chart.hpp>

namespace plot = tn::plot;

namespace {

struct Circle {
    double cx, cy, r;
};

// Every <circle> of a document, in order.
std::vector<Circle> circles(const std::string& svg) {
    std::vector<Circle> out;
    const auto attribute = [&](std::size_t from, const char* name) {
        const std::size_t at = svg.find(std::string(name) + "=\"", from);
        return std::strtod(svg.c_str() + at + std::string(name).size() + 2, nullptr);
    };
    for (std::size_t p = svg.find("<circle"); p != std::string::npos; p = svg.find("<circle", p + 1))
        out.push_back({attribute(p, "cx"), attribute(p, "cy"), attribute(p, " r")});
    return out;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("scatter: one marker per finite point, placed in order along both axes") {
    plot::ScatterChart chart{.title = "t", .x_label = "x", .y_label = "y"};
    const double nan = std::nan("");
    chart.add("", std::vector<double>{1, 2, 3, nan, 5}, std::vector<double>{10, 30, 20, 5, INFINITY});
    CHECK(chart.drawn_points() == 3);
    const auto c = circles(chart.svg());
    REQUIRE(c.size() == 3);  // group 0 draws circles; the unnamed group has no legend
    CHECK(c[0].cx < c[1].cx);
    CHECK(c[1].cx < c[2].cx);
    // SVG's y grows downwards: the larger value is higher up.
    CHECK(c[1].cy < c[2].cy);
    CHECK(c[2].cy < c[0].cy);
    // Evenly spaced x values land evenly spaced.
    CHECK(c[1].cx - c[0].cx == doctest::Approx(c[2].cx - c[1].cx).epsilon(1e-3));  // to the 0.01 px SVG keeps
}

TEST_CASE("scatter: a log axis spaces decades evenly and refuses values <= 0 with where") {
    plot::ScatterChart chart{.title = "lr"};
    chart.log_x = true;
    chart.add("", std::vector<double>{1e-4, 1e-3, 1e-2, 1e-1}, std::vector<double>{1, 2, 3, 4});
    const auto c = circles(chart.svg());
    REQUIRE(c.size() == 4);
    CHECK(c[1].cx - c[0].cx == doctest::Approx(c[2].cx - c[1].cx).epsilon(1e-3));  // to the 0.01 px SVG keeps
    CHECK(c[3].cx - c[2].cx == doctest::Approx(c[2].cx - c[1].cx).epsilon(1e-3));
    chart.add("bad", std::vector<double>{0.5, 0.0}, std::vector<double>{1, 2});
    CHECK_THROWS_WITH_AS(chart.svg(), doctest::Contains("group 'bad' has the point (0, 2) (point 2)"),
                         std::invalid_argument);
}

TEST_CASE("scatter: groups differ by marker shape, marks ring their point, names are escaped") {
    plot::ScatterChart chart{.title = "a <b> & c"};
    chart.add("small & fast", std::vector<int>{1, 2}, std::vector<int>{1, 2});
    chart.add("wide", std::vector<int>{3}, std::vector<int>{3});
    chart.mark(2, 2, "best");
    const std::string svg = chart.svg();
    CHECK(svg.find("a &lt;b&gt; &amp; c") != std::string::npos);
    CHECK(svg.find("small &amp; fast") != std::string::npos);
    CHECK(svg.find(">best</text>") != std::string::npos);
    const auto c = circles(svg);
    // Two group-0 points, the ring of the mark (radius 9) on the second, and group 0's legend sample.
    REQUIRE(c.size() == 4);
    CHECK(c[2].r == 9);
    CHECK(c[2].cx == doctest::Approx(c[1].cx));
    CHECK(c[2].cy == doctest::Approx(c[1].cy));
    CHECK(count(svg, "<rect") >= 3);  // group 1 draws squares: its point and its legend sample
    CHECK(svg.rfind("</svg>\n") == svg.size() - 7);
}

TEST_CASE("scatter: groups of unequal length are refused, saving names the path") {
    plot::ScatterChart chart{.title = "t"};
    CHECK_THROWS_WITH_AS(chart.add("g", std::vector<double>{1, 2}, std::vector<double>{1}),
                         doctest::Contains("group 'g' has 2 x values but 1 y values"), std::invalid_argument);
    chart.add("g", std::vector<double>{1}, std::vector<double>{1});
    CHECK_THROWS_WITH_AS(chart.save("/proc/typenet-no-such-dir/x.svg"), doctest::Contains("/proc/typenet-no-such-dir/x.svg"),
                         std::runtime_error);
}
