// A Heatmap (heatmap.hpp) as a PNG: cells, the row and column labels written with the
// bitmap font (image/text.hpp), and a scale bar; for attention weights, where a
// learner opens the picture beside the terminal.
//
//   tn::plot::heatmap_png(map, "out/32-bahdanau/alignment.png");
//
// Values >= 0 go from white to blue (0 to the largest, or to `limit`); with negative
// values a diverging blue-white-vermillion scale around 0. NaN cells are grey. Labels
// are one or a few characters (tokens); a column label is written vertically, one
// character under the other, since the font writes no rotated text.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "typenet/image/image.hpp"
#include "typenet/image/io.hpp"
#include "typenet/image/text.hpp"
#include "typenet/plot/heatmap.hpp"

namespace tn::plot {

inline image::Image heatmap_image(const Heatmap& map) {
    if (map.values.size() != map.rows * map.columns || map.rows == 0 || map.columns == 0)
        throw std::invalid_argument("heatmap_image: " + std::to_string(map.values.size()) + " values for " +
                                    std::to_string(map.rows) + " x " + std::to_string(map.columns) + " cells");
    if ((!map.row_labels.empty() && map.row_labels.size() != map.rows) ||
        (!map.column_labels.empty() && map.column_labels.size() != map.columns))
        throw std::invalid_argument("heatmap_image: give one label per row and per column, or none");
    const std::size_t cell = map.cell > 0 ? std::size_t(map.cell) : 16;
    double top_value = map.limit;
    bool negative = false;
    for (double v : map.values)
        if (std::isfinite(v)) {
            if (map.limit <= 0) top_value = std::max(top_value, std::abs(v));
            negative = negative || v < 0;
        }
    if (!(top_value > 0)) top_value = 1;
    std::size_t label_w = 0, label_h = 0;
    for (const auto& l : map.row_labels) label_w = std::max(label_w, image::text_width(l));
    for (const auto& l : map.column_labels) label_h = std::max(label_h, l.size() * 10);
    const std::size_t title_h = map.title.empty() ? 0 : 20, left = label_w + 12 + (map.y_label.empty() ? 0 : 14);
    const std::size_t top = title_h + 6, grid_w = map.columns * cell, grid_h = map.rows * cell;
    const std::size_t width = std::max(left + grid_w + 60, image::text_width(map.title) + 12);
    const std::size_t height = top + grid_h + label_h + 12 + (map.x_label.empty() ? 0 : 16);
    image::Image img(width, height, 3, 255);
    const auto colour = [&](double v, std::uint8_t* px) {
        if (!std::isfinite(v)) {
            px[0] = px[1] = px[2] = 170;
            return;
        }
        const double s = std::clamp(std::abs(v) / top_value, 0.0, 1.0);
        // white to Okabe-Ito blue (0, 114, 178), or to vermillion (213, 94, 0) below 0
        const double r = negative && v < 0 ? 213 : 0, g = negative && v < 0 ? 94 : 114, b = negative && v < 0 ? 0 : 178;
        px[0] = std::uint8_t(255 + (r - 255) * s);
        px[1] = std::uint8_t(255 + (g - 255) * s);
        px[2] = std::uint8_t(255 + (b - 255) * s);
    };
    if (!map.title.empty()) image::draw_text(img, 6, 5, map.title);
    for (std::size_t r = 0; r < map.rows; ++r)
        for (std::size_t c = 0; c < map.columns; ++c)
            for (std::size_t y = 0; y + 1 < cell; ++y)
                for (std::size_t x = 0; x + 1 < cell; ++x)
                    colour(map.values[r * map.columns + c],
                           &img.pixels[((top + r * cell + y) * img.width + left + c * cell + x) * 3]);
    for (std::size_t r = 0; r < map.row_labels.size(); ++r)
        image::draw_text(img, left - 6 - image::text_width(map.row_labels[r]), top + r * cell + (cell - 8) / 2,
                         map.row_labels[r]);
    for (std::size_t c = 0; c < map.column_labels.size(); ++c)
        for (std::size_t k = 0; k < map.column_labels[c].size(); ++k)
            image::draw_text(img, left + c * cell + (cell - 6) / 2, top + grid_h + 4 + k * 10,
                             std::string(1, map.column_labels[c][k]));
    if (!map.x_label.empty())
        image::draw_text(img, left, top + grid_h + label_h + 8, map.x_label, {.r = 90, .g = 90, .b = 90});
    if (!map.y_label.empty())
        for (std::size_t k = 0; k < map.y_label.size() && 10 * k < grid_h; ++k)
            image::draw_text(img, 3, top + k * 10, std::string(1, map.y_label[k]), {.r = 90, .g = 90, .b = 90});
    // The scale: a bar from 0 (bottom) to the largest value (top), with its two ends.
    const std::size_t bar_x = left + grid_w + 10, bar_h = std::max<std::size_t>(grid_h, 40);
    for (std::size_t y = 0; y < bar_h; ++y)
        for (std::size_t x = 0; x < 10; ++x) {
            const double v = top_value * (1.0 - double(y) / double(bar_h - 1)) * (negative ? 2.0 : 1.0) -
                             (negative ? top_value : 0.0);
            if (top + y < img.height) colour(v, &img.pixels[((top + y) * img.width + bar_x + x) * 3]);
        }
    char end[32];
    std::snprintf(end, sizeof end, "%.2g", top_value);
    image::draw_text(img, bar_x + 13, top, end);
    std::snprintf(end, sizeof end, "%.2g", negative ? -top_value : 0.0);
    image::draw_text(img, bar_x + 13, top + bar_h - 8, end);
    return img;
}

inline void heatmap_png(const Heatmap& map, const std::filesystem::path& path) {
    image::write_png(path, heatmap_image(map));
}

}  // namespace tn::plot
