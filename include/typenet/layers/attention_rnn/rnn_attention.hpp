// The engine of the attention layers of an RNN decoder (Bahdanau, Luong): at every
// decoder position t, the query q_t (the decoder's hidden state there, width H) is
// scored against each real position s of the memory (the encoder's outputs k_s,
// width D), the scores become weights a_ts by a softmax over the real positions, and
// the context c_t = sum_s a_ts k_s is returned beside the query:
//
//     output_t = [c_t ; q_t]                       (width D + H)
//
// so that the next layer (Luong's "attentional hidden state" Dense<H>, Tanh, then the
// vocabulary's Dense) sees both. The score is the policy's (bahdanau.hpp, luong.hpp):
//   Additive<A>  e = v^T tanh(W q + U k)           Bahdanau et al. 2015; Luong's concat
//   Dot          e = q . k                         (needs H == D)
//   General      e = q^T W_a k
//
// Placement: this layer comes after the decoder's recurrent layer, so the query is
// the state at t (Luong et al. 2015, "global attention"). Bahdanau's original
// decoder scored with the state at t-1 and fed the context into the recurrence; a
// layer outside the recurrence cannot, which is why the comparison of lesson 33 is
// of the scores alone, in one placement.
//
// Masks: a query position at or past its sample's length (Pass::lengths) is padding:
// its output is 0 and nothing is read there. Memory positions at or past the
// sample's memory length (Pass::memory_lengths, the source lengths) are never read,
// get weight 0 and receive no gradient. Backward adds dL/d(memory) into
// Pass::memory_grad (core/layer.hpp's contract).
//
// Per-sample cache: the weights a [Tq, S] first (so alignments() finds them), the
// projected keys [S, K], the projected queries [Tq, Kq], and for the additive score
// the tanh values [Tq, S, A] backward needs. No allocation per call.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "typenet/core/errors.hpp"
#include "typenet/core/init.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/shape.hpp"
#include "typenet/kernels/simd.hpp"

namespace tn {
namespace detail {

// Dot product of two rows of n floats, in SIMD lanes (a float sum in order is not
// reassociated, so the compiler would not vectorise it).
inline float dot_of(const float* a, const float* b, std::size_t n) {
    simd::vec acc(0.f);
    simd::for_each_chunk(n, [&](std::size_t i, std::size_t m) { acc = simd::fma(simd::load(a + i, m), simd::load(b + i, m), acc); });
    return xsimd::hadd(acc);
}
// y[rows] = W[rows, cols] x[cols]
inline void matvec(const float* W, const float* x, float* y, std::size_t rows, std::size_t cols) {
    for (std::size_t r = 0; r < rows; ++r) y[r] = dot_of(W + r * cols, x, cols);
}
// x[cols] += W^T[cols, rows] g[rows]
inline void matvec_transposed_add(const float* W, const float* g, float* x, std::size_t rows, std::size_t cols) {
    for (std::size_t r = 0; r < rows; ++r) {
        const float gr = g[r];
        if (gr == 0.f) continue;
        const float* w = W + r * cols;
        for (std::size_t c = 0; c < cols; ++c) x[c] += gr * w[c];
    }
}
// dW[rows, cols] += g[rows] x[cols]^T
inline void outer_add(float* dW, const float* g, const float* x, std::size_t rows, std::size_t cols) {
    for (std::size_t r = 0; r < rows; ++r) {
        const float gr = g[r];
        if (gr == 0.f) continue;
        float* d = dW + r * cols;
        for (std::size_t c = 0; c < cols; ++c) d[c] += gr * x[c];
    }
}

// The three rules an attention layer of an RNN decoder checks, in this order.
template <class Spec, class In, class Memory>
constexpr bool rnn_attention_shapes_ok = In::valid && In::rank == 2 && Memory::valid && Memory::rank == 2;

template <class Spec, class In>
constexpr auto check_attention_query() {
    static_assert(NeedsSequence<Spec, typename got_of<In>::type, In::rank == 2>::ok,
                  "an attention layer reads the decoder's sequence of states [T, H] (rank 2); put it after a "
                  "recurrent layer that returns sequences");
    return In::rank == 2;
}
template <class Spec, class Memory>
constexpr auto check_attention_memory() {
    static_assert(MemoryNotSequence<Spec, typename got_of<Memory>::type, Memory::rank == 2>::ok,
                  "an attention layer attends over a memory [S, D] (rank 2: S source positions); the encoder "
                  "must return a sequence (a recurrent layer with ReturnSequences, not LastState)");
    return Memory::rank == 2;
}
template <class Spec, std::size_t H, std::size_t D, bool Ok>
constexpr auto check_attention_widths() {
    static_assert(MemoryWidthMismatch<Spec, QueryWidth<H>, MemoryWidth<D>, Ok>::ok,
                  "this attention score compares the decoder's state (QueryWidth) with the encoder's outputs "
                  "(MemoryWidth) directly, so they must be as wide; make the hidden sizes equal or use a score "
                  "with a projection (LuongAttention<General>, BahdanauAttention<A>)");
    return Ok;
}

// Tq query positions of width H over S memory positions of width D, scored by Score.
template <class Spec, class Score, std::size_t Tq, std::size_t H, std::size_t S, std::size_t D>
struct RnnAttentionLayer {
    using input_shape = Shape<Tq, H>;
    using score = typename Score::template sized<H, D>;
    using width_rule = decltype(check_attention_widths<Spec, H, D, score::widths_ok>());
    static constexpr bool valid = score::widths_ok;
    using output_shape = checked_shape_t<valid, Shape<Tq, D + H>>;
    static constexpr bool reads_memory = true;
    static constexpr bool has_alignments = true;
    static constexpr std::size_t queries = Tq, keys = S;

