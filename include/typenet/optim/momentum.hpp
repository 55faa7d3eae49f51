// SGD with momentum, classical or Nesterov, with L2 weight decay, in PyTorch's form:
//   g <- g + wd p;  v <- mu v + g;  p <- p - lr v              (Momentum)
//                                   p <- p - lr (g + mu v)     (Nesterov)
// Polyak's heavy ball keeps moving along directions the gradient keeps pointing to;
// Nesterov's variant looks where the velocity is taking it before it steps.
#pragma once
#include <span>
#include <string>

#include "typenet/kernels/simd.hpp"
#include "typenet/optim/check.hpp"
#include "typenet/optim/state.hpp"

namespace tn {

namespace detail {
template <bool Nesterov>
struct MomentumOptimizer {
    struct Options {
        float lr = 0.01f;
        float momentum = 0.9f;
        float weight_decay = 0.f;
    };
    Options options{};
    OptimizerState<1> state{};

    static constexpr const char* id = Nesterov ? "Nesterov" : "Momentum";
    MomentumOptimizer() { check(RateCheck::construction); }
    MomentumOptimizer(const Options& o) : options(o) { check(RateCheck::construction); }

    static std::string name() { return id; }
    float learning_rate() const { return options.lr; }
    void set_learning_rate(float lr) {
        check_learning_rate(id, lr, RateCheck::update);
        options.lr = lr;
    }
    // Throws std::invalid_argument naming the hyperparameter that makes no sense.
    void check(RateCheck when = RateCheck::update) const {
        check_learning_rate(id, options.lr, when);
        check_in_range(id, "momentum", options.momentum, 0.f, 1.f);
        check_non_negative(id, "weight_decay", options.weight_decay);
    }
    // The per-parameter state by name (PyTorch's), for checkpoints (train/checkpoint.hpp).
    template <class F>
    void for_each_state(F&& f) {
        f("momentum_buffer", state.slot(0));
    }

    void step(std::span<float> params, std::span<const float> grads) {
        check();
        state.ensure(params.size());
        float* p = params.data();
        const float* g = grads.data();
        float* v = state.slot(0).data();
        const simd::vec lr(options.lr), mu(options.momentum), wd(options.weight_decay);
        simd::for_each_chunk(params.size(), [&](std::size_t i, std::size_t c) {
            const simd::vec pv = simd::load(p + i, c);
            const simd::vec gv = simd::fma(wd, pv, simd::load(g + i, c));
            const simd::vec vv = simd::fma(mu, simd::load(v + i, c), gv);
            simd::store(v + i, vv, c);
            const simd::vec direction = Nesterov ? simd::fma(mu, vv, gv) : vv;
            simd::store(p + i, xsimd::fnma(lr, direction, pv), c);
        });
        ++state.steps;
    }
};
}  // namespace detail

using Momentum = detail::MomentumOptimizer<false>;
using Nesterov = detail::MomentumOptimizer<true>;

}  // namespace tn
