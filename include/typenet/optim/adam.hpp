// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), in PyTorch's form:
//   m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2
//   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// Adam adds weight decay to the gradient (L2); AdamW decays the weights directly,
// p <- p (1 - lr wd), which does not get rescaled by the adaptive step.
#pragma once
#include <cmath>
#include <span>
#include <string>

#include "typenet/kernels/simd.hpp"
#include "typenet/optim/check.hpp"
#include "typenet/optim/state.hpp"

namespace tn {

namespace detail {
template <bool Decoupled>
struct AdamOptimizer {
    struct Options {
        float lr = 1e-3f;
        float beta1 = 0.9f;
        float beta2 = 0.999f;
        float eps = 1e-8f;
        float weight_decay = Decoupled ? 1e-2f : 0.f;
    };
    Options options{};
    OptimizerState<2> state{};

    static constexpr const char* id = Decoupled ? "AdamW" : "Adam";
    AdamOptimizer() { check(RateCheck::construction); }
    AdamOptimizer(const Options& o) : options(o) { check(RateCheck::construction); }

    static std::string name() { return id; }
    float learning_rate() const { return options.lr; }
    void set_learning_rate(float lr) {
        check_learning_rate(id, lr, RateCheck::update);
        options.lr = lr;
    }
    // Throws std::invalid_argument naming the hyperparameter that makes no sense.
    void check(RateCheck when = RateCheck::update) const {
        check_learning_rate(id, options.lr, when);
        check_in_range(id, "beta1", options.beta1, 0.f, 1.f);
        check_in_range(id, "beta2", options.beta2, 0.f, 1.f);
        check_positive(id, "eps", options.eps);
        check_non_negative(id, "weight_decay", options.weight_decay);
    }
    // The per-parameter state by name (PyTorch's), for checkpoints (train/checkpoint.hpp).
    template <class F>
    void for_each_state(F&& f) {
        f("exp_avg", state.slot(0));
        f("exp_avg_sq", state.slot(1));
    }

    void step(std::span<float> params, std::span<const float> grads) {
        check();
        state.ensure(params.size());
        ++state.steps;
        const double t = double(state.steps);
        // Bias corrections in double: for beta2 = 0.999 the float power loses digits.
        const float c1 = float(1.0 / (1.0 - std::pow(double(options.beta1), t)));
        const float c2 = float(1.0 / (1.0 - std::pow(double(options.beta2), t)));
        float* p = params.data();
        const float* g = grads.data();
        float* m = state.slot(0).data();
        float* v = state.slot(1).data();
        const simd::vec b1(options.beta1), b1c(1.f - options.beta1), b2(options.beta2), b2c(1.f - options.beta2),
            eps(options.eps), lr(options.lr), corr1(c1), corr2(c2), wd(options.weight_decay),
            decay(1.f - options.lr * options.weight_decay);
        simd::for_each_chunk(params.size(), [&](std::size_t i, std::size_t c) {
            simd::vec pv = simd::load(p + i, c);
            simd::vec gv = simd::load(g + i, c);
            if constexpr (Decoupled) pv = pv * decay;
            else gv = simd::fma(wd, pv, gv);
            const simd::vec mv = simd::fma(b1, simd::load(m + i, c), b1c * gv);
            const simd::vec vv = simd::fma(b2, simd::load(v + i, c), b2c * gv * gv);
            simd::store(m + i, mv, c);
            simd::store(v + i, vv, c);
            simd::store(p + i, pv - lr * (mv * corr1) / (xsimd::sqrt(vv * corr2) + eps), c);
        });
    }
};
}  // namespace detail

using Adam = detail::AdamOptimizer<false>;
using AdamW = detail::AdamOptimizer<true>;

}  // namespace tn
