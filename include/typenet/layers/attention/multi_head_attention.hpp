// MultiHeadAttention<Heads, Options...>: self-attention over a sequence [T, D], as
// PyTorch's nn.MultiheadAttention(D, Heads, batch_first=True) called with
// query = key = value = x:
//
//     [Q K V] = x W_in^T + b_in                 W_in [3D, D]: the three projections stacked
//     head_h  = softmax(Q_h K_h^T / sqrt(D/H)) V_h  on columns h*D/H .. (h+1)*D/H
//     y       = [head_0 ... head_{H-1}] W_out^T + b_out
//
// Each head attends in its own D/H-dimensional subspace of the same projections, so
// H heads cost what one head of width D costs.
//
// Options, in any order (anything else is a compile error naming it):
//   Causal                 position i attends positions <= i only (PyTorch's
//                          attn_mask = the upper triangle: a decoder, a language model)
//   AttentionDropout<N, D> dropout of rate N/D on the attention probabilities in
//                          training (PyTorch's `dropout`); Den defaults to 100
//   NoBias                 no in_proj_bias and no out_proj.bias (PyTorch's bias=False)
//   KVCache<Context>       with Causal: keep each sample's keys and values of up to
//                          Context positions in the model's state arena, so that
//                          generation one token at a time costs O(T), not O(T^2)
//                          (below)
//   LoRA<Rank, Alpha>      a low-rank adapter on in_proj (layers/lora.hpp):
//                          [Q K V] += (Alpha / Rank) x A^T B^T, for fine-tuning with
//                          the rest frozen; tensors in_proj_lora_A [Rank, D] and
//                          in_proj_lora_B [3D, Rank], B starting at 0
//
// Parameters, PyTorch's names and layouts (a state_dict loads as it is):
//   in_proj_weight [3D, D], in_proj_bias [3D], out_proj.weight [D, D], out_proj.bias [D]
// initialised as PyTorch does: in_proj_weight Xavier uniform over (D, 3D), out_proj.weight
// U(-1/sqrt(D), 1/sqrt(D)) (nn.Linear's default), both biases 0.
//
// Lengths (Pass::lengths): keys past a sample's length are never attended (PyTorch's
// key_padding_mask), and the output at queries past it is 0 with no gradient to
// anything. (PyTorch computes an output there, from the real keys; typenet's padded
// positions are zero in every layer that mixes positions, as the recurrent layers'.)
//
// Memory and what is kept. The cache holds the projections [T, 3D], the heads'
// outputs [T, D] and, written in training only, the probabilities [H, T, T] that
// backward needs (and with AttentionDropout the dropped ones too). Recomputing them
// in backward instead would save that cache for one more Q K^T GEMM and softmax per
// head; at the sizes of this course (T <= 256) the cache is a few MB, so backward
// reads it. In inference (Pass::training false) forward does not write it: each head
// walks its queries 16 rows at a time through a [16, T] scratch, so the scores'
// memory is linear in T. (The cache arena is still sized for training, since a
// layer's cache_size is one constant; bench/transformer_bench.cpp measures the kernel.)
//
// The KV cache (KVCache<Context>). A causal layer's output at position i depends on
// the keys and values of positions 0..i only, and those never change once computed.
// So a generator that has run positions 0..t-1 need not run them again: the layer
// keeps K and V of every position it has seen in Pass::state ([Context, D] of keys,
// then [Context, D] of values, per sample: state_size = 2 Context D), and a call with
// Pass::start = s projects only its own positions s, s+1, ..., writes their K and V
// into rows s.. of the cache and attends rows 0 .. s+i from query i (the mask's
// query offset). What writes the cache: any inference forward (Pass::training
// false) with a state arena, so a forward over a whole prompt from position 0 fills
// it (prefill) and a forward of the network bound to Tokens<1> appends one position
// (core/language_model_session.hpp steps a decoder-only model so). Training neither
// reads nor writes it (a training call at start > 0 is an error): gradients never
// flow into the cache. Its memory: 2 Context D floats per sample and layer, e.g.
// 2 MiB for a sample of d 128 and 4 layers at context 1024.
//
// Pictures: attention_weights<I>(model, sample, head) (at the end of this file)
// gives the [T, T] probabilities of layer I in the last forward, recomputed from
// the projections the cache kept, so it works after training and inference alike.
#pragma once
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "typenet/core/errors.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/options.hpp"
#include "typenet/kernels/for_each_sample.hpp"
#include "typenet/kernels/gemm.hpp"
#include "typenet/layers/attention/rules.hpp"
#include "typenet/layers/attention/scaled_dot_product.hpp"
#include "typenet/layers/dense.hpp"    // NoBias, detail::BiasActivation
#include "typenet/layers/dropout.hpp"  // kernels::dropout_forward
#include "typenet/layers/lora.hpp"

