// Binary cross-entropy, for one or more independent yes/no outputs.
//   BinaryCrossEntropy            on probabilities (after a Sigmoid layer), clamped
//                                 away from 0 and 1 as PyTorch's BCELoss does;
//   BinaryCrossEntropyWithLogits  on raw scores, with the sigmoid folded in: stable
//                                 for any score and the gradient is simply p - t.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>

#include "typenet/losses/loss.hpp"

namespace tn {

struct BinaryCrossEntropy {
    static std::string name() { return "BinaryCrossEntropy"; }
    template <class Out> static constexpr std::size_t target_width = Out::size;
    template <class Out> static constexpr std::size_t predictions = Out::size;
    static constexpr float eps = 1e-7f;

    template <class Out>
    static float compute(const float* out, const float* target, float* grad, std::size_t batch) {
        const std::size_t n = Out::size * batch;
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const float p = std::clamp(out[i], eps, 1.f - eps);
            const float t = target[i];
            sum -= t * std::log(p) + (1.f - t) * std::log(1.f - p);
            if (grad) grad[i] = (p - t) / (p * (1.f - p)) / float(n);
        }
        return static_cast<float>(sum / double(n));
    }
    template <class Out>
    static std::size_t correct(const float* out, const float* target, std::size_t batch) {
        std::size_t hits = 0;
        for (std::size_t i = 0; i < Out::size * batch; ++i) hits += (out[i] >= 0.5f) == (target[i] >= 0.5f);
        return hits;
    }
    template <class Out>
    static void check_targets(const float* t, std::size_t samples) {
        for (std::size_t i = 0; i < samples * Out::size; ++i)
            if (!(t[i] >= 0.f && t[i] <= 1.f))
                throw TargetError(name() + ": target of sample " + std::to_string(i / Out::size) + " is " +
                                  detail::format_float(t[i]) + ", expected a probability in [0, 1]");
    }
};

struct BinaryCrossEntropyWithLogits {
    static std::string name() { return "BinaryCrossEntropyWithLogits"; }
    template <class Out> static constexpr std::size_t target_width = Out::size;
    template <class Out> static constexpr std::size_t predictions = Out::size;

    template <class Out>
    static float compute(const float* out, const float* target, float* grad, std::size_t batch) {
        const std::size_t n = Out::size * batch;
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const float z = out[i], t = target[i];
            // log(1 + e^z) - t z, written so that e^|z| never overflows
            sum += std::max(z, 0.f) - z * t + std::log1p(std::exp(-std::abs(z)));
            if (grad) grad[i] = (1.f / (1.f + std::exp(-z)) - t) / float(n);
        }
        return static_cast<float>(sum / double(n));
    }
    template <class Out>
    static std::size_t correct(const float* out, const float* target, std::size_t batch) {
        std::size_t hits = 0;
        for (std::size_t i = 0; i < Out::size * batch; ++i) hits += (out[i] >= 0.f) == (target[i] >= 0.5f);
        return hits;
    }
    template <class Out>
    static void check_targets(const float* t, std::size_t samples) {
        BinaryCrossEntropy::check_targets<Out>(t, samples);
    }
};

}  // namespace tn
