// Plain stochastic gradient descent: p -= lr * g over the whole parameter arena in
// one vectorised pass. The optimizer protocol, which Momentum, Adam and the rest
// (module 03) follow:
//   void step(std::span<float> params, std::span<const float> grads);
//   float learning_rate() const;  void set_learning_rate(float);
#pragma once
#include <span>
#include <string>

#include "typenet/kernels/elementwise.hpp"

namespace tn {

struct SGD {
    struct Options {
        float lr = 0.01f;
    };
    Options options{};

    static std::string name() { return "SGD"; }
    void step(std::span<float> params, std::span<const float> grads) const {
        kernels::axpy(-options.lr, grads.data(), params.data(), params.size());
    }
    float learning_rate() const { return options.lr; }
    void set_learning_rate(float lr) { options.lr = lr; }
};

}  // namespace tn