namespace tn {

struct Causal {
    static std::string name() { return "Causal"; }
};

template <std::intmax_t Num, std::intmax_t Den = 100>
struct AttentionDropout {
    static constexpr bool valid = Den > 0 && Num >= 0 && Num < Den;
    static constexpr float rate = valid ? float(Num) / float(Den) : 0.f;
    static std::string name() {
        return "AttentionDropout<" + std::to_string(Num) + (Den == 100 ? "" : ", " + std::to_string(Den)) + ">";
    }
};
template <std::intmax_t Num, std::intmax_t Den>
inline constexpr bool option_in_range<AttentionDropout<Num, Den>> = AttentionDropout<Num, Den>::valid;

// KVCache<Context>: see the header comment above.
template <std::size_t Context>
struct KVCache {
    static constexpr std::size_t context = Context;
    static std::string name() { return "KVCache<" + std::to_string(Context) + ">"; }
};
template <std::size_t C>
inline constexpr bool option_in_range<KVCache<C>> = (C > 0);

// A KV cache on an attention that is not causal (its queries would need keys that
// come later), and a sequence longer than the cache: the spec shows Context.
template <class Layer, bool Ok = false>
struct KVCacheNeedsCausal {
    static constexpr bool ok = Ok;
};
template <class Layer, class GotShape, bool Ok = false>
struct SequenceLongerThanCache {
    static constexpr bool ok = Ok;
};

template <std::size_t Heads, class... Options>
struct MultiHeadAttention;

namespace detail {

template <class Option> struct is_attention_option : std::false_type {};
template <> struct is_attention_option<Causal> : std::true_type {};
template <> struct is_attention_option<NoBias> : std::true_type {};
template <std::size_t C> struct is_attention_option<KVCache<C>> : std::true_type {};
template <std::size_t R, std::size_t A> struct is_attention_option<LoRA<R, A>> : std::true_type {};
template <std::intmax_t N, std::intmax_t D> struct is_attention_option<AttentionDropout<N, D>> : std::true_type {};

template <class... Options> struct attention_dropout_rate { static constexpr float value = 0.f; };
template <class First, class... Rest>
struct attention_dropout_rate<First, Rest...> : attention_dropout_rate<Rest...> {};
template <std::intmax_t N, std::intmax_t D, class... Rest>
struct attention_dropout_rate<AttentionDropout<N, D>, Rest...> {
    static constexpr float value = AttentionDropout<N, D>::rate;
};
template <class... Options> struct kv_cache_context { static constexpr std::size_t value = 0; };
template <class First, class... Rest>
struct kv_cache_context<First, Rest...> : kv_cache_context<Rest...> {};
template <std::size_t C, class... Rest>
struct kv_cache_context<KVCache<C>, Rest...> {
    static constexpr std::size_t value = C;
};

// The rules, one error at a time (asserted in function bodies: core/errors.hpp).
template <class Spec, bool Ok>
constexpr auto check_attention_heads() {
    static_assert(ZeroSizedLayer<Spec, Ok>::ok, "MultiHeadAttention<Heads>: Heads must be at least 1");
    return Ok;
}
template <class Spec, class Unknown, bool Ok>
constexpr auto check_attention_options() {
    static_assert(UnknownOption<Spec, Unknown, Ok>::ok,
                  "MultiHeadAttention: unknown option; it takes Causal, AttentionDropout<N, D>, NoBias, "
                  "KVCache<Context> and LoRA<Rank, Alpha>");
    return Ok;
}
template <class Spec, class OutOfRange, bool Ok>
constexpr auto check_attention_ranges() {
    static_assert(OptionOutOfRange<Spec, OutOfRange, Ok>::ok,
                  "MultiHeadAttention: AttentionDropout<N, D>'s rate N/D must be at least 0 and below 1, "
                  "KVCache<Context> needs Context >= 1 and LoRA<Rank, Alpha> Rank >= 1 and Alpha >= 1");
    return Ok;
}
template <class Spec, class In, bool Ok>
constexpr auto check_attention_input() {
    static_assert(NeedsSequence<Spec, typename got_of<In>::type, Ok>::ok,
                  "MultiHeadAttention reads a sequence [T, D] (rank 2: T positions of D features); start with "
                  "Input<T, D>, or Tokens<T> and Embedding<V, D>");
    return Ok;
}
template <class Spec, std::size_t H, std::size_t D, bool Ok>
constexpr auto check_attention_divides() {
    static_assert(HeadsDoNotDivideWidth<Spec, HeadCount<H>, ModelWidth<D>, Ok>::ok,
                  "MultiHeadAttention<Heads>: Heads must divide the model width D (each head attends in "
                  "D / Heads dimensions)");
    return Ok;
}

template <class Spec, bool Ok>
constexpr auto check_kv_cache_causal() {
    static_assert(KVCacheNeedsCausal<Spec, Ok>::ok,
                  "MultiHeadAttention: KVCache<Context> needs Causal (a query that sees later positions cannot be "
                  "computed before they exist)");
    return Ok;
}
template <class Spec, class In, bool Ok>
constexpr auto check_kv_cache_length() {
    static_assert(SequenceLongerThanCache<Spec, typename got_of<In>::type, Ok>::ok,
                  "MultiHeadAttention: the sequence is longer than KVCache<Context> holds (T > Context); give "
                  "Context at least the model's sequence length");
    return Ok;
}

template <class Spec, class In, std::size_t H>
struct MultiHeadAttentionLayer {
    static constexpr bool heads_ok = H > 0;
    static constexpr bool options_ok = std::is_void_v<typename Spec::unknown_option>;
    static constexpr bool ranges_ok = std::is_void_v<typename Spec::out_of_range_option>;
    static constexpr bool is_sequence = In::rank == 2;
    static constexpr std::size_t T = In::dims[0];
    static constexpr std::size_t D = is_sequence ? In::dims[1] : 1;
    static constexpr bool divides = heads_ok && D % H == 0;
    using heads_rule = decltype(check_attention_heads<Spec, heads_ok>());
    using option_rule = decltype(check_attention_options<Spec, typename Spec::unknown_option, options_ok || !heads_ok>());
    using range_rule = decltype(check_attention_ranges<Spec, typename Spec::out_of_range_option,
                                                       ranges_ok || !heads_ok || !options_ok>());
    using input_rule = decltype(check_attention_input<Spec, In, is_sequence || !heads_ok || !options_ok || !ranges_ok>());
    using divide_rule = decltype(check_attention_divides<Spec, H, D,
                                                         divides || !heads_ok || !options_ok || !ranges_ok || !is_sequence>());
    static constexpr std::size_t context = Spec::kv_context;  // 0: no KV cache
    static constexpr bool kv = context > 0;
    static constexpr bool earlier_ok = heads_ok && options_ok && ranges_ok && is_sequence && divides;
    using kv_causal_rule = decltype(check_kv_cache_causal<Spec, !kv || Spec::causal || !earlier_ok>());
    using kv_length_rule =
        decltype(check_kv_cache_length<Spec, In, !kv || T <= context || !earlier_ok || !Spec::causal>());
    static constexpr bool valid = earlier_ok && (!kv || (Spec::causal && T <= context));

