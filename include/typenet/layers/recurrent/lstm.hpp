// LSTM<H, Options...>: exactly torch.nn.LSTM(batch_first=True), gates in PyTorch's
// order i, f, g, o:
//   i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)    f = sigmoid(... f ...)
//   g = tanh(W_ig x + b_ig + W_hg h + b_hg)       o = sigmoid(... o ...)
//   c' = f * c + i * g                            h' = o * tanh(c')
// The state is (h, c), 2H floats per sample when Stateful. Input [T, D]; output
// [T, H] or [H] (LastState: h at each sample's last position). Options and lengths:
// recurrent/options.hpp; the time loop: recurrent_layer.hpp; the cell interface: rnn.hpp.
#pragma once
#include <string>

#include "typenet/layers/recurrent/options.hpp"
#include "typenet/layers/recurrent/recurrent_layer.hpp"

namespace tn {

namespace detail {
template <std::size_t H>
struct LstmCell {
    // Per step the cache keeps i, f, g, o (activated) and xsimd::tanh(c').
    static constexpr std::size_t gates = 4, stride = 5 * H, state = 2 * H;
    static constexpr std::size_t folded_hidden_bias = 4 * H;
    static constexpr bool split_hidden_gradient = false;

    static void forward(const float* hg, const float*, float* g, const float* now, float* next) {
        using simd::vec;
        simd::for_each_chunk(H, [&](std::size_t j, std::size_t n) {
            const vec i = Sigmoid::forward(simd::load(g + j, n) + simd::load(hg + j, n));
            const vec f = Sigmoid::forward(simd::load(g + H + j, n) + simd::load(hg + H + j, n));
            const vec c_in = xsimd::tanh(simd::load(g + 2 * H + j, n) + simd::load(hg + 2 * H + j, n));
            const vec o = Sigmoid::forward(simd::load(g + 3 * H + j, n) + simd::load(hg + 3 * H + j, n));
            const vec c = simd::fma(f, simd::load(now + H + j, n), i * c_in);
            const vec tc = xsimd::tanh(c);
            simd::store(g + j, i, n);
            simd::store(g + H + j, f, n);
            simd::store(g + 2 * H + j, c_in, n);
            simd::store(g + 3 * H + j, o, n);
            simd::store(g + 4 * H + j, tc, n);
            simd::store(next + j, o * tc, n);
            simd::store(next + H + j, c, n);
        });
    }
    // carry = (dh, dc) of the state leaving; becomes (0, dc f) for the state entering.
    static void backward(const float* g, const float* now, float* carry, float* dg, float*) {
        using simd::vec;
        const vec one(1.f);
        simd::for_each_chunk(H, [&](std::size_t j, std::size_t n) {
            const vec i = simd::load(g + j, n), f = simd::load(g + H + j, n);
            const vec c_in = simd::load(g + 2 * H + j, n), o = simd::load(g + 3 * H + j, n);
            const vec tc = simd::load(g + 4 * H + j, n);
            const vec dh = simd::load(carry + j, n);
            const vec dc = simd::fma(dh * o, one - tc * tc, simd::load(carry + H + j, n));
            simd::store(dg + j, dc * c_in * i * (one - i), n);
            simd::store(dg + H + j, dc * simd::load(now + H + j, n) * f * (one - f), n);
            simd::store(dg + 2 * H + j, dc * i * (one - c_in * c_in), n);
            simd::store(dg + 3 * H + j, dh * tc * o * (one - o), n);
            simd::store(carry + j, vec(0.f), n);
            simd::store(carry + H + j, dc * f, n);
        });
    }
};
}  // namespace detail

template <std::size_t H, class... Options>
struct LSTM {
    using options = detail::RecurrentOptions<Options...>;
    template <class In>
    using bind = detail::RecurrentLayer<LSTM, In, detail::LstmCell<H>, H, options>;
    static std::string name() { return "LSTM<" + std::to_string(H) + options::names() + ">"; }
};

}  // namespace tn
