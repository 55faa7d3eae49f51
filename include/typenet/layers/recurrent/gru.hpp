// GRU<H, Options...>: exactly torch.nn.GRU(batch_first=True), gates in PyTorch's
// order r, z, n:
//   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)    z = sigmoid(... z ...)
//   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
//   h' = (1 - z) * n + z * h
// b_hn sits inside r's product, so the input GEMM folds in only b_hr and b_hz, and
// W_hh's gradient differs from W_ih's in the n block (by the factor r). Input
// [T, D]; output [T, H] or [H]. Options and lengths: recurrent/options.hpp; the time
// loop: recurrent_layer.hpp; the cell interface: rnn.hpp.
#pragma once
#include <string>

#include "typenet/layers/recurrent/options.hpp"
#include "typenet/layers/recurrent/recurrent_layer.hpp"

namespace tn {

namespace detail {
template <std::size_t H>
struct GruCell {
    // Per step the cache keeps r, z, n and W_hn h + b_hn (for r's gradient).
    static constexpr std::size_t gates = 3, stride = 4 * H, state = H;
    static constexpr std::size_t folded_hidden_bias = 2 * H;
    static constexpr bool split_hidden_gradient = true;

    static void forward(const float* hg, const float* b_hh, float* g, const float* now, float* next) {
        using simd::vec;
        simd::for_each_chunk(H, [&](std::size_t j, std::size_t n) {
            const vec r = Sigmoid::forward(simd::load(g + j, n) + simd::load(hg + j, n));
            const vec z = Sigmoid::forward(simd::load(g + H + j, n) + simd::load(hg + H + j, n));
            const vec hn = simd::load(hg + 2 * H + j, n) + simd::load(b_hh + 2 * H + j, n);
            const vec c = xsimd::tanh(simd::fma(r, hn, simd::load(g + 2 * H + j, n)));
            const vec h = simd::load(now + j, n);
            simd::store(g + j, r, n);
            simd::store(g + H + j, z, n);
            simd::store(g + 2 * H + j, c, n);
            simd::store(g + 3 * H + j, hn, n);
            simd::store(next + j, simd::fma(z, h - c, c), n);  // (1 - z) n + z h
        });
    }
    // carry = dh of the state leaving; becomes z dh, its share that skips W_hh.
    static void backward(const float* g, const float* now, float* carry, float* dg, float* dgh) {
        using simd::vec;
        const vec one(1.f);
        simd::for_each_chunk(H, [&](std::size_t j, std::size_t n) {
            const vec r = simd::load(g + j, n), z = simd::load(g + H + j, n);
            const vec c = simd::load(g + 2 * H + j, n), hn = simd::load(g + 3 * H + j, n);
            const vec dh = simd::load(carry + j, n);
            const vec dn = dh * (one - z) * (one - c * c);
            const vec dr = dn * hn * r * (one - r);
            const vec dz = dh * (simd::load(now + j, n) - c) * z * (one - z);
            simd::store(dg + j, dr, n);
            simd::store(dg + H + j, dz, n);
            simd::store(dg + 2 * H + j, dn, n);
            simd::store(dgh + j, dr, n);
            simd::store(dgh + H + j, dz, n);
            simd::store(dgh + 2 * H + j, dn * r, n);
            simd::store(carry + j, dh * z, n);
        });
    }
};
}  // namespace detail

template <std::size_t H, class... Options>
struct GRU {
    using options = detail::RecurrentOptions<Options...>;
    template <class In>
    using bind = detail::RecurrentLayer<GRU, In, detail::GruCell<H>, H, options>;
    static std::string name() { return "GRU<" + std::to_string(H) + options::names() + ">"; }
};

}  // namespace tn