    static constexpr std::size_t K = score::key_width;     // a projected key
    static constexpr std::size_t Kq = score::query_width;  // a projected query
    static constexpr std::size_t A = score::tanh_width;    // additive: units; else 0
    static constexpr std::size_t param_count = score::param_count;
    static constexpr std::size_t weights_at = 0, keys_at = Tq * S, queries_at = keys_at + S * K,
                                 tanh_at = queries_at + Tq * Kq;
    static constexpr std::size_t cache_size = tanh_at + Tq * S * A;
    // Backward's scratch: the projected keys' gradient [S, K], a query's [Kq], the
    // weights' [S].
    static constexpr std::size_t workspace_size = S * K + Kq + S;

    static std::string name() { return Spec::name(); }
    static void init(float* params, Rng& rng) { score::init(params, rng); }
    template <class F>
    static void for_each_param(F&& f) { score::for_each_param(f); }
    template <class F>
    static void for_each_weight(F&& f) { score::for_each_weight(f); }

    // Sample b's weights [Tq, S] in the cache of a batch of n (row t: query t's
    // weights over the memory positions, 0 past the memory length).
    static const float* alignments(const float* cache, std::size_t b) { return cache + b * cache_size + weights_at; }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float* cache, float*) {
        for (std::size_t b = 0; b < p.batch; ++b) {
            const float* q = x + b * Tq * H;
            const float* mem = p.memory + b * p.memory_stride;
            float* out = y + b * Tq * (D + H);
            float* c = cache + b * cache_size;
            float* a = c + weights_at;
            float* kp = c + keys_at;
            float* qp = c + queries_at;
            float* th = c + tanh_at;
            const std::size_t Lq = length_of(p, b, Tq), Ls = memory_length_of(p, b, S);
            std::fill_n(a, Tq * S, 0.f);
            for (std::size_t s = 0; s < Ls; ++s) score::project_key(params, mem + s * D, kp + s * K);
            for (std::size_t t = 0; t < Tq; ++t) {
                float* o = out + t * (D + H);
                if (t >= Lq) {  // padding: nothing read, zeros out
                    std::fill_n(o, D + H, 0.f);
                    continue;
                }
                const float* qt = q + t * H;
                score::project_query(params, qt, qp + t * Kq);
                float* at = a + t * S;
                float top = -INFINITY;
                for (std::size_t s = 0; s < Ls; ++s) {
                    at[s] = score::score(params, qp + t * Kq, kp + s * K, th + (t * S + s) * A);
                    top = std::max(top, at[s]);
                }
                double total = 0;
                for (std::size_t s = 0; s < Ls; ++s) total += (at[s] = std::exp(at[s] - top));
                const float inv = float(1.0 / total);
                std::fill_n(o, D, 0.f);
                for (std::size_t s = 0; s < Ls; ++s) {
                    at[s] *= inv;
                    const float w = at[s];
                    const float* k = mem + s * D;
                    for (std::size_t d = 0; d < D; ++d) o[d] += w * k[d];
                }
                std::copy_n(qt, H, o + D);
            }
        }
    }

