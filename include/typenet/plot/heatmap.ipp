// The bodies of plot/heatmap.hpp (see include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "typenet/plot/heatmap.hpp"
#include "typenet/plot/palette.hpp"
#include "typenet/plot/svg.hpp"

namespace tn::plot {
namespace detail {

// The cell colour of v on a scale of [-m, m] (diverging) or [0, m].
inline std::string heat_colour(double v, double m, bool diverging) {
    if (std::isnan(v)) return "#bdbdbd";
    const double s = m > 0 ? std::clamp(v / m, -1.0, 1.0) : 0.0;
    if (!diverging) return palette::tint(palette::lines[0], std::max(0.0, s));
    return s >= 0 ? palette::tint(palette::lines[1], s) : palette::tint(palette::lines[0], -s);
}

// Labels for an axis: the given ones, else the indices when they fit, else none.
inline std::vector<std::string> axis_labels(const std::vector<std::string>& given, std::size_t n, double cell) {
    if (!given.empty()) return given;
    std::vector<std::string> out(n);
    const std::size_t every = cell >= 14 ? 1 : cell >= 6 ? 5 : 10;
    for (std::size_t i = 0; i < n; i += every) out[i] = std::to_string(i);
    return out;
}

}  // namespace detail

TYPENET_INLINE std::string Heatmap::svg() const {
    if (rows == 0 || columns == 0 || values.size() != rows * columns)
        throw std::invalid_argument("Heatmap: " + std::to_string(values.size()) + " values for " + std::to_string(rows) +
                                    " x " + std::to_string(columns) + " cells (need rows x columns, at least 1 x 1)");
    if (!row_labels.empty() && row_labels.size() != rows)
        throw std::invalid_argument("Heatmap: " + std::to_string(row_labels.size()) + " row labels for " +
                                    std::to_string(rows) + " rows");
    if (!column_labels.empty() && column_labels.size() != columns)
        throw std::invalid_argument("Heatmap: " + std::to_string(column_labels.size()) + " column labels for " +
                                    std::to_string(columns) + " columns");
    bool diverging = false;
    double m = 0;
    for (double v : values)
        if (!std::isnan(v)) {
            diverging = diverging || v < 0;
            m = std::max(m, std::abs(v));
        }
    if (limit > 0) m = limit;
    const double size = cell > 0 ? cell : std::clamp(560.0 / double(std::max(rows, columns)), 4.0, 36.0);
    const auto rl = detail::axis_labels(row_labels, rows, size), cl = detail::axis_labels(column_labels, columns, size);
    std::size_t row_chars = 1, column_chars = 1;
    for (const auto& s : rl) row_chars = std::max(row_chars, s.size());
    for (const auto& s : cl) column_chars = std::max(column_chars, s.size());
    const double label_font = std::clamp(size * 0.6, 7.0, 11.0);
    const double left = 24 + (y_label.empty() ? 0 : 18) + 0.62 * label_font * double(row_chars);
    const double top = (title.empty() ? 12 : 36) + 0.62 * label_font * double(column_chars) + 10;
    const double grid_w = size * double(columns), grid_h = size * double(rows);
    const double bar_x = left + grid_w + 18;
    Svg s(bar_x + 60, top + grid_h + (x_label.empty() ? 14 : 38));
    if (!title.empty()) s.text(s.width() / 2, 18, title, 15, Svg::Anchor::middle, "font-weight=\"bold\"");
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < columns; ++c) {
            const double v = values[r * columns + c];
            const double x = left + double(c) * size, y = top + double(r) * size;
            s.rect(x, y, size, size, "fill=\"" + detail::heat_colour(v, m, diverging) + "\"");
            if (show_values && size >= 22)
                s.text(x + size / 2, y + size / 2, number(v, 2), std::min(10.0, size * 0.36), Svg::Anchor::middle);
        }
    s.rect(left, top, grid_w, grid_h, std::string("fill=\"none\" stroke=\"") + palette::frame + "\"");
    for (std::size_t r = 0; r < rows; ++r)
        if (!rl[r].empty()) s.text(left - 4, top + (double(r) + 0.5) * size, rl[r], label_font, Svg::Anchor::end);
    for (std::size_t c = 0; c < columns; ++c)
        if (!cl[c].empty()) {
            const double x = left + (double(c) + 0.5) * size, y = top - 4;
            s.text(x, y, cl[c], label_font, Svg::Anchor::start,
                   "transform=\"rotate(-90 " + number(x) + " " + number(y) + ")\"");
        }
    if (!x_label.empty()) s.text(left + grid_w / 2, top + grid_h + 24, x_label, 12.5, Svg::Anchor::middle);
    if (!y_label.empty()) {
        const double cy = top + grid_h / 2;
        s.text(12, cy, y_label, 12.5, Svg::Anchor::middle, "transform=\"rotate(-90 12 " + number(cy) + ")\"");
    }
    // The colour bar: ten steps from the low end to the high end.
    const double low = diverging ? -m : 0.0, bar_h = std::min(grid_h, 200.0);
    for (int i = 0; i < 10; ++i) {
        const double v = low + (m - low) * (9 - i) / 9.0;
        s.rect(bar_x, top + bar_h * i / 10.0, 12, bar_h / 10.0 + 0.5, "fill=\"" + detail::heat_colour(v, m, diverging) + "\"");
    }
    s.text(bar_x + 16, top + 4, number(m, 2), 10);
    s.text(bar_x + 16, top + bar_h - 4, number(low, 2), 10);
    return s.str();
}

TYPENET_INLINE void Heatmap::save(const std::filesystem::path& path) const { write_file(path, svg(), "heatmap"); }

}  // namespace tn::plot
