// A confusion matrix: how often each true class (row) was predicted as each class
// (column). As an SVG in the charts' style, with the counts in the cells and the
// class names on both axes, or as a PNG (counts drawn with a bitmap font, classes
// numbered, names listed beside the rows).
//   auto m = tn::plot::confusion_matrix(predicted, labels, 10);
//   tn::plot::confusion_matrix_svg("out/confusion.svg", m, {.title = "MNIST test", .class_names = names});
//   tn::plot::confusion_matrix_png("out/confusion.png", m, {.class_names = names});
// Cells are shaded by their share of the row (the true class), so a class that is
// rare is as readable as a common one; the diagonal is blue, mistakes vermillion.
#pragma once
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/image/image.hpp"

namespace tn::plot {

struct ConfusionMatrix {
    std::size_t classes = 0;
    std::vector<std::size_t> counts;  // [true class][predicted class], row-major
    std::size_t at(std::size_t truth, std::size_t predicted) const { return counts[truth * classes + predicted]; }
    std::size_t row_total(std::size_t truth) const {
        std::size_t s = 0;
        for (std::size_t p = 0; p < classes; ++p) s += at(truth, p);
        return s;
    }
    std::size_t total() const {
        std::size_t s = 0;
        for (std::size_t c : counts) s += c;
        return s;
    }
    double accuracy() const {
        std::size_t hits = 0;
        for (std::size_t k = 0; k < classes; ++k) hits += at(k, k);
        return total() ? double(hits) / double(total()) : 0.0;
    }
};

// Counts pairs (labels[i], predicted[i]); a class outside [0, classes) is an error.
TYPENET_INLINE ConfusionMatrix confusion_matrix(std::span<const std::size_t> predicted,
                                                std::span<const std::size_t> labels, std::size_t classes);

struct ConfusionOptions {
    std::string title;
    std::vector<std::string> class_names;  // empty: "0", "1", ...
    std::size_t cell = 0;                  // cell size in pixels; 0 picks one that fits the counts
};

TYPENET_INLINE std::string confusion_matrix_svg_string(const ConfusionMatrix& m, const ConfusionOptions& options = {});
TYPENET_INLINE void confusion_matrix_svg(const std::filesystem::path& path, const ConfusionMatrix& m,
                                         const ConfusionOptions& options = {});
// The PNG's pixels (RGB), and the same written to a file.
TYPENET_INLINE image::Image confusion_matrix_image(const ConfusionMatrix& m, const ConfusionOptions& options = {});
TYPENET_INLINE void confusion_matrix_png(const std::filesystem::path& path, const ConfusionMatrix& m,
                                         const ConfusionOptions& options = {});

}  // namespace tn::plot

#if TYPENET_DEFINE_BODIES
#include "typenet/plot/confusion_matrix.ipp"
#endif
