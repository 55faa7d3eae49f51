// CrossAttention<Heads, Options...>: multi-head attention whose queries come from the
// decoder's sequence x [T, D] and whose keys and values come from the encoder's
// output, the memory m [S, D] (core/layer.hpp's contract), as PyTorch's
// nn.MultiheadAttention(D, Heads, batch_first=True) called as
// attn(query = x, key = m, value = m, key_padding_mask = the source's padding): the
// `multihead_attn` of nn.TransformerDecoderLayer.
//
//     Q     = x W_q^T + b_q                 W_q = rows 0 .. D of in_proj_weight [3D, D]
//     [K V] = m W_kv^T + b_kv               W_kv = rows D .. 3D (the k block, then v)
//     head_h = softmax(Q_h K_h^T / sqrt(D/H)) V_h,  y = [head_0 ... head_{H-1}] W_out^T + b_out
//
// The arithmetic per sample and head is the scaled dot-product kernel
// (scaled_dot_product.hpp), the same functions MultiHeadAttention calls: only where
// Q, K and V come from differs, and the mask (no causal part; the keys' length is the
// memory's, Pass::memory_lengths; the queries' is Pass::lengths).
//
// Options: AttentionDropout<N, D> (on the probabilities, training only) and NoBias,
// as MultiHeadAttention's. Parameters have its names and layouts: in_proj_weight
// [3D, D], in_proj_bias [3D], out_proj.weight [D, D], out_proj.bias [D].
//
// Rules (compile errors, one at a time): the decoder's input is a sequence [T, D];
// the memory is a sequence [S, D'] (MemoryNotSequence); D' == D, since in_proj_weight
// projects queries, keys and values from one width (MemoryWidthMismatch<...,
// QueryWidth<D>, MemoryWidth<D'>>); Heads divides D (HeadsDoNotDivideWidth). Used
// outside the decoder of an EncoderDecoder it has no memory: NeedsMemory.
//
// Padding: a query past its sample's length gives 0 and no gradient; a memory row at
// or past the memory length is never attended, and its gradient is exactly 0. (Its
// key and value are still projected by the one batched GEMM: cheaper than a GEMM per
// sample, and nothing downstream reads them.) Backward ADDS d memory into
// Pass::memory_grad, so a stack of decoder layers sums its layers' gradients in place.
//
// Memory stride (Pass::memory_stride): S*D (each sample its own memory, training) or
// 0 (the beams of one source share one memory: the projections are then computed
// once per sample from the same rows, which is what a beam costs anyway).
//
// Cache, per sample: Q [T, D], [K V] [S, 2D], the heads' outputs [T, D], the
// probabilities [H, T, S] (training only, as MultiHeadAttention's), the dropped
// probabilities [H, T, S] with AttentionDropout, and the two lengths. In inference
// each head walks its queries 16 rows at a time through a [16, S] scratch.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "typenet/core/errors.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/options.hpp"
#include "typenet/kernels/elementwise.hpp"
#include "typenet/kernels/for_each_sample.hpp"
#include "typenet/kernels/gemm.hpp"
#include "typenet/layers/attention/multi_head_attention.hpp"  // AttentionDropout, the options' traits
#include "typenet/layers/attention/rules.hpp"
#include "typenet/layers/attention/scaled_dot_product.hpp"