    static constexpr std::size_t heads = H;
    static constexpr std::size_t head_dim = heads_ok ? D / H : 1;  // d = D / H
    static constexpr bool causal = Spec::causal;
    static constexpr bool has_bias = Spec::has_bias;
    static constexpr float dropout_rate = Spec::dropout_rate;
    static constexpr bool has_dropout = dropout_rate > 0.f;
    // Query rows per tile when the probabilities are not kept (inference).
    static constexpr std::size_t tile_rows = T < 16 ? T : 16;

    using input_shape = In;
    using output_shape = checked_shape_t<valid, Shape<T, D>>;

    // Parameters, PyTorch's order, then the adapter's A and B (LoRA).
    static constexpr std::size_t lora_rank = Spec::lora_rank;
    static constexpr bool lora = lora_rank > 0;
    static constexpr float lora_scale = Spec::lora_scale;
    using adapter = LowRankAdapter<D, 3 * D, (lora ? lora_rank : 1)>;
    static constexpr std::size_t w_in = 0, b_in = 3 * D * D;
    static constexpr std::size_t w_out = b_in + (has_bias ? 3 * D : 0), b_out = w_out + D * D;
    static constexpr std::size_t lora_a = b_out + (has_bias ? D : 0), lora_b = lora_a + lora_rank * D;
    static constexpr std::size_t param_count = lora_b + 3 * D * lora_rank;

