// Softmax + cross-entropy over the last axis, fused: one pass per row computes the
// log-sum-exp, the loss and the gradient softmax(z) - onehot(t). Targets are class
// indices, one per row (one per sample, or one per position of a sequence).
//
// SoftmaxCrossEntropy scores every row. TokenCrossEntropy is the same loss for
// sequences with padding: a row whose target is TokenCrossEntropy::ignore_id (-1)
// is no prediction at all (no loss, a zero gradient, not counted), and the loss is
// the mean over the rows that count, as PyTorch's CrossEntropyLoss(ignore_index)
// does. Both are in nats per prediction; fit reports exp(loss), the perplexity,
// for TokenCrossEntropy, the loss of language models.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>

#include "typenet/losses/loss.hpp"

namespace tn {

namespace detail {
// The loss of one row of logits z against class t; with g, also writes
// (softmax(z) - onehot(t)) * scale into it. One exp per logit.
template <std::size_t C>
double softmax_xent_row(const float* z, std::size_t t, float* g, float scale) {
    const float m = *std::max_element(z, z + C);
    float total = 0.f;
    if (g) {
        for (std::size_t k = 0; k < C; ++k) {
            g[k] = std::exp(z[k] - m);
            total += g[k];
        }
        const float s = scale / total;
        for (std::size_t k = 0; k < C; ++k) g[k] *= s;
        g[t] -= scale;
    } else {
        for (std::size_t k = 0; k < C; ++k) total += std::exp(z[k] - m);
    }
    return std::log(total) + m - z[t];
}

// The loss, accuracy and target check shared by both losses; Ignore: whether a
// target of -1 marks a row to skip.
template <bool Ignore>
struct SoftmaxCrossEntropyBase {
    static constexpr float ignore_id = -1.f;
    template <class Out> static constexpr std::size_t classes = Out::dims[Out::rank - 1];
    template <class Out> static constexpr std::size_t target_width = Out::size / classes<Out>;
    template <class Out> static constexpr std::size_t predictions = target_width<Out>;

    static bool skipped(float t) { return Ignore && t == ignore_id; }

    // The rows that count in a batch.
    template <class Out>
    static std::size_t counted(const float* target, std::size_t batch) {
        const std::size_t rows = batch * target_width<Out>;
        if constexpr (!Ignore) return rows;
        std::size_t n = 0;
        for (std::size_t r = 0; r < rows; ++r) n += !skipped(target[r]);
        return n;
    }

    template <class Out>
    static float compute(const float* out, const float* target, float* grad, std::size_t batch) {
        constexpr std::size_t C = classes<Out>;
        const std::size_t rows = batch * target_width<Out>;
        const std::size_t n = counted<Out>(target, batch);
        const float scale = n ? 1.f / float(n) : 0.f;
        double sum = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            float* g = grad ? grad + r * C : nullptr;
            if (skipped(target[r])) {
                if (g) std::fill_n(g, C, 0.f);
                continue;
            }
            sum += softmax_xent_row<C>(out + r * C, static_cast<std::size_t>(target[r]), g, scale);
        }
        return n ? static_cast<float>(sum / double(n)) : 0.f;
    }
    template <class Out>
    static std::size_t correct(const float* out, const float* target, std::size_t batch) {
        constexpr std::size_t C = classes<Out>;
        std::size_t hits = 0;
        for (std::size_t r = 0; r < batch * target_width<Out>; ++r) {
            if (skipped(target[r])) continue;
            const float* z = out + r * C;
            hits += std::size_t(std::max_element(z, z + C) - z) == static_cast<std::size_t>(target[r]);
        }
        return hits;
    }
    template <class Out>
    static void check_targets(const std::string& loss, const float* t, std::size_t samples) {
        constexpr std::size_t C = classes<Out>;
        for (std::size_t i = 0; i < samples * target_width<Out>; ++i) {
            if (skipped(t[i])) continue;
            if (!(t[i] >= 0.f && t[i] < float(C) && t[i] == std::floor(t[i]))) {
                std::string where = "label of sample " + std::to_string(i / target_width<Out>);
                if (target_width<Out> > 1) where += " at position " + std::to_string(i % target_width<Out>);
                throw TargetError(loss + ": " + where + " is " + detail::format_float(t[i]) + ", but the model has " +
                                  std::to_string(C) + " classes (labels 0 to " + std::to_string(C - 1) + ")" +
                                  (Ignore ? "; -1 marks padding" : ""));
            }
        }
    }
};
}  // namespace detail

struct SoftmaxCrossEntropy : detail::SoftmaxCrossEntropyBase<false> {
    static std::string name() { return "SoftmaxCrossEntropy"; }
    template <class Out>
    static void check_targets(const float* t, std::size_t samples) {
        SoftmaxCrossEntropyBase::check_targets<Out>(name(), t, samples);
    }
};

struct TokenCrossEntropy : detail::SoftmaxCrossEntropyBase<true> {
    static std::string name() { return "TokenCrossEntropy"; }
    // A language model's loss: History reports exp(loss) per token as perplexity.
    static constexpr bool reports_perplexity = true;
    template <class Out>
    static void check_targets(const float* t, std::size_t samples) {
        SoftmaxCrossEntropyBase::check_targets<Out>(name(), t, samples);
    }
};

}  // namespace tn
