// FixedContext: the encoder-decoder without attention (Cho et al. 2014): the whole
// source is summed up in one vector, the encoder's output at the source's last real
// position, and the decoder is given that same vector at every position:
//
//   using Decoder = Sequential<Tokens<11>, Embedding<13, 32>, FixedContext, LSTM<64, Stateful>, Dense<13>>;
//
// Input [T, E] (the decoder's embedded tokens), memory [S, D], output [T, E + D]:
// each position's input then the context c = memory[length - 1]. Backward adds the
// sum over the decoder's real positions of the context's gradient into the memory
// gradient at that one source position, so the encoder learns only through it: the
// bottleneck lesson 31 measures. (Sutskever et al. 2014 passed the encoder's final
// state as the decoder's initial state instead; the state arena could carry it, but a
// Stateful layer's starting state is a constant to backward, so the encoder would get
// no gradient: giving the context as an input keeps the path differentiable.)
#pragma once
#include <algorithm>
#include <cstddef>
#include <string>

#include "typenet/core/layer.hpp"
#include "typenet/layers/attention_rnn/rnn_attention.hpp"

namespace tn {
namespace detail {

template <class Spec, std::size_t T, std::size_t E, std::size_t S, std::size_t D>
struct FixedContextLayer {
    using input_shape = Shape<T, E>;
    using output_shape = Shape<T, E + D>;
    static constexpr bool reads_memory = true;
    static std::string name() { return Spec::name(); }

    static void forward(const Pass& p, const float*, const float* x, float* y, float*, float*) {
        for (std::size_t b = 0; b < p.batch; ++b) {
            const float* context = p.memory + b * p.memory_stride + (memory_length_of(p, b, S) - 1) * D;
            const std::size_t L = length_of(p, b, T);
            for (std::size_t t = 0; t < T; ++t) {
                float* o = y + (b * T + t) * (E + D);
                if (t >= L) {
                    std::fill_n(o, E + D, 0.f);
                    continue;
                }
                std::copy_n(x + (b * T + t) * E, E, o);
                std::copy_n(context, D, o + E);
            }
        }
    }
    static void backward(const Pass& p, const float*, const float*, const float*, const float* dy, float* dx, float*,
                         const float*, float*) {
        for (std::size_t b = 0; b < p.batch; ++b) {
            const std::size_t L = length_of(p, b, T);
            float* dcontext =
                p.memory_grad ? p.memory_grad + b * p.memory_stride + (memory_length_of(p, b, S) - 1) * D : nullptr;
            for (std::size_t t = 0; t < T; ++t) {
                const float* g = dy + (b * T + t) * (E + D);
                if (dx) {
                    float* d = dx + (b * T + t) * E;
                    if (t < L) std::copy_n(g, E, d);
                    else std::fill_n(d, E, 0.f);
                }
                if (dcontext && t < L)
                    for (std::size_t k = 0; k < D; ++k) dcontext[k] += g[E + k];
            }
        }
    }
};

template <class Spec, class In, class Memory>
struct fixed_context_bind {
    using query_rule = decltype(check_attention_query<Spec, In>());
    using memory_rule = decltype(check_attention_memory<Spec, Memory>());
    using type = Poisoned<Spec>;
};
template <class Spec, std::size_t T, std::size_t E, std::size_t S, std::size_t D>
struct fixed_context_bind<Spec, Shape<T, E>, Shape<S, D>> {
    using type = FixedContextLayer<Spec, T, E, S, D>;
};

}  // namespace detail

struct FixedContext {
    template <class In>
    using bind = MissingMemory<FixedContext>;
    template <class In, class Memory>
    using bind_with_memory = typename detail::fixed_context_bind<FixedContext, In, Memory>::type;
    static constexpr bool reads_memory = true;
    static std::string name() { return "FixedContext"; }
};

}  // namespace tn