    // Cache, per sample (as [B, ...] blocks one after another): the projections
    // [T, 3D], the heads' outputs [T, D], the probabilities [H, T, T], the dropped
    // probabilities [H, T, T] (with AttentionDropout), the sample's length [1], and
    // with LoRA the adapter's scale x A^T [T, Rank].
    static constexpr std::size_t qkv_floats = T * 3 * D, heads_floats = T * D, probs_floats = H * T * T;
    static constexpr std::size_t dropped_floats = has_dropout ? probs_floats : 0;
    static constexpr std::size_t lora_floats = T * lora_rank;
    static constexpr std::size_t cache_size =
        qkv_floats + heads_floats + probs_floats + dropped_floats + 1 + lora_floats;
    // Workspace, per sample: backward's dHeads [T, D], dQKV [T, 3D] and the
    // probabilities' gradient [H, T, T]; forward's tiles [H, 16, T] fit inside.
    // With a KV cache, a call at start > 0 walks its queries through [16, Context]
    // tiles per head instead. With LoRA, backward's d(x A^T) [T, Rank] comes last.
    static constexpr std::size_t kv_tile_floats = kv ? H * tile_rows * context : 0;
    static constexpr std::size_t scratch_floats = probs_floats > kv_tile_floats ? probs_floats : kv_tile_floats;
    static constexpr std::size_t workspace_size = heads_floats + qkv_floats + scratch_floats + lora_floats;
    // State, per sample: keys [Context, D], then values [Context, D].
    static constexpr std::size_t state_size = 2 * context * D;

    struct CacheView {
        float* qkv;      // [B, T, 3D]
        float* out;      // [B, T, D]
        float* probs;    // [B, H, T, T]
        float* dropped;  // [B, H, T, T], or probs without dropout
        float* lengths;  // [B]
        float* lora;     // [B, T, Rank]
    };
    static CacheView view(float* cache, std::size_t B) {
        CacheView v;
        v.qkv = cache;
        v.out = v.qkv + B * qkv_floats;
        v.probs = v.out + B * heads_floats;
        v.dropped = has_dropout ? v.probs + B * probs_floats : v.probs;
        v.lengths = v.probs + B * (probs_floats + dropped_floats);
        v.lora = v.lengths + B;
        return v;
    }

