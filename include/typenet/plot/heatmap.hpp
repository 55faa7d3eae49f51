// Heatmap: a matrix of values as coloured cells, with labels on both axes: hidden
// states over time (rows: units, columns: positions), attention weights (rows:
// queries, columns: keys, the tokens on the axes), gradient norms per layer and step.
//
//   tn::plot::Heatmap map{.title = "hidden state", .x_label = "position", .y_label = "unit"};
//   map.rows = 8; map.columns = 20; map.values = ...;   // row-major, rows x columns
//   map.column_labels = tokens;                          // optional, one per column
//   map.save("out/23/hidden.svg");
//
// Colours: a diverging blue-white-vermillion scale around 0 when the values have
// both signs (tanh states, gradients), white to blue when all are >= 0 (attention
// weights, probabilities), spanning [-m, m] or [0, m] with m the largest |value|
// unless `limit` is set. NaN cells are grey. A colour bar on the right gives the scale.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "typenet/config.hpp"

namespace tn::plot {

struct Heatmap {
    std::string title, x_label, y_label;
    std::size_t rows = 0, columns = 0;
    std::vector<double> values;  // rows x columns, row-major
    std::vector<std::string> row_labels, column_labels;  // empty: 0, 1, ... (or none when many)
    double limit = 0;           // > 0: the colour scale's end; 0: the largest |value|
    bool show_values = false;   // print each value in its cell (small matrices)
    double cell = 0;            // cell size in pixels; 0 picks one from the matrix size

    // Throws std::invalid_argument unless values has rows x columns entries and the
    // labels, when given, one per row / column.
    TYPENET_INLINE std::string svg() const;
    TYPENET_INLINE void save(const std::filesystem::path& path) const;
};

}  // namespace tn::plot

#if TYPENET_DEFINE_BODIES
#include "typenet/plot/heatmap.ipp"
#endif
