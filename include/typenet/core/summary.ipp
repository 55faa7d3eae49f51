// The bodies of core/summary.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>

#include "typenet/core/summary.hpp"

namespace tn::detail {

TYPENET_INLINE std::string with_commas(std::size_t v) {
    const std::string digits = std::to_string(v);
    std::string s;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) s.push_back(',');
        s.push_back(digits[i]);
    }
    return s;
}

TYPENET_INLINE std::string summary_table(const std::vector<SummaryRow>& rows, const std::string& input_shape,
                                         std::size_t param_count) {
    std::size_t name_w = 5, shape_w = 12;
    for (const auto& r : rows) {
        name_w = std::max(name_w, r.name.size() + 2 * std::size_t(r.depth) + 14);
        shape_w = std::max(shape_w, r.output_shape.size());
    }
    // Left-aligned in `w` columns, or right-aligned.
    const auto left = [](const std::string& s, std::size_t w) { return s + std::string(w - std::min(w, s.size()), ' '); };
    const auto right = [](const std::string& s, std::size_t w) { return std::string(w - std::min(w, s.size()), ' ') + s; };
    const std::string rule(name_w + shape_w + 16, '-');
    std::string out = rule + '\n' + left("Layer", name_w) + "  " + left("Output shape", shape_w) + "  " +
                      right("Params", 12) + '\n' + rule + '\n';
    for (const auto& r : rows)
        out += left(std::string(2 * std::size_t(r.depth), ' ') + r.name, name_w) + "  " +
               left(r.output_shape, shape_w) + "  " + right(with_commas(r.params), 12) + '\n';
    out += rule + '\n' + "Input: " + input_shape + "   Total params: " + with_commas(param_count) + " (" +
           with_commas(param_count * sizeof(float)) + " bytes)\n" + rule + '\n';
    return out;
}

}  // namespace tn::detail