    static std::string name() { return Spec::name(); }

    template <class F>
    static void for_each_param(F&& f) {
        f(std::string("in_proj_weight"), w_in, std::vector<std::size_t>{3 * D, D});
        if constexpr (has_bias) f(std::string("in_proj_bias"), b_in, std::vector<std::size_t>{3 * D});
        f(std::string("out_proj.weight"), w_out, std::vector<std::size_t>{D, D});
        if constexpr (has_bias) f(std::string("out_proj.bias"), b_out, std::vector<std::size_t>{D});
        if constexpr (lora) {
            f(std::string("in_proj_lora_A"), lora_a, std::vector<std::size_t>{lora_rank, D});
            f(std::string("in_proj_lora_B"), lora_b, std::vector<std::size_t>{3 * D, lora_rank});
        }
    }
    static void init(float* params, Rng& rng) {
        XavierUniform::fill(params + w_in, 3 * D * D, D, 3 * D, rng);
        const float a = 1.f / std::sqrt(float(D));
        for (std::size_t i = 0; i < D * D; ++i) params[w_out + i] = rng.uniform(-a, a);
        if constexpr (has_bias) {
            std::fill_n(params + b_in, 3 * D, 0.f);
            std::fill_n(params + b_out, D, 0.f);
        }
        if constexpr (lora) adapter::init(params + lora_a, params + lora_b, rng);
    }
    // Weight penalties reach the two matrices, not the biases.
    template <class F>
    static void for_each_weight(F&& f) {
        f(w_in, 3 * D * D, Regularization{});
        f(w_out, D * D, Regularization{});
    }