namespace tn {

template <std::size_t Heads, class... Options>
struct CrossAttention;

namespace detail {

template <class Option> struct is_cross_attention_option : std::false_type {};
template <> struct is_cross_attention_option<NoBias> : std::true_type {};
template <std::intmax_t N, std::intmax_t D> struct is_cross_attention_option<AttentionDropout<N, D>> : std::true_type {};

template <class Spec, bool Ok>
constexpr auto check_cross_heads() {
    static_assert(ZeroSizedLayer<Spec, Ok>::ok, "CrossAttention<Heads>: Heads must be at least 1");
    return Ok;
}
template <class Spec, class Unknown, bool Ok>
constexpr auto check_cross_options() {
    static_assert(UnknownOption<Spec, Unknown, Ok>::ok,
                  "CrossAttention: unknown option; it takes AttentionDropout<N, D> and NoBias");
    return Ok;
}
template <class Spec, class OutOfRange, bool Ok>
constexpr auto check_cross_ranges() {
    static_assert(OptionOutOfRange<Spec, OutOfRange, Ok>::ok,
                  "CrossAttention: AttentionDropout<N, D>'s rate N/D must be at least 0 and below 1");
    return Ok;
}
template <class Spec, class In, bool Ok>
constexpr auto check_cross_input() {
    static_assert(NeedsSequence<Spec, typename got_of<In>::type, Ok>::ok,
                  "CrossAttention reads the decoder's sequence [T, D] (rank 2: T positions of D features)");
    return Ok;
}
template <class Spec, class Memory, bool Ok>
constexpr auto check_cross_memory() {
    static_assert(MemoryNotSequence<Spec, typename got_of<Memory>::type, Ok>::ok,
                  "CrossAttention attends over a memory [S, D] (rank 2: S source positions); the encoder must "
                  "return a sequence");
    return Ok;
}
template <class Spec, std::size_t D, std::size_t Dm, bool Ok>
constexpr auto check_cross_widths() {
    static_assert(MemoryWidthMismatch<Spec, QueryWidth<D>, MemoryWidth<Dm>, Ok>::ok,
                  "CrossAttention: the decoder's width (QueryWidth) and the encoder's output width (MemoryWidth) "
                  "must be equal, since in_proj_weight [3D, D] projects queries, keys and values from one width; "
                  "give the encoder and the decoder the same model width");
    return Ok;
}
template <class Spec, std::size_t H, std::size_t D, bool Ok>
constexpr auto check_cross_divides() {
    static_assert(HeadsDoNotDivideWidth<Spec, HeadCount<H>, ModelWidth<D>, Ok>::ok,
                  "CrossAttention<Heads>: Heads must divide the model width D (each head attends in D / Heads "
                  "dimensions)");
    return Ok;
}

template <class Spec, class In, class Memory, std::size_t H>
struct CrossAttentionLayer {
    static constexpr bool heads_ok = H > 0;
    static constexpr bool options_ok = std::is_void_v<typename Spec::unknown_option>;
    static constexpr bool ranges_ok = std::is_void_v<typename Spec::out_of_range_option>;
    static constexpr bool is_sequence = In::rank == 2;
    static constexpr bool memory_is_sequence = Memory::rank == 2;
    static constexpr std::size_t T = In::dims[0];
    static constexpr std::size_t D = is_sequence ? In::dims[1] : 1;
    static constexpr std::size_t S = memory_is_sequence ? Memory::dims[0] : 1;
    static constexpr std::size_t Dm = memory_is_sequence ? Memory::dims[1] : 1;
    static constexpr bool widths_ok = Dm == D;
    static constexpr bool divides = heads_ok && D % H == 0;
    // Each rule is judged only when the ones before it hold.
    static constexpr bool before_input = heads_ok && options_ok && ranges_ok;
    using heads_rule = decltype(check_cross_heads<Spec, heads_ok>());
    using option_rule = decltype(check_cross_options<Spec, typename Spec::unknown_option, options_ok || !heads_ok>());
    using range_rule = decltype(check_cross_ranges<Spec, typename Spec::out_of_range_option,
                                                   ranges_ok || !heads_ok || !options_ok>());
    using input_rule = decltype(check_cross_input<Spec, In, is_sequence || !before_input>());
    using memory_rule = decltype(check_cross_memory<Spec, Memory, memory_is_sequence || !before_input || !is_sequence>());
    using width_rule = decltype(check_cross_widths<Spec, D, Dm,
                                                   widths_ok || !before_input || !is_sequence || !memory_is_sequence>());
    using divide_rule = decltype(check_cross_divides<Spec, H, D,
                                                     divides || !before_input || !is_sequence || !memory_is_sequence ||
                                                         !widths_ok>());
    static constexpr bool valid = before_input && is_sequence && memory_is_sequence && widths_ok && divides;

