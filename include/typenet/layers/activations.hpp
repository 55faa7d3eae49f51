// The activations of modules 01-03. Each forward and its derivative side by side.
#pragma once
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>

#include "typenet/layers/activation.hpp"

namespace tn {

// Heaviside step, the perceptron's unit: 1 if x >= 0, else 0. Its derivative is 0
// almost everywhere, so backward passes the gradient straight through: SGD on the
// squared error then performs exactly Rosenblatt's rule w += lr (t - y) x.
struct Step : Elementwise<Step> {
    static std::string name() { return "Step"; }
    static constexpr bool from_output = true;
    // A NaN stays NaN (it is neither >= 0 nor < 0), so that training stops on it.
    template <class V> static V forward(V x) {
        return xsimd::select(x >= V(0.f), V(1.f), xsimd::select(x < V(0.f), V(0.f), x));
    }
    template <class V> static V backward(V, V, V dy) { return dy; }
};

struct Identity : Elementwise<Identity> {
    static std::string name() { return "Identity"; }
    static constexpr bool from_output = true;
    template <class V> static V forward(V x) { return x; }
    template <class V> static V backward(V, V, V dy) { return dy; }
};

struct Sigmoid : Elementwise<Sigmoid> {
    static std::string name() { return "Sigmoid"; }
    static constexpr bool from_output = true;
    template <class V> static V forward(V x) { return V(1.f) / (V(1.f) + xsimd::exp(-x)); }
    template <class V> static V backward(V, V y, V dy) { return dy * y * (V(1.f) - y); }
};

struct Tanh : Elementwise<Tanh> {
    static std::string name() { return "Tanh"; }
    static constexpr bool from_output = true;
    template <class V> static V forward(V x) { return xsimd::tanh(x); }
    template <class V> static V backward(V, V y, V dy) { return dy * (V(1.f) - y * y); }
};

struct ReLU : Elementwise<ReLU> {
    static std::string name() { return "ReLU"; }
    static constexpr bool from_output = true;
    // Not max(x, 0): on x86 that returns 0 for a NaN x, hiding it from the
    // non-finite check in training. A NaN is not < 0, so it passes through.
    template <class V> static V forward(V x) { return xsimd::select(x < V(0.f), V(0.f), x); }
    template <class V> static V backward(V, V y, V dy) { return xsimd::select(y > V(0.f), dy, V(0.f)); }
};

// LeakyReLU<Num, Den>: slope Num/Den for x < 0 (default 0.01, as PyTorch).
// A ratio, not a float, because clang 14 takes no float template arguments.
template <std::intmax_t Num = 1, std::intmax_t Den = 100>
struct LeakyReLU : Elementwise<LeakyReLU<Num, Den>> {
    static constexpr bool parameters_ok = Num > 0 && Den > 0;  // checked where it is bound
    static constexpr float slope = parameters_ok ? float(Num) / float(Den) : 1.f;
    static std::string name() { return "LeakyReLU<" + std::to_string(Num) + "/" + std::to_string(Den) + ">"; }
    static constexpr bool from_output = true;  // sign(y) == sign(x) for a positive slope
    template <class V> static V forward(V x) { return xsimd::select(x > V(0.f), x, x * V(slope)); }
    template <class V> static V backward(V, V y, V dy) { return xsimd::select(y > V(0.f), dy, dy * V(slope)); }
};

// ELU<Num, Den>: x for x > 0, alpha (e^x - 1) otherwise; alpha = Num/Den (default 1).
template <std::intmax_t Num = 1, std::intmax_t Den = 1>
struct ELU : Elementwise<ELU<Num, Den>> {
    static constexpr bool parameters_ok = Num > 0 && Den > 0;  // checked where it is bound
    static constexpr float alpha = parameters_ok ? float(Num) / float(Den) : 1.f;
    static std::string name() { return Num == Den ? "ELU" : "ELU<" + std::to_string(Num) + "/" + std::to_string(Den) + ">"; }
    static constexpr bool from_output = true;  // for x <= 0, dy/dx = alpha e^x = y + alpha
    template <class V> static V forward(V x) { return xsimd::select(x > V(0.f), x, V(alpha) * xsimd::expm1(x)); }
    template <class V> static V backward(V, V y, V dy) {
        return xsimd::select(y > V(0.f), dy, dy * (y + V(alpha)));
    }
};

// SELU (Klambauer et al. 2017): self-normalising with LeCun-normal weights.
struct SELU : Elementwise<SELU> {
    static constexpr float alpha = 1.6732632423543772f;
    static constexpr float lambda = 1.0507009873554805f;
    static std::string name() { return "SELU"; }
    static constexpr bool from_output = true;  // for x <= 0, dy/dx = lambda alpha e^x = y + lambda alpha
    template <class V> static V forward(V x) {
        return V(lambda) * xsimd::select(x > V(0.f), x, V(alpha) * xsimd::expm1(x));
    }
    template <class V> static V backward(V, V y, V dy) {
        return xsimd::select(y > V(0.f), dy * V(lambda), dy * (y + V(lambda * alpha)));
    }
};

// GELU, the exact form x * Phi(x) (PyTorch's default). Its derivative
// Phi(x) + x phi(x) needs x, so the fused Dense+GELU also stores the pre-activation.
struct GELU : Elementwise<GELU> {
    static std::string name() { return "GELU"; }
    static constexpr bool from_output = false;
    template <class V> static V forward(V x) {
        return V(0.5f) * x * (V(1.f) + xsimd::erf(x * V(std::numbers::sqrt2_v<float> / 2)));
    }
    template <class V> static V backward(V x, V, V dy) {
        const V cdf = V(0.5f) * (V(1.f) + xsimd::erf(x * V(std::numbers::sqrt2_v<float> / 2)));
        const V pdf = xsimd::exp(V(-0.5f) * x * x) * V(0.3989422804014327f);  // 1/sqrt(2 pi)
        return dy * (cdf + x * pdf);
    }
};

// GELUTanh, GELU's tanh approximation (Hendrycks & Gimpel 2016, eq. 2):
//     y = 0.5 x (1 + tanh(u)),   u = sqrt(2/pi) (x + 0.044715 x^3)
// PyTorch's nn.GELU(approximate='tanh') and GPT-2's "gelu_new" (Hugging Face's
// NewGELUActivation), written as they write it. It is not GELU: the two differ by up
// to 4.7e-4 (at x = -2.7), far above the 1e-5 a checkpoint's logits are
// compared to, so a model trained with one must run with the same one. Like GELU its
// derivative needs x:
//     dy/dx = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
struct GELUTanh : Elementwise<GELUTanh> {
    static constexpr float k = 0.7978845608028654f;  // sqrt(2 / pi)
    static constexpr float c = 0.044715f;
    static std::string name() { return "GELUTanh"; }
    static constexpr bool from_output = false;
    template <class V> static V forward(V x) {
        return V(0.5f) * x * (V(1.f) + xsimd::tanh(V(k) * (x + V(c) * x * x * x)));
    }
    template <class V> static V backward(V x, V, V dy) {
        const V x2 = x * x;
        const V t = xsimd::tanh(V(k) * (x + V(c) * x2 * x));
        const V slope = V(0.5f) * (V(1.f) + t) + V(0.5f) * x * (V(1.f) - t * t) * V(k) * (V(1.f) + V(3.f * c) * x2);
        return dy * slope;
    }
};

}  // namespace tn
