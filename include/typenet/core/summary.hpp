// Model::summary()'s table, Keras-style: one row per layer (containers' children
// indented under them) with its output shape and parameter count, then the totals.
// The network's type only decides the rows (core/layer.hpp's SummaryRow); laying
// them out is the same for every network, so it is compiled once.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/core/layer.hpp"

namespace tn::detail {

TYPENET_INLINE std::string summary_table(const std::vector<SummaryRow>& rows, const std::string& input_shape,
                                         std::size_t param_count);

// 61706 -> "61,706"
TYPENET_INLINE std::string with_commas(std::size_t v);

}  // namespace tn::detail

#if TYPENET_DEFINE_BODIES
#include "typenet/core/summary.ipp"
#endif