    static constexpr bool reads_memory = true;
    static constexpr std::size_t heads = H, queries = T, keys = S;
    static constexpr std::size_t head_dim = heads_ok ? D / H : 1;
    static constexpr bool has_bias = Spec::has_bias;
    static constexpr float dropout_rate = Spec::dropout_rate;
    static constexpr bool has_dropout = dropout_rate > 0.f;
    static constexpr std::size_t tile_rows = T < 16 ? T : 16;

    using input_shape = In;
    using output_shape = checked_shape_t<valid, Shape<T, D>>;

    // Parameters, PyTorch's order: the q rows of in_proj come first, then k, then v.
    static constexpr std::size_t w_in = 0, w_kv = D * D, b_in = 3 * D * D, b_kv = b_in + D;
    static constexpr std::size_t w_out = b_in + (has_bias ? 3 * D : 0), b_out = w_out + D * D;
    static constexpr std::size_t param_count = b_out + (has_bias ? D : 0);

    static constexpr std::size_t q_floats = T * D, kv_floats = S * 2 * D, heads_floats = T * D,
                                 probs_floats = H * T * S;
    static constexpr std::size_t dropped_floats = has_dropout ? probs_floats : 0;
    static constexpr std::size_t cache_size = q_floats + kv_floats + heads_floats + probs_floats + dropped_floats + 2;
    // Backward: dHeads [T, D], dQ [T, D], d[K V] [S, 2D], dProbs [H, T, S]; forward's
    // tiles [H, 16, S] and dropout's multipliers [T, S] fit inside.
    static constexpr std::size_t workspace_size = heads_floats + q_floats + kv_floats + probs_floats;

    struct CacheView {
        float* q;        // [B, T, D]
        float* kv;       // [B, S, 2D]
        float* out;      // [B, T, D]
        float* probs;    // [B, H, T, S]
        float* dropped;  // [B, H, T, S], or probs without dropout
        float* lengths;  // [B, 2]: query length, key length
    };
    static CacheView view(float* cache, std::size_t B) {
        CacheView v;
        v.q = cache;
        v.kv = v.q + B * q_floats;
        v.out = v.kv + B * kv_floats;
        v.probs = v.out + B * heads_floats;
        v.dropped = has_dropout ? v.probs + B * probs_floats : v.probs;
        v.lengths = v.probs + B * (probs_floats + dropped_floats);
        return v;
    }

    static std::string name() { return Spec::name(); }

    template <class F>
    static void for_each_param(F&& f) {
        f(std::string("in_proj_weight"), w_in, std::vector<std::size_t>{3 * D, D});
        if constexpr (has_bias) f(std::string("in_proj_bias"), b_in, std::vector<std::size_t>{3 * D});
        f(std::string("out_proj.weight"), w_out, std::vector<std::size_t>{D, D});
        if constexpr (has_bias) f(std::string("out_proj.bias"), b_out, std::vector<std::size_t>{D});
    }
    // As MultiHeadAttention (and PyTorch): in_proj Xavier uniform over (D, 3D),
    // out_proj nn.Linear's U(+-1/sqrt(D)), biases 0.
    static void init(float* params, Rng& rng) {
        XavierUniform::fill(params + w_in, 3 * D * D, D, 3 * D, rng);
        const float a = 1.f / std::sqrt(float(D));
        for (std::size_t i = 0; i < D * D; ++i) params[w_out + i] = rng.uniform(-a, a);
        if constexpr (has_bias) {
            std::fill_n(params + b_in, 3 * D, 0.f);
            std::fill_n(params + b_out, D, 0.f);
        }
    }
    template <class F>
    static void for_each_weight(F&& f) {
        f(w_in, 3 * D * D, Regularization{});
        f(w_out, D * D, Regularization{});
    }