    // Head h of sample b: its columns of the projections.
    static kernels::AttentionOperands operands(const float* qkv, std::size_t b, std::size_t h) {
        const float* base = qkv + b * qkv_floats + h * head_dim;
        return {base, 3 * D, base + D, 3 * D, base + 2 * D, 3 * D, head_dim, head_dim};
    }
    static kernels::AttentionMask mask_of(std::size_t length) { return {length, length, causal}; }
    static float scale() { return 1.f / std::sqrt(float(head_dim)); }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float* cache,
                        float* workspace) {
        using kernels::Transpose;
        const std::size_t B = p.batch;
        const CacheView c = view(cache, B);
        // [Q K V] [B*T, 3D] = X W_in^T + b_in: one GEMM for every position of the batch.
        if constexpr (has_bias)
            kernels::gemm(Transpose::No, Transpose::Yes, B * T, 3 * D, D, x, D, params + w_in, D, 0.f, c.qkv, 3 * D,
                          BiasActivation<Identity, true>{params + b_in});
        else
            kernels::gemm(Transpose::No, Transpose::Yes, B * T, 3 * D, D, x, D, params + w_in, D, 0.f, c.qkv, 3 * D);
        if constexpr (lora)
            adapter::forward(B * T, lora_scale, params + lora_a, params + lora_b, x, c.lora, c.qkv, 3 * D);
        for (std::size_t b = 0; b < B; ++b) c.lengths[b] = float(length_of(p, b, T));
        if constexpr (kv) {
            if (p.start > 0 && (p.training || !p.state))
                throw std::logic_error(name() + ": a call at position " + std::to_string(p.start) +
                                       " reads the KV cache, which only inference with a state arena keeps; "
                                       "training reads each sequence whole, from position 0");
            if (!p.training && p.state) {
                store_keys_values(p, c.qkv);
                if (p.start > 0) return forward_from_cache(p, params, y, c, workspace);
            }
        }

        const bool keep = p.training;  // backward will need the probabilities
        const bool drop = has_dropout && p.training;
        if (drop && !p.rng)
            throw std::logic_error(name() + ": training with AttentionDropout needs a random generator (Pass::rng)");
        const std::size_t items = B * H;
        const auto each_head = [&](auto&& f) {
            kernels::parallel_items(items, kernels::item_threads(items, T * T * head_dim, items),
                                    [&](std::size_t item, std::size_t) { f(item / H, item % H, item); });
        };
        if (!drop) {
            each_head([&](std::size_t b, std::size_t h, std::size_t item) {
                const std::size_t L = length_of(p, b, T);
                float* probs = keep ? c.probs + item * T * T : workspace + item * tile_rows * T;
                kernels::attention_forward_tiled(operands(c.qkv, b, h), mask_of(L), scale(), T,
                                                 c.out + b * heads_floats + h * head_dim, D, probs, T,
                                                 keep ? T : tile_rows);
            });
        } else {
            // Probabilities first (threads), then the dropout masks from the one
            // generator (in order, so a seed gives the same masks whatever the
            // thread count), then the dropped probabilities times V (threads).
            each_head([&](std::size_t b, std::size_t h, std::size_t item) {
                const std::size_t L = length_of(p, b, T);
                float* probs = c.probs + item * T * T;
                kernels::attention_probabilities(operands(c.qkv, b, h), mask_of(L), scale(), 0, L, probs, T);
                for (std::size_t i = 0; i < L; ++i) std::fill(probs + i * T + L, probs + (i + 1) * T, 0.f);
            });
            for (std::size_t item = 0; item < items; ++item) {
                const std::size_t L = length_of(p, item / H, T);
                // The multipliers go to the workspace; only P and the dropped P are kept.
                kernels::dropout_forward(*p.rng, dropout_rate, c.probs + item * T * T, workspace,
                                         c.dropped + item * T * T, L * T);
            }
            each_head([&](std::size_t b, std::size_t h, std::size_t item) {
                const std::size_t L = length_of(p, b, T);
                float* out = c.out + b * heads_floats + h * head_dim;
                kernels::gemm(Transpose::No, Transpose::No, L, head_dim, L, c.dropped + item * T * T, T,
                              operands(c.qkv, b, h).v, 3 * D, 0.f, out, D);
                for (std::size_t i = L; i < T; ++i) std::fill_n(out + i * D, head_dim, 0.f);
            });
        }
        project_out(p, params, c.out, y);
    }

    // y [B*T, D] = heads W_out^T + b_out; padded positions then set to 0.
    static void project_out(const Pass& p, const float* params, const float* heads, float* y) {
        using kernels::Transpose;
        const std::size_t B = p.batch;
        if constexpr (has_bias)
            kernels::gemm(Transpose::No, Transpose::Yes, B * T, D, D, heads, D, params + w_out, D, 0.f, y, D,
                          BiasActivation<Identity, true>{params + b_out});
        else
            kernels::gemm(Transpose::No, Transpose::Yes, B * T, D, D, heads, D, params + w_out, D, 0.f, y, D);
        if (p.lengths)
            for (std::size_t b = 0; b < B; ++b)
                std::fill(y + (b * T + length_of(p, b, T)) * D, y + (b + 1) * T * D, 0.f);
    }

