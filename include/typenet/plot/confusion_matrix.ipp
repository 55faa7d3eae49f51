// The bodies of plot/confusion_matrix.hpp (see include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "typenet/image/io.hpp"
#include "typenet/image/text.hpp"
#include "typenet/plot/confusion_matrix.hpp"
#include "typenet/plot/palette.hpp"
#include "typenet/plot/svg.hpp"

namespace tn::plot {
namespace detail {

inline std::string class_name(const ConfusionOptions& o, std::size_t k) {
    return k < o.class_names.size() ? o.class_names[k] : std::to_string(k);
}

inline void check_matrix(const ConfusionMatrix& m) {
    if (m.classes == 0 || m.counts.size() != m.classes * m.classes)
        throw std::invalid_argument("confusion matrix: " + std::to_string(m.counts.size()) + " counts for " +
                                    std::to_string(m.classes) + " classes (need classes x classes, and at least 1)");
}

// The share of row `t` in cell (t, p): what the shading shows.
inline double share(const ConfusionMatrix& m, std::size_t t, std::size_t p) {
    const std::size_t row = m.row_total(t);
    return row ? double(m.at(t, p)) / double(row) : 0.0;
}

// Blue on the diagonal, vermillion off it (Okabe-Ito, as the charts use), by share.
inline std::string cell_colour(const ConfusionMatrix& m, std::size_t t, std::size_t p) {
    const double s = share(m, t, p);
    return palette::tint(t == p ? palette::lines[0] : palette::lines[1], s == 0 ? 0.0 : 0.08 + 0.92 * s);
}

inline std::size_t widest_count(const ConfusionMatrix& m) {
    return std::to_string(*std::max_element(m.counts.begin(), m.counts.end())).size();
}

}  // namespace detail

TYPENET_INLINE ConfusionMatrix confusion_matrix(std::span<const std::size_t> predicted,
                                                std::span<const std::size_t> labels, std::size_t classes) {
    if (predicted.size() != labels.size())
        throw std::invalid_argument("confusion_matrix: " + std::to_string(predicted.size()) + " predictions but " +
                                    std::to_string(labels.size()) + " labels");
    if (classes == 0) throw std::invalid_argument("confusion_matrix: classes must be at least 1");
    ConfusionMatrix m{classes, std::vector<std::size_t>(classes * classes, 0)};
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] >= classes || predicted[i] >= classes)
            throw std::invalid_argument("confusion_matrix: sample " + std::to_string(i) + " has label " +
                                        std::to_string(labels[i]) + " and prediction " + std::to_string(predicted[i]) +
                                        ", outside the " + std::to_string(classes) + " classes");
        ++m.counts[labels[i] * classes + predicted[i]];
    }
    return m;
}

TYPENET_INLINE std::string confusion_matrix_svg_string(const ConfusionMatrix& m, const ConfusionOptions& options) {
    detail::check_matrix(m);
    const std::size_t n = m.classes;
    const double cell =
        options.cell ? double(options.cell) : std::max(30.0, 8.0 * double(detail::widest_count(m)) + 12);
    std::size_t longest = 1;
    for (std::size_t k = 0; k < n; ++k) longest = std::max(longest, detail::class_name(options, k).size());
    const double names = 6.6 * double(longest) + 10;  // ~ the width of the longest name at font::tick
    const double left = 30 + names, top = (options.title.empty() ? 14 : 40) + 24 + names;
    Svg svg(left + cell * double(n) + 16, top + cell * double(n) + 16);
    if (!options.title.empty())
        svg.text(svg.width() / 2, 20, options.title, 16, Svg::Anchor::middle, "font-weight=\"bold\"");
    svg.text(left + cell * double(n) / 2, top - names - 14, "predicted class", 12.5, Svg::Anchor::middle);
    const double cy = top + cell * double(n) / 2;
    svg.text(12, cy, "true class", 12.5, Svg::Anchor::middle, "transform=\"rotate(-90 12 " + number(cy) + ")\"");
    for (std::size_t k = 0; k < n; ++k) {
        const std::string name = detail::class_name(options, k);
        const double mid = double(k) * cell + cell / 2;
        svg.text(left - 6, top + mid, name, 11, Svg::Anchor::end);
        const double x = left + mid, y = top - 6;
        svg.text(x, y, name, 11, Svg::Anchor::start, "transform=\"rotate(-90 " + number(x) + " " + number(y) + ")\"");
    }
    for (std::size_t t = 0; t < n; ++t)
        for (std::size_t p = 0; p < n; ++p) {
            const double x = left + double(p) * cell, y = top + double(t) * cell;
            svg.rect(x, y, cell, cell, "fill=\"" + detail::cell_colour(m, t, p) + "\" stroke=\"#ffffff\"");
            if (m.at(t, p) == 0) continue;
            const char* ink = detail::share(m, t, p) > 0.55 ? "#ffffff" : palette::text;
            svg.text(x + cell / 2, y + cell / 2, std::to_string(m.at(t, p)), 11, Svg::Anchor::middle,
                     std::string("fill=\"") + ink + "\"");
        }
    svg.rect(left, top, cell * double(n), cell * double(n),
             std::string("fill=\"none\" stroke=\"") + palette::frame + "\"");
    return svg.str();
}