    static kernels::AttentionOperands operands(const CacheView& c, std::size_t b, std::size_t h) {
        const float* q = c.q + b * q_floats + h * head_dim;
        const float* k = c.kv + b * kv_floats + h * head_dim;
        return {q, D, k, 2 * D, k + D, 2 * D, head_dim, head_dim};
    }
    static kernels::AttentionMask mask_of(const CacheView& c, std::size_t b) {
        return {std::size_t(c.lengths[2 * b]), std::size_t(c.lengths[2 * b + 1]), false};
    }
    static float scale() { return 1.f / std::sqrt(float(head_dim)); }

    static void check_memory(const Pass& p) {
        if (!p.memory)
            throw std::logic_error(name() + ": no memory in the pass (it runs inside the decoder of an "
                                            "EncoderDecoder, which hands it the encoder's output)");
    }

    // [K V] of every sample from its memory rows: one GEMM over the batch when the
    // samples' memories are contiguous, one per sample otherwise (shared memory).
    static void project_memory(const Pass& p, const float* params, float* kv) {
        using kernels::Transpose;
        const auto project = [&](const float* m, std::size_t rows, float* out) {
            if constexpr (has_bias)
                kernels::gemm(Transpose::No, Transpose::Yes, rows, 2 * D, D, m, D, params + w_kv, D, 0.f, out, 2 * D,
                              BiasActivation<Identity, true>{params + b_kv});
            else
                kernels::gemm(Transpose::No, Transpose::Yes, rows, 2 * D, D, m, D, params + w_kv, D, 0.f, out, 2 * D);
        };
        if (p.memory_stride == S * D) project(p.memory, p.batch * S, kv);
        else
            for (std::size_t b = 0; b < p.batch; ++b) project(p.memory + b * p.memory_stride, S, kv + b * kv_floats);
    }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float* cache,
                        float* workspace) {
        using kernels::Transpose;
        check_memory(p);
        const std::size_t B = p.batch;
        const CacheView c = view(cache, B);
        if constexpr (has_bias)
            kernels::gemm(Transpose::No, Transpose::Yes, B * T, D, D, x, D, params + w_in, D, 0.f, c.q, D,
                          BiasActivation<Identity, true>{params + b_in});
        else
            kernels::gemm(Transpose::No, Transpose::Yes, B * T, D, D, x, D, params + w_in, D, 0.f, c.q, D);
        project_memory(p, params, c.kv);
        for (std::size_t b = 0; b < B; ++b) {
            const std::size_t Lk = memory_length_of(p, b, S);
            if (Lk < 1 || Lk > S)
                throw std::invalid_argument(name() + ": sample " + std::to_string(b) + "'s memory length is " +
                                            std::to_string(Lk) + ", but it is 1 to " + std::to_string(S));
            c.lengths[2 * b] = float(length_of(p, b, T));
            c.lengths[2 * b + 1] = float(Lk);
        }

        const bool keep = p.training;
        const bool drop = has_dropout && p.training;
        if (drop && !p.rng)
            throw std::logic_error(name() + ": training with AttentionDropout needs a random generator (Pass::rng)");
        const std::size_t items = B * H;
        const auto each_head = [&](auto&& f) {
            kernels::parallel_items(items, kernels::item_threads(items, T * S * head_dim, items),
                                    [&](std::size_t item, std::size_t) { f(item / H, item % H, item); });
        };
        if (!drop) {
            each_head([&](std::size_t b, std::size_t h, std::size_t item) {
                float* probs = keep ? c.probs + item * T * S : workspace + item * tile_rows * S;
                kernels::attention_forward_tiled(operands(c, b, h), mask_of(c, b), scale(), T,
                                                 c.out + b * heads_floats + h * head_dim, D, probs, S,
                                                 keep ? T : tile_rows);
            });
        } else {
            // As MultiHeadAttention: probabilities (threads), masks from the one
            // generator in order (the same masks whatever the thread count), then
            // the dropped probabilities times V (threads).
            each_head([&](std::size_t b, std::size_t h, std::size_t item) {
                const auto mask = mask_of(c, b);
                float* probs = c.probs + item * T * S;
                kernels::attention_probabilities(operands(c, b, h), mask, scale(), 0, mask.query_length, probs, S);
                for (std::size_t i = 0; i < mask.query_length; ++i)
                    std::fill(probs + i * S + mask.key_length, probs + (i + 1) * S, 0.f);
            });
            for (std::size_t item = 0; item < items; ++item) {
                const auto mask = mask_of(c, item / H);
                kernels::dropout_forward(*p.rng, dropout_rate, c.probs + item * T * S, workspace,
                                         c.dropped + item * T * S, mask.query_length * S);
            }
            each_head([&](std::size_t b, std::size_t h, std::size_t item) {
                const auto mask = mask_of(c, b);
                float* out = c.out + b * heads_floats + h * head_dim;
                kernels::gemm(Transpose::No, Transpose::No, mask.query_length, head_dim, mask.key_length,
                              c.dropped + item * T * S, S, operands(c, b, h).v, 2 * D, 0.f, out, D);
                for (std::size_t i = mask.query_length; i < T; ++i) std::fill_n(out + i * D, head_dim, 0.f);
            });
        }
        if constexpr (has_bias)
            kernels::gemm(Transpose::No, Transpose::Yes, B * T, D, D, c.out, D, params + w_out, D, 0.f, y, D,
                          BiasActivation<Identity, true>{params + b_out});
        else
            kernels::gemm(Transpose::No, Transpose::Yes, B * T, D, D, c.out, D, params + w_out, D, 0.f, y, D);
        if (p.lengths)
            for (std::size_t b = 0; b < B; ++b)
                std::fill(y + (b * T + length_of(p, b, T)) * D, y + (b + 1) * T * D, 0.f);
    }

