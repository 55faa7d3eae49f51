// The training curves of a fit(): loss (and validation loss) per epoch, an
// accuracy panel beside it when the loss defines accuracy, and a learning-rate
// panel when the rate changed during training.
//
//   auto history = tn::fit(model, train, loss, optimizer, {.epochs = 20, .validation = test});
//   tn::plot::curves(history, "out/03-mlp/loss.svg", "MLP on two moons");
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/plot/line_chart.hpp"
#include "typenet/train/history.hpp"

namespace tn::plot {

// The two panels as charts, for a caller who wants to adjust them before saving.
TYPENET_INLINE std::vector<LineChart> history_charts(const History& history);

// Writes the curves of `history` as one SVG: loss | accuracy | learning rate.
TYPENET_INLINE void curves(const History& history, const std::filesystem::path& path, const std::string& title = "");

}  // namespace tn::plot

#if TYPENET_DEFINE_BODIES
#include "typenet/plot/history.ipp"
#endif
