// Softmax + cross-entropy over the last axis, fused: one pass per row computes the
// log-sum-exp, the loss and the gradient softmax(z) - onehot(t). Targets are class
// indices, one per row (one per sample, or one per position of a sequence).
#pragma once
#include <algorithm>
#include <cmath>
#include <string>

#include "typenet/losses/loss.hpp"

namespace tn {

struct SoftmaxCrossEntropy {
    static std::string name() { return "SoftmaxCrossEntropy"; }
    template <class Out> static constexpr std::size_t classes = Out::dims[Out::rank - 1];
    template <class Out> static constexpr std::size_t target_width = Out::size / classes<Out>;
    template <class Out> static constexpr std::size_t predictions = target_width<Out>;

    template <class Out>
    static float compute(const float* out, const float* target, float* grad, std::size_t batch) {
        constexpr std::size_t C = classes<Out>;
        const std::size_t rows = batch * target_width<Out>;
        const float inv_rows = 1.f / float(rows);
        double sum = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            const float* z = out + r * C;
            const auto t = static_cast<std::size_t>(target[r]);
            const float m = *std::max_element(z, z + C);
            float total = 0.f;
            if (grad) {
                // One exp per logit: keep exp(z - m) in g, then scale it into
                // softmax(z) / rows once the row's total is known.
                float* g = grad + r * C;
                for (std::size_t k = 0; k < C; ++k) {
                    g[k] = std::exp(z[k] - m);
                    total += g[k];
                }
                const float scale = inv_rows / total;
                for (std::size_t k = 0; k < C; ++k) g[k] *= scale;
                g[t] -= inv_rows;
            } else {
                for (std::size_t k = 0; k < C; ++k) total += std::exp(z[k] - m);
            }
            sum += std::log(total) + m - z[t];
        }
        return static_cast<float>(sum / double(rows));
    }
    template <class Out>
    static std::size_t correct(const float* out, const float* target, std::size_t batch) {
        constexpr std::size_t C = classes<Out>;
        std::size_t hits = 0;
        for (std::size_t r = 0; r < batch * target_width<Out>; ++r) {
            const float* z = out + r * C;
            hits += std::size_t(std::max_element(z, z + C) - z) == static_cast<std::size_t>(target[r]);
        }
        return hits;
    }
    template <class Out>
    static void check_targets(const float* t, std::size_t samples) {
        constexpr std::size_t C = classes<Out>;
        for (std::size_t i = 0; i < samples * target_width<Out>; ++i)
            if (!(t[i] >= 0.f && t[i] < float(C) && t[i] == std::floor(t[i])))
                throw TargetError(name() + ": label of sample " + std::to_string(i / target_width<Out>) + " is " +
                                  detail::format_float(t[i]) + ", but the model has " + std::to_string(C) +
                                  " classes (labels 0 to " + std::to_string(C - 1) + ")");
    }
};

}  // namespace tn
