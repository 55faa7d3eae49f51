// Plain stochastic gradient descent: p -= lr * g over the whole parameter arena in
// one vectorised pass. With weight decay, PyTorch's semantics:
//   g <- g + wd p;  p <- p - lr g
// (over every parameter, biases included, as torch.optim.SGD does; for a penalty
// on weights only, and in the reported loss, see regularize/penalty.hpp).
// The optimizer protocol, which Momentum, Adam and the rest (module 03) follow:
//   void step(std::span<float> params, std::span<const float> grads);
//   float learning_rate() const;  void set_learning_rate(float);
// An optimizer with per-parameter state keeps it in a public `OptimizerState<N> state`
// (optim/state.hpp) and names it for checkpoints (train/checkpoint.hpp):
//   template <class F> void for_each_state(F&& f);  // f(std::string_view name, std::span<float> values)
#pragma once
#include <span>
#include <string>

#include "typenet/kernels/elementwise.hpp"
#include "typenet/optim/check.hpp"

namespace tn {

struct SGD {
    struct Options {
        float lr = 0.01f;
        float weight_decay = 0.f;
    };
    Options options{};

    SGD() { check(detail::RateCheck::construction); }
    SGD(const Options& o) : options(o) { check(detail::RateCheck::construction); }

    static std::string name() { return "SGD"; }
    // Throws std::invalid_argument naming the hyperparameter that makes no sense.
    void check(detail::RateCheck when = detail::RateCheck::update) const {
        detail::check_learning_rate("SGD", options.lr, when);
        detail::check_non_negative("SGD", "weight_decay", options.weight_decay);
    }
    void step(std::span<float> params, std::span<const float> grads) const {
        check();
        if (options.weight_decay == 0.f) {
            kernels::axpy(-options.lr, grads.data(), params.data(), params.size());
            return;
        }
        const simd::vec lr(options.lr), wd(options.weight_decay);
        float* p = params.data();
        const float* g = grads.data();
        kernels::parallel_ranges(params.size(), [&](std::size_t begin, std::size_t end) {
            simd::for_each_chunk(end - begin, [&](std::size_t i, std::size_t c) {
                i += begin;
                const simd::vec pv = simd::load(p + i, c);
                const simd::vec gv = simd::fma(wd, pv, simd::load(g + i, c));
                simd::store(p + i, xsimd::fnma(lr, gv, pv), c);
            });
        });
    }
    float learning_rate() const { return options.lr; }
    void set_learning_rate(float lr) {
        detail::check_learning_rate("SGD", lr, detail::RateCheck::update);
        options.lr = lr;
    }
};

}  // namespace tn
