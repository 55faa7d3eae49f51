// Hinge loss, max(0, 1 - s z) with s = +1 for target 1 and -1 for target 0: the
// loss of the (soft-margin) perceptron and of linear SVMs. Targets are 0/1, as
// for binary cross-entropy, so one data set serves both in lesson 02.
#pragma once
#include <string>

#include "typenet/losses/loss.hpp"

namespace tn {

struct Hinge {
    static std::string name() { return "Hinge"; }
    template <class Out> static constexpr std::size_t target_width = Out::size;
    template <class Out> static constexpr std::size_t predictions = Out::size;

    template <class Out>
    static float compute(const float* out, const float* target, float* grad, std::size_t batch) {
        const std::size_t n = Out::size * batch;
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const float s = target[i] > 0.5f ? 1.f : -1.f;
            const float margin = 1.f - s * out[i];
            if (margin > 0.f) sum += margin;
            if (grad) grad[i] = margin > 0.f ? -s / float(n) : 0.f;
        }
        return static_cast<float>(sum / double(n));
    }
    template <class Out>
    static std::size_t correct(const float* out, const float* target, std::size_t batch) {
        std::size_t hits = 0;
        for (std::size_t i = 0; i < Out::size * batch; ++i) hits += (out[i] >= 0.f) == (target[i] > 0.5f);
        return hits;
    }
    template <class Out>
    static void check_targets(const float* t, std::size_t samples) {
        detail::check_binary_targets(name(), t, samples * Out::size, Out::size);
    }
};

}  // namespace tn