    static void backward(const Pass& p, const float* params, const float* x, const float*, const float* dy,
                         float* dx, float* dparams, const float* cache, float* workspace) {
        using kernels::Transpose;
        check_memory(p);
        const std::size_t B = p.batch;
        const CacheView c = view(const_cast<float*>(cache), B);
        float* d_out = workspace;               // [B*T, D]
        float* d_q = d_out + B * heads_floats;  // [B*T, D]
        float* d_kv = d_q + B * q_floats;       // [B*S, 2D]
        float* d_probs = d_kv + B * kv_floats;  // [B, H, T, S]
        // dW_out = dY^T heads (padded head rows are 0); b_out over real rows only.
        kernels::gemm(Transpose::Yes, Transpose::No, D, D, B * T, dy, D, c.out, D, 0.f, dparams + w_out, D);
        if constexpr (has_bias) {
            float* db = dparams + b_out;
            std::fill_n(db, D, 0.f);
            for (std::size_t b = 0; b < B; ++b)
                for (std::size_t t = 0, L = length_of(p, b, T); t < L; ++t) kernels::add_into(db, dy + (b * T + t) * D, D);
        }
        kernels::gemm(Transpose::No, Transpose::No, B * T, D, D, dy, D, params + w_out, D, 0.f, d_out, D);
        // The kernel writes the real rows only: zero first, so padding gives exactly 0.
        std::fill_n(d_q, B * q_floats, 0.f);
        std::fill_n(d_kv, B * kv_floats, 0.f);
        const std::size_t items = B * H;
        kernels::parallel_items(items, kernels::item_threads(items, T * S * head_dim, items),
                                [&](std::size_t item, std::size_t) {
            const std::size_t b = item / H, h = item % H;
            float* dq = d_q + b * q_floats + h * head_dim;
            float* dk = d_kv + b * kv_floats + h * head_dim;
            kernels::attention_backward(operands(c, b, h), mask_of(c, b), scale(), c.probs + item * T * S,
                                        c.dropped + item * T * S, S, d_out + b * heads_floats + h * head_dim, D, dq,
                                        D, dk, 2 * D, dk + D, 2 * D, d_probs + item * T * S);
        });
        // Queries: dW_q = dQ^T X, b_q: column sums, dX = dQ W_q.
        kernels::gemm(Transpose::Yes, Transpose::No, D, D, B * T, d_q, D, x, D, 0.f, dparams + w_in, D);
        if constexpr (has_bias) kernels::column_sums(d_q, B * T, D, dparams + b_in);
        if (dx) kernels::gemm(Transpose::No, Transpose::No, B * T, D, D, d_q, D, params + w_in, D, 0.f, dx, D);
        // Keys and values: dW_kv = d[K V]^T M, b_kv: column sums, d M += d[K V] W_kv.
        if constexpr (has_bias) kernels::column_sums(d_kv, B * S, 2 * D, dparams + b_kv);
        if (p.memory_stride == S * D) {
            kernels::gemm(Transpose::Yes, Transpose::No, 2 * D, D, B * S, d_kv, 2 * D, p.memory, D, 0.f,
                          dparams + w_kv, D);
            if (p.memory_grad)
                kernels::gemm(Transpose::No, Transpose::No, B * S, D, 2 * D, d_kv, 2 * D, params + w_kv, D, 1.f,
                              p.memory_grad, D);
        } else {
            for (std::size_t b = 0; b < B; ++b) {
                kernels::gemm(Transpose::Yes, Transpose::No, 2 * D, D, S, d_kv + b * kv_floats, 2 * D,
                              p.memory + b * p.memory_stride, D, b == 0 ? 0.f : 1.f, dparams + w_kv, D);
                if (p.memory_grad)
                    kernels::gemm(Transpose::No, Transpose::No, S, D, 2 * D, d_kv + b * kv_floats, 2 * D,
                                  params + w_kv, D, 1.f, p.memory_grad + b * p.memory_stride, D);
            }
        }
    }