    static void backward(const Pass& p, const float* params, const float* x, const float*, const float* dy,
                         float* dx, float* dparams, const float* cache, float* workspace) {
        std::fill_n(dparams, param_count, 0.f);
        for (std::size_t b = 0; b < p.batch; ++b) {
            const float* q = x + b * Tq * H;
            const float* mem = p.memory + b * p.memory_stride;
            float* dmem = p.memory_grad ? p.memory_grad + b * p.memory_stride : nullptr;
            const float* g = dy + b * Tq * (D + H);
            const float* c = cache + b * cache_size;
            const float* a = c + weights_at;
            const float* kp = c + keys_at;
            const float* qp = c + queries_at;
            const float* th = c + tanh_at;
            float* dq_all = dx ? dx + b * Tq * H : nullptr;
            float* dkp = workspace;            // [S, K]
            float* dqp = dkp + S * K;          // [Kq]
            float* da = dqp + Kq;              // [S]
            const std::size_t Lq = length_of(p, b, Tq), Ls = memory_length_of(p, b, S);
            if (dq_all) std::fill_n(dq_all, Tq * H, 0.f);
            std::fill_n(dkp, S * K, 0.f);
            for (std::size_t t = 0; t < Lq; ++t) {
                const float* gt = g + t * (D + H);  // [dc ; dq_direct]
                const float* at = a + t * S;
                // c = sum a_s k_s: da_s = dc . k_s, dk_s += a_s dc
                double mean = 0;
                for (std::size_t s = 0; s < Ls; ++s) {
                    da[s] = dot_of(gt, mem + s * D, D);
                    mean += double(at[s]) * da[s];
                    if (dmem) {
                        float* dk = dmem + s * D;
                        const float w = at[s];
                        for (std::size_t d = 0; d < D; ++d) dk[d] += w * gt[d];
                    }
                }
                // softmax: de_s = a_s (da_s - sum a da)
                std::fill_n(dqp, Kq, 0.f);
                for (std::size_t s = 0; s < Ls; ++s) {
                    const float de = at[s] * (da[s] - float(mean));
                    score::score_backward(params, dparams, qp + t * Kq, kp + s * K, th + (t * S + s) * A, de, dqp,
                                          dkp + s * K);
                }
                const float* qt = q + t * H;
                float* dq = dq_all ? dq_all + t * H : nullptr;
                score::project_query_backward(params, dparams, qt, dqp, dq);
                if (dq)
                    for (std::size_t h = 0; h < H; ++h) dq[h] += gt[D + h];
            }
            for (std::size_t s = 0; s < Ls; ++s)
                score::project_key_backward(params, dparams, mem + s * D, dkp + s * K, dmem ? dmem + s * D : nullptr);
        }
    }
};

// Binding: the query is the input, the memory's shape comes from the decoder's
// container. Errors in order: the query's rank, the memory's rank, the widths.
template <class Spec, class Score, class In, class Memory>
struct rnn_attention_bind {
    using query_rule = decltype(check_attention_query<Spec, In>());
    using memory_rule = decltype(check_attention_memory<Spec, Memory>());
    using type = Poisoned<Spec>;
};
template <class Spec, class Score, std::size_t Tq, std::size_t H, std::size_t S, std::size_t D>
struct rnn_attention_bind<Spec, Score, Shape<Tq, H>, Shape<S, D>> {
    using type = RnnAttentionLayer<Spec, Score, Tq, H, S, D>;
};

}  // namespace detail

// The base of an attention spec: no memory outside a decoder, the engine inside one.
template <class Spec, class Score>
struct RnnAttentionSpec {
    template <class In>
    using bind = MissingMemory<Spec>;
    template <class In, class Memory>
    using bind_with_memory = typename detail::rnn_attention_bind<Spec, Score, In, Memory>::type;
    static constexpr bool reads_memory = true;
};

}  // namespace tn
