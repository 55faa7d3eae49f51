// The bodies of plot/history.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cmath>

#include "typenet/plot/history.hpp"

namespace tn::plot {

namespace detail {
inline bool any_finite(const std::vector<float>& v) {
    for (float x : v)
        if (std::isfinite(x)) return true;
    return false;
}
}  // namespace detail

TYPENET_INLINE std::vector<LineChart> history_charts(const History& history) {
    std::vector<double> epochs;
    for (const auto& e : history.epochs) epochs.push_back(double(e.epoch));
    const auto loss = history.column(&EpochRecord::loss), val_loss = history.column(&EpochRecord::val_loss);
    std::vector<LineChart> charts;

    LineChart loss_chart{.title = "loss", .x_label = "epoch", .y_label = "loss"};
    loss_chart.add("train", epochs, loss);
    if (detail::any_finite(val_loss)) loss_chart.add("validation", epochs, val_loss);
    // A log axis when the loss falls by more than 20x: both the start and the tail stay visible.
    double lo = INFINITY, hi = 0;
    bool positive = true;
    for (const auto* column : {&loss, &val_loss})
        for (float v : *column)
            if (std::isfinite(v)) positive &= v > 0, lo = std::min(lo, double(v)), hi = std::max(hi, double(v));
    loss_chart.log_y = positive && lo > 0 && hi / lo > 20;
    charts.push_back(std::move(loss_chart));

    const auto acc = history.column(&EpochRecord::accuracy), val_acc = history.column(&EpochRecord::val_accuracy);
    if (detail::any_finite(acc) || detail::any_finite(val_acc)) {
        LineChart acc_chart{.title = "accuracy", .x_label = "epoch", .y_label = "accuracy (%)"};
        const auto percent = [](const std::vector<float>& v) {
            std::vector<double> out;
            for (float x : v) out.push_back(100.0 * double(x));
            return out;
        };
        acc_chart.add("train", epochs, percent(acc));
        if (detail::any_finite(val_acc)) acc_chart.add("validation", epochs, percent(val_acc));
        charts.push_back(std::move(acc_chart));
    }

    // The learning rate, when something moved it (a schedule, a callback): a flat
    // line would only take room. Log scale when it spans more than 20x, as decays do.
    const auto lr = history.column(&EpochRecord::learning_rate);
    if (!lr.empty()) {
        const auto [lr_lo, lr_hi] = std::minmax_element(lr.begin(), lr.end());
        if (*lr_lo != *lr_hi) {
            LineChart lr_chart{.title = "learning rate", .x_label = "epoch", .y_label = "learning rate"};
            lr_chart.add("", epochs, lr);
            lr_chart.log_y = *lr_lo > 0 && *lr_hi / *lr_lo > 20;
            charts.push_back(std::move(lr_chart));
        }
    }
    return charts;
}

TYPENET_INLINE void curves(const History& history, const std::filesystem::path& path, const std::string& title) {
    const auto charts = history_charts(history);
    std::vector<const LineChart*> panels;
    for (const auto& c : charts) panels.push_back(&c);
    save_row(path, title, panels);
}

}  // namespace tn::plot