    // The KV cache of sample b: keys [Context, D], then values.
    static float* cached_keys(const Pass& p, std::size_t b) { return p.state + b * p.state_stride; }
    // Rows start .. start+L-1 of each sample's cache = this call's K and V.
    static void store_keys_values(const Pass& p, const float* qkv) {
        for (std::size_t b = 0; b < p.batch; ++b) {
            const std::size_t L = length_of(p, b, T);
            if (p.start + L > context)
                throw std::out_of_range(name() + ": positions " + std::to_string(p.start) + " to " +
                                        std::to_string(p.start + L - 1) + " do not fit the KV cache of " +
                                        std::to_string(context) + " positions (0 to " + std::to_string(context - 1) +
                                        ")");
            float* keys = cached_keys(p, b) + p.start * D;
            float* values = cached_keys(p, b) + (context + p.start) * D;
            for (std::size_t t = 0; t < L; ++t) {
                const float* row = qkv + b * qkv_floats + t * 3 * D;
                std::copy_n(row + D, D, keys + t * D);
                std::copy_n(row + 2 * D, D, values + t * D);
            }
        }
    }
    // Queries at positions start .. start+L-1 attend the cached keys 0 .. start+i.
    static void forward_from_cache(const Pass& p, const float* params, float* y, const CacheView& c,
                                   float* workspace) {
        const std::size_t B = p.batch, items = B * H, keys = p.start + T;
        kernels::parallel_items(items, kernels::item_threads(items, T * keys * head_dim, items),
                                [&](std::size_t item, std::size_t) {
            const std::size_t b = item / H, h = item % H;
            const std::size_t L = length_of(p, b, T);
            const float* cache = cached_keys(p, b) + h * head_dim;
            const kernels::AttentionOperands a{c.qkv + b * qkv_floats + h * head_dim, 3 * D, cache, D,
                                               cache + context * D, D, head_dim, head_dim};
            const kernels::AttentionMask mask{L, p.start + L, true, p.start};
            kernels::attention_forward_tiled(a, mask, scale(), T, c.out + b * heads_floats + h * head_dim, D,
                                             workspace + item * tile_rows * context, context, tile_rows);
        });
        project_out(p, params, c.out, y);
    }

    static void backward(const Pass& p, const float* params, const float* x, const float*, const float* dy,
                         float* dx, float* dparams, const float* cache, float* workspace) {
        using kernels::Transpose;
        const std::size_t B = p.batch;
        const CacheView c = view(const_cast<float*>(cache), B);
        float* d_out = workspace;                  // [B*T, D]
        float* d_qkv = d_out + B * heads_floats;   // [B*T, 3D]
        float* d_probs = d_qkv + B * qkv_floats;   // [B, H, T, T]
        float* d_lora = d_probs + B * scratch_floats;  // [B*T, Rank]
        // dW_out [D, D] = dY^T heads (the heads' padded rows are 0, so padded dY adds
        // nothing); b_out: the real rows of dY only.
        kernels::gemm(Transpose::Yes, Transpose::No, D, D, B * T, dy, D, c.out, D, 0.f, dparams + w_out, D);
        if constexpr (has_bias) {
            float* db = dparams + b_out;
            std::fill_n(db, D, 0.f);
            for (std::size_t b = 0; b < B; ++b)
                for (std::size_t t = 0, L = length_of(p, b, T); t < L; ++t)
                    kernels::add_into(db, dy + (b * T + t) * D, D);
        }
        // dHeads [B*T, D] = dY W_out
        kernels::gemm(Transpose::No, Transpose::No, B * T, D, D, dy, D, params + w_out, D, 0.f, d_out, D);
        std::fill_n(d_qkv, B * qkv_floats, 0.f);
        const std::size_t items = B * H;
        kernels::parallel_items(items, kernels::item_threads(items, T * T * head_dim, items),
                                [&](std::size_t item, std::size_t) {
            const std::size_t b = item / H, h = item % H;
            const std::size_t L = length_of(p, b, T);
            float* dq = d_qkv + b * qkv_floats + h * head_dim;
            kernels::attention_backward(operands(c.qkv, b, h), mask_of(L), scale(), c.probs + item * T * T,
                                        c.dropped + item * T * T, T, d_out + b * heads_floats + h * head_dim, D,
                                        dq, 3 * D, dq + D, 3 * D, dq + 2 * D, 3 * D, d_probs + item * T * T);
        });
        // dW_in [3D, D] = dQKV^T X;  b_in: column sums;  dX = dQKV W_in (0 at padding).
        kernels::gemm(Transpose::Yes, Transpose::No, 3 * D, D, B * T, d_qkv, 3 * D, x, D, 0.f, dparams + w_in, D);
        if constexpr (has_bias) kernels::column_sums(d_qkv, B * T, 3 * D, dparams + b_in);
        if (dx) kernels::gemm(Transpose::No, Transpose::No, B * T, D, 3 * D, d_qkv, 3 * D, params + w_in, D, 0.f, dx, D);
        if constexpr (lora)
            adapter::backward(B * T, lora_scale, params + lora_a, params + lora_b, x, c.lora, d_qkv, 3 * D,
                              dparams + lora_a, dparams + lora_b, d_lora, dx);
    }

