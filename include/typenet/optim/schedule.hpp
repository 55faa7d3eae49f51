// Learning-rate schedules: the rate as a function of the epoch (or of the step,
// for whoever calls them per step). Each is a small value type with
//   float operator()(std::size_t t) const;   // t counts from 0
// ReduceOnPlateau is the exception: it reacts to a measured metric, so it keeps state.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>

namespace tn::schedule {

// lr * gamma^floor(t / every)
struct StepDecay {
    float lr = 0.1f;
    std::size_t every = 10;
    float gamma = 0.1f;
    float operator()(std::size_t t) const { return lr * std::pow(gamma, float(t / std::max<std::size_t>(every, 1))); }
};

// lr * gamma^t
struct Exponential {
    float lr = 0.1f;
    float gamma = 0.95f;
    float operator()(std::size_t t) const { return lr * std::pow(gamma, float(t)); }
};

// Half a cosine from lr down to min_lr over `period` steps, then min_lr (SGDR without restarts).
struct Cosine {
    float lr = 0.1f;
    std::size_t period = 100;
    float min_lr = 0.f;
    float operator()(std::size_t t) const {
        if (t >= period) return min_lr;
        const double phase = std::numbers::pi * double(t) / double(std::max<std::size_t>(period, 1));
        return min_lr + (lr - min_lr) * float(0.5 * (1.0 + std::cos(phase)));
    }
};

// Ramps linearly from lr/warmup to the inner schedule's rate over `warmup` steps, then
// follows the inner schedule (shifted so it starts where the warm-up ends): the
// Transformer recipe, since Adam's early steps are noisy.
template <class Inner>
struct LinearWarmup {
    std::size_t warmup = 5;
    Inner after{};
    float operator()(std::size_t t) const {
        if (t < warmup) return after(0) * float(t + 1) / float(warmup);
        return after(t - warmup);
    }
};

struct Constant {
    float lr = 0.01f;
    float operator()(std::size_t) const { return lr; }
};

// Multiplies the rate by `factor` when the watched metric (a validation loss: lower
// is better) has not improved by more than `threshold` (relative) for `patience`
// epochs in a row; never below min_lr (Keras' ReduceLROnPlateau).
struct ReduceOnPlateau {
    float factor = 0.5f;
    std::size_t patience = 3;
    float threshold = 1e-4f;
    float min_lr = 0.f;

    float best = std::numeric_limits<float>::infinity();
    std::size_t bad_epochs = 0;

    // Returns the rate to use next, given the current one and this epoch's metric.
    float update(float metric, float lr) {
        if (metric < best * (1.f - threshold)) {
            best = metric;
            bad_epochs = 0;
            return lr;
        }
        if (++bad_epochs > patience) {
            bad_epochs = 0;
            return std::max(min_lr, lr * factor);
        }
        return lr;
    }
};

}  // namespace tn::schedule