TYPENET_INLINE void confusion_matrix_svg(const std::filesystem::path& path, const ConfusionMatrix& m,
                                         const ConfusionOptions& options) {
    write_file(path, confusion_matrix_svg_string(m, options), "confusion matrix");
}

TYPENET_INLINE image::Image confusion_matrix_image(const ConfusionMatrix& m, const ConfusionOptions& options) {
    detail::check_matrix(m);
    const std::size_t n = m.classes;
    const std::size_t cell = options.cell ? options.cell : std::max<std::size_t>(24, 6 * detail::widest_count(m) + 10);
    // Rows are labelled "k name" ("k" alone when the name is the index), columns "k":
    // the bitmap font writes no rotated text.
    const auto row_label = [&](std::size_t k) {
        const std::string index = std::to_string(k), name = detail::class_name(options, k);
        return name == index ? index : index + " " + name;
    };
    std::size_t label_w = 0;
    for (std::size_t k = 0; k < n; ++k) label_w = std::max(label_w, image::text_width(row_label(k)));
    const std::size_t title_h = options.title.empty() ? 0 : 18;
    const std::size_t left = label_w + 10, top = title_h + 30;
    image::Image img(left + n * cell + 8, top + n * cell + 8, 3, 255);
    if (!options.title.empty()) image::draw_text(img, 6, 4, options.title);
    const std::string axis = "predicted";
    image::draw_text(img, left, title_h + 2, axis, {.r = 90, .g = 90, .b = 90});
    for (std::size_t k = 0; k < n; ++k) {
        const std::string index = std::to_string(k);
        image::draw_text(img, left + k * cell + (cell - image::text_width(index)) / 2, top - 12, index);
        image::draw_text(img, 4, top + k * cell + (cell - 8) / 2, row_label(k));
    }
    for (std::size_t t = 0; t < n; ++t)
        for (std::size_t p = 0; p < n; ++p) {
            unsigned r = 255, g = 255, b = 255;
            std::sscanf(detail::cell_colour(m, t, p).c_str(), "#%2x%2x%2x", &r, &g, &b);
            for (std::size_t y = 1; y < cell; ++y)  // a 1-pixel white gap between cells
                for (std::size_t x = 1; x < cell; ++x) {
                    std::uint8_t* px = &img.pixels[((top + t * cell + y) * img.width + left + p * cell + x) * 3];
                    px[0] = std::uint8_t(r), px[1] = std::uint8_t(g), px[2] = std::uint8_t(b);
                }
            if (m.at(t, p) == 0) continue;
            const std::string count = std::to_string(m.at(t, p));
            const std::uint8_t ink = detail::share(m, t, p) > 0.55 ? 255 : 34;
            image::draw_text(img, left + p * cell + (cell - std::min(cell, image::text_width(count))) / 2 + 1,
                             top + t * cell + (cell - 8) / 2, count, {.r = ink, .g = ink, .b = ink});
        }
    return img;
}

TYPENET_INLINE void confusion_matrix_png(const std::filesystem::path& path, const ConfusionMatrix& m,
                                         const ConfusionOptions& options) {
    image::write_png(path, confusion_matrix_image(m, options));
}

}  // namespace tn::plot