    // The probabilities [T, S] of one head for one sample of the last forward (row t:
    // how much decoder position t attends each source position; zero rows and
    // columns at padding), recomputed from the cached projections, without dropout.
    static std::vector<float> attention_weights(const float* cache, std::size_t batch, std::size_t sample,
                                                std::size_t head) {
        if (sample >= batch || head >= H)
            throw std::out_of_range(name() + "::attention_weights: sample " + std::to_string(sample) + " of " +
                                    std::to_string(batch) + ", head " + std::to_string(head) + " of " +
                                    std::to_string(H));
        const CacheView c = view(const_cast<float*>(cache), batch);
        const auto mask = mask_of(c, sample);
        std::vector<float> probs(T * S, 0.f);
        kernels::attention_probabilities(operands(c, sample, head), mask, scale(), 0, mask.query_length,
                                         probs.data(), S);
        return probs;
    }
};

}  // namespace detail

template <std::size_t Heads, class... Options>
struct CrossAttention {
    static constexpr bool has_bias = !(std::is_same_v<Options, NoBias> || ...);
    static constexpr float dropout_rate = detail::attention_dropout_rate<Options...>::value;
    using unknown_option = first_unknown_option_t<detail::is_cross_attention_option, Options...>;
    using out_of_range_option = first_out_of_range_option_t<Options...>;
    static constexpr bool reads_memory = true;
    template <class In>
    using bind = MissingMemory<CrossAttention>;
    template <class In, class Memory>
    using bind_with_memory = detail::CrossAttentionLayer<CrossAttention, In, Memory, Heads>;
    static std::string name() {
        return "CrossAttention<" + std::to_string(Heads) + (std::string() + ... + (", " + option_name<Options>())) + ">";
    }

private:
    template <class O>
    static std::string option_name() {
        if constexpr (std::is_same_v<O, NoBias>) return "NoBias";
        else return O::name();
    }
};

}  // namespace tn
