// plot::Heatmap: cells, scales and the errors of a malformed matrix.
#include <doctest/doctest.h>

#include <string>

#include <typenet/plot/heatmap.hpp>

using tn::plot::Heatmap;

namespace {
std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
}
}  // namespace

TEST_CASE("Heatmap draws one cell per value, labels on both axes, and a colour bar") {
    Heatmap map;
    map.title = "attention";
    map.rows = 2, map.columns = 3, map.values = {0, 0.5, 1, 1, 0.25, 0};
    map.column_labels = {"the", "cat", "sat"};
    const std::string svg = map.svg();
    // The page's background, 6 cells, the frame, 10 colour-bar steps.
    CHECK(count(svg, "<rect") == 1 + 6 + 1 + 10);
    CHECK(svg.find(">cat<") != std::string::npos);
    CHECK(svg.find(">attention<") != std::string::npos);
    // All values >= 0: the scale runs from 0 (white) to the largest value.
    CHECK(svg.find(">0<") != std::string::npos);
}

TEST_CASE("Heatmap: a diverging scale for values of both signs, symmetric around 0") {
    Heatmap map;
    map.rows = 1, map.columns = 2, map.values = {-0.5, 2};
    const std::string svg = map.svg();
    CHECK(svg.find(">-2<") != std::string::npos);
    CHECK(svg.find(">2<") != std::string::npos);
}

TEST_CASE("Heatmap names what does not fit") {
    Heatmap map;
    map.rows = 2, map.columns = 2, map.values = {1, 2, 3};
    CHECK_THROWS_WITH(map.svg(), "Heatmap: 3 values for 2 x 2 cells (need rows x columns, at least 1 x 1)");
    map.values.push_back(4);
    map.row_labels = {"a"};
    CHECK_THROWS_WITH(map.svg(), "Heatmap: 1 row labels for 2 rows");
}
