// Adagrad (Duchi et al. 2011): each parameter's step shrinks with the sum of its
// squared gradients, so rare features keep large steps.
//   s <- s + g^2;  p <- p - lr g / (sqrt(s) + eps)
#pragma once
#include <span>
#include <string>

#include "typenet/kernels/simd.hpp"
#include "typenet/optim/check.hpp"
#include "typenet/optim/state.hpp"

namespace tn {

struct Adagrad {
    struct Options {
        float lr = 0.01f;
        float eps = 1e-10f;
        float weight_decay = 0.f;
    };
    Options options{};
    OptimizerState<1> state{};

    Adagrad() { check(detail::RateCheck::construction); }
    Adagrad(const Options& o) : options(o) { check(detail::RateCheck::construction); }

    static std::string name() { return "Adagrad"; }
    float learning_rate() const { return options.lr; }
    void set_learning_rate(float lr) {
        detail::check_learning_rate("Adagrad", lr, detail::RateCheck::update);
        options.lr = lr;
    }
    // Throws std::invalid_argument naming the hyperparameter that makes no sense.
    void check(detail::RateCheck when = detail::RateCheck::update) const {
        detail::check_learning_rate("Adagrad", options.lr, when);
        detail::check_positive("Adagrad", "eps", options.eps);
        detail::check_non_negative("Adagrad", "weight_decay", options.weight_decay);
    }
    // The per-parameter state by name (PyTorch's), for checkpoints (train/checkpoint.hpp).
    template <class F>
    void for_each_state(F&& f) {
        f("sum", state.slot(0));
    }

    void step(std::span<float> params, std::span<const float> grads) {
        check();
        state.ensure(params.size());
        float* p = params.data();
        const float* g = grads.data();
        float* s = state.slot(0).data();
        const simd::vec lr(options.lr), eps(options.eps), wd(options.weight_decay);
        simd::for_each_chunk(params.size(), [&](std::size_t i, std::size_t c) {
            const simd::vec pv = simd::load(p + i, c);
            const simd::vec gv = simd::fma(wd, pv, simd::load(g + i, c));
            const simd::vec sv = simd::fma(gv, gv, simd::load(s + i, c));
            simd::store(s + i, sv, c);
            simd::store(p + i, pv - lr * gv / (xsimd::sqrt(sv) + eps), c);
        });
        ++state.steps;
    }
};

}  // namespace tn
