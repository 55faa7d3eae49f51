// LoRA<Rank, Alpha>: a low-rank adapter on a projection (Hu et al. 2021).
//
// Fine-tuning a pretrained network changes its weight matrices by an update dW that,
// for adapting to a new domain, is close to low rank. LoRA trains that update in a
// factored form and leaves W itself frozen:
//
//     y = x W^T + b + (Alpha / Rank) x A^T B^T       A [Rank, In], B [Out, Rank]
//
// A starts as nn.Linear's default (U(+-1/sqrt(In)), PEFT's kaiming_uniform(a = sqrt(5)))
// and B at 0, so the adapted network starts exactly where the pretrained one was. Only
// Rank (In + Out) floats train per matrix: for a [384, 128] projection at rank 8, 4,096
// instead of 49,152. Alpha / Rank keeps the update's size about the same when the rank
// changes (PEFT's lora_alpha); after training, W + (Alpha / Rank) B A is an ordinary
// weight (merge_lora, train/lora_merge.hpp), so inference costs nothing extra.
//
// It is an option of the layers whose projection it adapts: MultiHeadAttention's
// in_proj (queries, keys and values, as PEFT's default for GPT-2's c_attn), and so
// TransformerEncoderLayer's and GPT's. The adapter's tensors are named after the
// matrix they adapt: in_proj_lora_A [Rank, D] and in_proj_lora_B [3D, Rank].
// Freezing the rest is a name pattern: model.freeze(""); model.unfreeze("*lora_*");
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "typenet/core/options.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/kernels/gemm.hpp"

namespace tn {

template <std::size_t Rank, std::size_t Alpha = Rank>
struct LoRA {
    static constexpr std::size_t rank = Rank;
    static constexpr float scale = Rank > 0 ? float(Alpha) / float(Rank) : 0.f;
    static std::string name() { return "LoRA<" + std::to_string(Rank) + ", " + std::to_string(Alpha) + ">"; }
};
template <std::size_t R, std::size_t A>
inline constexpr bool option_in_range<LoRA<R, A>> = (R > 0 && A > 0);

namespace detail {

// The LoRA option among a layer's options (type void and rank 0: none).
template <class... Options> struct lora_of {
    using type = void;
    static constexpr std::size_t rank = 0;
    static constexpr float scale = 0.f;
};
template <class First, class... Rest> struct lora_of<First, Rest...> : lora_of<Rest...> {};
template <std::size_t R, std::size_t A, class... Rest> struct lora_of<LoRA<R, A>, Rest...> : LoRA<R, A> {
    using type = LoRA<R, A>;
};

// The adapter of one projection x [N, In] -> y [N, Out], its A at params + a and B
// at params + b. Forward keeps u = scale x A^T [N, Rank] (backward's input to dB).
template <std::size_t In, std::size_t Out, std::size_t Rank>
struct LowRankAdapter {
    static constexpr std::size_t a_floats = Rank * In, b_floats = Out * Rank;

    static void init(float* a, float* b, Rng& rng) {
        const float bound = 1.f / std::sqrt(float(In));
        for (std::size_t i = 0; i < a_floats; ++i) a[i] = rng.uniform(-bound, bound);
        std::fill_n(b, b_floats, 0.f);
    }
    // y [N, Out] += scale x A^T B^T; u [N, Rank] = scale x A^T is kept.
    static void forward(std::size_t N, float scale, const float* a, const float* b, const float* x, float* u,
                        float* y, std::size_t ldy) {
        using kernels::Transpose;
        kernels::gemm(Transpose::No, Transpose::Yes, N, Rank, In, x, In, a, In, 0.f, u, Rank);
        for (std::size_t i = 0; i < N * Rank; ++i) u[i] *= scale;
        kernels::gemm(Transpose::No, Transpose::Yes, N, Out, Rank, u, Rank, b, Rank, 1.f, y, ldy);
    }
    // From dy [N, Out]: dB = dy^T u, du = scale dy B (into `du` [N, Rank]), dA = du^T x,
    // and, when dx is given, dx += du A (the frozen path's dx is already there).
    static void backward(std::size_t N, float scale, const float* a, const float* b, const float* x,
                         const float* u, const float* dy, std::size_t lddy, float* da, float* db, float* du,
                         float* dx) {
        using kernels::Transpose;
        kernels::gemm(Transpose::Yes, Transpose::No, Out, Rank, N, dy, lddy, u, Rank, 0.f, db, Rank);
        kernels::gemm(Transpose::No, Transpose::No, N, Rank, Out, dy, lddy, b, Rank, 0.f, du, Rank);
        for (std::size_t i = 0; i < N * Rank; ++i) du[i] *= scale;
        kernels::gemm(Transpose::Yes, Transpose::No, Rank, In, N, du, Rank, x, In, 0.f, da, In);
        if (dx) kernels::gemm(Transpose::No, Transpose::No, N, In, Rank, du, Rank, a, In, 1.f, dx, In);
    }
};

}  // namespace detail
}  // namespace tn
