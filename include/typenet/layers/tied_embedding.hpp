// TiedEmbedding<Vocab, Dim, Body...>: token ids [T] to logits [T, Vocab] with one
// table W [Vocab, Dim] at both ends (weight tying: Press & Wolf 2017; GPT-2, BERT):
//
//     e = W[ids]          the embedding, row id of W per position
//     h = Body(e)         any layers that keep the shape [T, Dim]
//     logits = h W^T      the output layer is the same table, transposed
//
// A language model's input and output layers both map between ids and vectors; tied,
// they are one parameter (Vocab x Dim floats fewer: a third of a small GPT's) and
// every id's row learns from both uses. Parameters: `weight` [Vocab, Dim] (the
// layout of nn.Embedding's, and of a tied nn.Linear's, weight), then Body's, named
// by their index in Body as a Sequential names them ("0.weight", "1.0.self_attn...").
// The table starts at N(0, 0.02^2), GPT-2's: with nn.Embedding's N(0, 1) the first
// logits would have a standard deviation of sqrt(Dim) and the first loss would be huge.
//
//   using Gpt = Sequential<Tokens<64>, TiedEmbedding<65, 128, LearnedPositions<64>,
//                          Repeat<4, TransformerEncoderLayer<4, 512, PreNorm, GELU, Causal>>,
//                          LayerNorm<>>>;
//
// Backward: d W = dLogits^T h (the head) plus, for every real position, that
// position's gradient of e added into its id's row (the embedding). The ids' range
// is checked as Embedding checks it (the error names the sample and the position).
// Body's state (a KV cache), buffers and frozen parameters pass through.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "typenet/core/chain.hpp"
#include "typenet/core/errors.hpp"
#include "typenet/core/init.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/summary.hpp"
#include "typenet/core/tokens.hpp"
#include "typenet/kernels/gemm.hpp"
#include "typenet/layers/embedding.hpp"

namespace tn {

template <std::size_t Vocab, std::size_t Dim, class... Body>
struct TiedEmbedding;

namespace detail {

template <class Spec, bool Ok>
constexpr auto check_tied_sizes() {
    static_assert(ZeroSizedLayer<Spec, Ok>::ok,
                  "TiedEmbedding<Vocab, Dim, ...>: the vocabulary and the vector size must each be at least 1");
    return Ok;
}
template <class Spec, class In, bool Ok>
constexpr auto check_tied_input() {
    static_assert(NeedsTokens<Spec, typename got_of<In>::type, Ok>::ok,
                  "TiedEmbedding: its input must be token ids; start the model with Tokens<T>");
    return Ok;
}
template <class Spec, class Expect, class BodyOut, bool Ok>
constexpr auto check_tied_body() {
    static_assert(ShapeMismatch<Spec, Expect, typename got_of<BodyOut>::type, Ok>::ok,
                  "TiedEmbedding: the layers between the embedding and the tied output must keep the shape "
                  "[T, Dim] (the output layer multiplies by the same [Vocab, Dim] table)");
    return Ok;
}

// A child's tensor names and offsets moved past the table.
template <class F>
struct AfterTable {
    static constexpr bool legacy_names = legacy_names_v<F>;
    F* f;
    std::size_t base;
    template <class Shape>
    void operator()(const std::string& name, std::size_t offset, Shape&& shape) const {
        (*f)(name, base + offset, std::forward<Shape>(shape));
    }
};

template <class Spec, class In, std::size_t V, std::size_t D, class... Body>
struct TiedEmbeddingBound {
    static constexpr bool sizes_ok = V > 0 && D > 0;
    using size_rule = decltype(check_tied_sizes<Spec, sizes_ok>());
    static constexpr bool tokens_ok = is_token_shape<In>;
    using input_rule = decltype(check_tied_input<Spec, In, tokens_ok || !sizes_ok>());
    static constexpr std::size_t T = In::size;
    // The gather, with Embedding's checks of the ids (bound to Tokens<T> whatever In
    // is, so a wrong input is reported once, by this layer).
    using Table = typename Embedding<(V > 0 ? V : 1), (D > 0 ? D : 1)>::template bind<Tokens<(T > 0 ? T : 1)>>;
    using body = chain_of<Shape<T, (D > 0 ? D : 1)>, Body...>;
    static constexpr bool body_ok = same_shape<typename body::output_shape, Shape<T, D>>;
    using body_rule = decltype(check_tied_body<Spec, Expected<T, D>, typename body::output_shape,
                                               body_ok || !sizes_ok || !tokens_ok || !body::valid>());
    static constexpr bool valid = sizes_ok && tokens_ok && body::valid && body_ok;

