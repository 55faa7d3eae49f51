// A learning-rate schedule as fit() drives it: one of optim/schedule.hpp's rate
// functions, called once per epoch or once per optimizer step, or ReduceOnPlateau,
// which reacts to a metric at the end of each epoch.
//
//   fit(model, train, loss, sgd, {.epochs = 30, .schedule = schedule::StepDecay{.lr = 0.1f, .every = 10}});
//   fit(model, train, loss, adam, {.epochs = 5, .schedule = {schedule::LinearWarmup<schedule::Cosine>{
//                                      .warmup = 100, .after = {.lr = 1e-3f, .period = 900}}, Every::step}});
//   fit(model, train, loss, sgd, {.epochs = 50, .validation = val, .schedule = schedule::ReduceOnPlateau{}});
//
// A rate function is any `float(std::size_t t) const` callable (t from 0): fit sets
// the optimizer's rate to f(t) before epoch t + 1 (Every::epoch, the default) or
// before optimizer step t + 1 of the run (Every::step), so warm-up and cosine decay
// can follow steps while step decay follows epochs. Without a schedule the
// optimizer's rate is left as it was given.
#pragma once
#include <concepts>
#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "typenet/optim/schedule.hpp"
#include "typenet/train/history.hpp"

namespace tn {

enum class Every { epoch, step };

template <class F>
concept RateFunction = std::is_invocable_r_v<float, const F&, std::size_t>;

class LrSchedule {
public:
    LrSchedule() = default;

    template <RateFunction F>
    LrSchedule(F rate, Every every = Every::epoch) : rate_(std::move(rate)), every_(every) {}

    // `monitor` must be a loss ("val_loss" or "loss"): ReduceOnPlateau treats lower as better.
    LrSchedule(schedule::ReduceOnPlateau plateau, std::string monitor = "val_loss")
        : plateau_(plateau), monitor_(std::move(monitor)) {
        if (monitor_ != "val_loss" && monitor_ != "loss")
            throw std::invalid_argument("LrSchedule: ReduceOnPlateau watches a loss, lower being better; got monitor '" +
                                        monitor_ + "', use \"val_loss\" or \"loss\"");
    }

    bool active() const { return bool(rate_) || plateau_.has_value(); }
    bool per_epoch() const { return rate_ && every_ == Every::epoch; }
    bool per_step() const { return rate_ && every_ == Every::step; }
    bool on_plateau() const { return plateau_.has_value(); }

    // The rate function at t (per_epoch() or per_step() only).
    float rate(std::size_t t) const { return rate_(t); }

    // ReduceOnPlateau's metric and its state (on_plateau() only): fit works on a copy
    // of the schedule, so its memory lives in the run, not in the options.
    const std::string& monitor() const { return monitor_; }
    schedule::ReduceOnPlateau& plateau() { return *plateau_; }
    const schedule::ReduceOnPlateau& plateau() const { return *plateau_; }

private:
    std::function<float(std::size_t)> rate_{};
    Every every_ = Every::epoch;
    std::optional<schedule::ReduceOnPlateau> plateau_{};
    std::string monitor_ = "val_loss";
};

}  // namespace tn
