// RNN<H, Options...>: the Elman network with tanh, exactly torch.nn.RNN(batch_first=True):
//   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
// Input [T, D]; output [T, H] (ReturnSequences, the default) or [H] (LastState).
// Options and lengths: recurrent/options.hpp; the time loop: recurrent_layer.hpp.
//
// A cell is the arithmetic of one step on one sample's rows:
//   gates, stride, state   gate blocks of H in the weights; cache floats per step;
//                          state floats (h, then c for LSTM)
//   folded_hidden_bias     how much of b_hh (from its start) the input GEMM may add
//   split_hidden_gradient  whether W_hh's pre-activation gradient differs from W_ih's
//   forward(hg, b_hh, gates, now, next)  gates holds the input side's pre-activations
//                          (with the folded biases) and becomes what backward needs;
//                          hg = W_hh h_{t-1}; now: the state entering; next: leaving
//   backward(gates, now, carry, dg, dgh) carry holds d(state leaving) and becomes
//                          the part of d(state entering) that does not go through W_hh
#pragma once
#include <string>

#include "typenet/layers/recurrent/options.hpp"
#include "typenet/layers/recurrent/recurrent_layer.hpp"

namespace tn {

namespace detail {
template <std::size_t H>
struct RnnCell {
    static constexpr std::size_t gates = 1, stride = H, state = H;
    static constexpr std::size_t folded_hidden_bias = H;
    static constexpr bool split_hidden_gradient = false;

    // Keeps h_t in place of the pre-activation: tanh's derivative needs only it.
    static void forward(const float* hg, const float*, float* g, const float*, float* next) {
        simd::for_each_chunk(H, [&](std::size_t j, std::size_t n) {
            const simd::vec h = xsimd::tanh(simd::load(g + j, n) + simd::load(hg + j, n));
            simd::store(g + j, h, n);
            simd::store(next + j, h, n);
        });
    }
    static void backward(const float* g, const float*, float* carry, float* dg, float*) {
        simd::for_each_chunk(H, [&](std::size_t j, std::size_t n) {
            const simd::vec h = simd::load(g + j, n);
            simd::store(dg + j, simd::load(carry + j, n) * (simd::vec(1.f) - h * h), n);
            simd::store(carry + j, simd::vec(0.f), n);
        });
    }
};
}  // namespace detail

template <std::size_t H, class... Options>
struct RNN {
    using options = detail::RecurrentOptions<Options...>;
    template <class In>
    using bind = detail::RecurrentLayer<RNN, In, detail::RnnCell<H>, H, options>;
    static std::string name() { return "RNN<" + std::to_string(H) + options::names() + ">"; }
};

}  // namespace tn