    using input_shape = In;
    using output_shape = checked_shape_t<valid, Shape<T, V>>;
    static constexpr bool accepts_tokens = true;
    static constexpr std::size_t token_limit = V;
    static constexpr std::size_t table = V * D;
    static constexpr std::size_t param_count = table + body::param_count;
    static constexpr std::size_t buffer_count = buffer_count_of<body>();
    static constexpr std::size_t state_size = state_size_of<body>();
    // Cache, per sample block: e [T, D], h [T, D], then Body's cache.
    static constexpr std::size_t cache_size = 2 * T * D + cache_size_of<body>();
    // Workspace: dh [T, D], de [T, D], then Body's workspace.
    static constexpr std::size_t workspace_size = 2 * T * D + workspace_size_of<body>();

    static std::string name() { return Spec::name(); }
    static void summarize(std::vector<SummaryRow>& rows, int depth) {
        rows.push_back({depth, name(), shape_string<output_shape>(), param_count});
        body::summarize_children(rows, depth + 1);
    }

    template <class F>
    static void for_each_param(F&& f) {
        f(std::string("weight"), std::size_t{0}, std::vector<std::size_t>{V, D});
        body::for_each_param(AfterTable<std::remove_reference_t<F>>{&f, table});
    }
    static void init(float* params, Rng& rng) {
        Normal<1, 50>::fill(params, table, V, D, rng);
        body::init(params + table, rng);
    }
    static void init_buffers(float* buffers) { body::init_buffers(buffers); }
    template <class F>
    static void for_each_buffer(F&& f) {
        body::for_each_buffer(std::forward<F>(f));
    }
    template <class F>
    static void for_each_weight(F&& f) {
        f(std::size_t{0}, table, Regularization{});
        body::for_each_weight([&](std::size_t offset, std::size_t n, auto own) { f(table + offset, n, own); });
    }
    template <class F>
    static void for_each_frozen(F&& f) {
        body::for_each_frozen([&](std::size_t offset, std::size_t n) { f(table + offset, n); });
    }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float* cache,
                        float* workspace) {
        const std::size_t B = p.batch;
        float* e = cache;
        float* h = e + B * T * D;
        Table::forward(p, params, x, e, nullptr, nullptr);
        body::forward(p, params + table, e, h, h + B * T * D, workspace + 2 * B * T * D);
        // logits [B*T, V] = h W^T
        kernels::gemm(kernels::Transpose::No, kernels::Transpose::Yes, B * T, V, D, h, D, params, D, 0.f, y, V);
    }

    static void backward(const Pass& p, const float* params, const float* x, const float*, const float* dy, float*,
                         float* dparams, const float* cache, float* workspace) {
        using kernels::Transpose;
        const std::size_t B = p.batch;
        const float* e = cache;
        const float* h = e + B * T * D;
        float* dh = workspace;
        float* de = dh + B * T * D;
        // The head: dW = dLogits^T h (padded positions' dLogits are 0), dh = dLogits W.
        kernels::gemm(Transpose::Yes, Transpose::No, V, D, B * T, dy, V, h, D, 0.f, dparams, D);
        kernels::gemm(Transpose::No, Transpose::No, B * T, D, V, dy, V, params, D, 0.f, dh, D);
        body::backward(p, params + table, e, h, dh, de, dparams + table, h + B * T * D, de + B * T * D);
        // The embedding: each real position's de into its id's row.
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t t = 0, L = length_of(p, b, T); t < L; ++t)
                kernels::add_into(dparams + std::size_t(x[b * T + t]) * D, de + (b * T + t) * D, D);
    }
};

}  // namespace detail

template <std::size_t Vocab, std::size_t Dim, class... Body>
struct TiedEmbedding {
    static constexpr bool accepts_tokens = true;
    template <class In>
    using bind = detail::TiedEmbeddingBound<TiedEmbedding, In, Vocab, Dim, Body...>;
    static std::string name() { return "TiedEmbedding<" + std::to_string(Vocab) + ", " + std::to_string(Dim) + ">"; }
};

}  // namespace tn