    // The probabilities [T, T] of head `head` for sample `sample` of the last forward
    // (row i: query i; zero rows and columns at padding), recomputed from the cached
    // projections; without dropout, which only training applies.
    static std::vector<float> attention_weights(const float* cache, std::size_t batch, std::size_t sample,
                                                std::size_t head) {
        if (sample >= batch || head >= H)
            throw std::out_of_range(name() + "::attention_weights: sample " + std::to_string(sample) + " of " +
                                    std::to_string(batch) + ", head " + std::to_string(head) + " of " +
                                    std::to_string(H));
        const CacheView c = view(const_cast<float*>(cache), batch);
        const auto L = std::size_t(c.lengths[sample]);
        std::vector<float> probs(T * T, 0.f);
        kernels::attention_probabilities(operands(c.qkv, sample, head), mask_of(L), scale(), 0, L, probs.data(), T);
        return probs;
    }
};

}  // namespace detail

template <std::size_t Heads, class... Options>
struct MultiHeadAttention {
    static constexpr bool causal = (std::is_same_v<Options, Causal> || ...);
    static constexpr bool has_bias = !(std::is_same_v<Options, NoBias> || ...);
    static constexpr float dropout_rate = detail::attention_dropout_rate<Options...>::value;
    static constexpr std::size_t kv_context = detail::kv_cache_context<Options...>::value;
    static constexpr std::size_t lora_rank = detail::lora_of<Options...>::rank;
    static constexpr float lora_scale = detail::lora_of<Options...>::scale;
    using unknown_option = first_unknown_option_t<detail::is_attention_option, Options...>;
    using out_of_range_option = first_out_of_range_option_t<Options...>;
    template <class In>
    using bind = detail::MultiHeadAttentionLayer<MultiHeadAttention, In, Heads>;
    static std::string name() {
        return "MultiHeadAttention<" + std::to_string(Heads) + (std::string() + ... + (", " + option_name_of<Options>())) +
               ">";
    }

private:
    template <class O>
    static std::string option_name_of() {
        if constexpr (std::is_same_v<O, NoBias>) return "NoBias";
        else if constexpr (requires { O::name(); }) return O::name();
        else return "?";
    }
};

}  // namespace tn

// Pictures of attention, for a model whose top-level layer I is a MultiHeadAttention
// (lesson 34): the probabilities [T, T] (row i: how much query i attends each key)
// of one head for one sample of the last forward.
//     model.forward(batch);
//     std::vector<float> w = tn::attention_weights<1>(model, /*sample*/ 0, /*head*/ 2);
// Works after an inference forward as after training (recomputed from the cached
// projections, no dropout); declared here so that model.hpp need not know attention.
namespace tn {
template <std::size_t I, class M>
std::vector<float> attention_weights(const M& model, std::size_t sample, std::size_t head) {
    const auto view = model.template layer_view<I>();
    using L = typename decltype(view)::layer;
    static_assert(requires { L::attention_weights(view.cache, view.batch, sample, head); },
                  "attention_weights<I>: layer I of the model is not an attention layer");
    return L::attention_weights(view.cache, view.batch, sample, head);
}
}  // namespace tn
