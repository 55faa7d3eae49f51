// The scores of the attention layers of an RNN decoder (rnn_attention.hpp): how a
// decoder state q (width H) is compared with an encoder output k (width D). Each is
// split into what depends on the key alone (projected once per source position and
// sample), on the query alone (once per decoder position), and the pair, so a score
// costs O(A) or O(H) per (query, key) pair, not a matrix product.
//
// Parameter names follow what a PyTorch user writes: nn.Linear(..., bias=False)
// modules `query`, `key` and `energy` (Bahdanau's W, U and v), so `query.weight` is
// [A, H], PyTorch's [out, in].
#pragma once
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "typenet/core/init.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/kernels/simd.hpp"
#include "typenet/layers/attention_rnn/rnn_attention.hpp"
#include "typenet/regularize/penalty.hpp"

namespace tn::attention_score {

// e = v^T tanh(W q + U k): Bahdanau et al. 2015's additive score (and Luong's concat,
// W_a [q; k] = W q + U k). A hidden units.
template <std::size_t Units>
struct Additive {
    template <std::size_t H, std::size_t D>
    struct sized {
        static constexpr std::size_t A = Units == 0 ? H : Units;
        static constexpr bool widths_ok = true;
        static constexpr std::size_t key_width = A, query_width = A, tanh_width = A;
        static constexpr std::size_t W_at = 0, U_at = A * H, v_at = U_at + A * D;
        static constexpr std::size_t param_count = v_at + A;

        static void init(float* p, Rng& rng) {  // nn.Linear's default: U(-1/sqrt(in), 1/sqrt(in))
            detail::fill_uniform(p + W_at, A * H, 1.0 / std::sqrt(double(H)), rng);
            detail::fill_uniform(p + U_at, A * D, 1.0 / std::sqrt(double(D)), rng);
            detail::fill_uniform(p + v_at, A, 1.0 / std::sqrt(double(A)), rng);
        }
        template <class F>
        static void for_each_param(F&& f) {
            f("query.weight", W_at, std::vector<std::size_t>{A, H});
            f("key.weight", U_at, std::vector<std::size_t>{A, D});
            f("energy.weight", v_at, std::vector<std::size_t>{1, A});
        }
        template <class F>
        static void for_each_weight(F&& f) {
            f(W_at, param_count, Regularization{});
        }
        static void project_key(const float* p, const float* k, float* kp) { detail::matvec(p + U_at, k, kp, A, D); }
        static void project_query(const float* p, const float* q, float* qp) { detail::matvec(p + W_at, q, qp, A, H); }
        // One tanh per unit and pair: the layer's hottest loop, so vectorised (a
        // scalar std::tanh made the additive score 2.5x slower than the LSTMs).
        static float score(const float* p, const float* qp, const float* kp, float* th) {
            using simd::vec;
            const float* v = p + v_at;
            vec e(0.f);
            simd::for_each_chunk(A, [&](std::size_t a, std::size_t n) {
                const vec t = xsimd::tanh(simd::load(qp + a, n) + simd::load(kp + a, n));
                simd::store(th + a, t, n);
                e = simd::fma(simd::load(v + a, n), t, e);
            });
            return xsimd::hadd(e);
        }
        static void score_backward(const float* p, float* dp, const float*, const float*, const float* th, float de,
                                   float* dqp, float* dkp) {
            using simd::vec;
            const float* v = p + v_at;
            float* dv = dp + v_at;
            const vec d(de), one(1.f);
            simd::for_each_chunk(A, [&](std::size_t a, std::size_t n) {
                const vec t = simd::load(th + a, n);
                simd::store(dv + a, simd::fma(d, t, simd::load(dv + a, n)), n);
                const vec dpre = d * simd::load(v + a, n) * (one - t * t);
                simd::store(dqp + a, simd::load(dqp + a, n) + dpre, n);
                simd::store(dkp + a, simd::load(dkp + a, n) + dpre, n);
            });
        }
        static void project_query_backward(const float* p, float* dp, const float* q, const float* dqp, float* dq) {
            detail::outer_add(dp + W_at, dqp, q, A, H);
            if (dq) detail::matvec_transposed_add(p + W_at, dqp, dq, A, H);
        }
        static void project_key_backward(const float* p, float* dp, const float* k, const float* dkp, float* dk) {
            detail::outer_add(dp + U_at, dkp, k, A, D);
            if (dk) detail::matvec_transposed_add(p + U_at, dkp, dk, A, D);
        }
    };
};

// e = q . k: Luong's dot score. No parameters; H must equal D.
struct DotProduct {
    template <std::size_t H, std::size_t D>
    struct sized {
        static constexpr bool widths_ok = H == D;
        static constexpr std::size_t key_width = D, query_width = H, tanh_width = 0, param_count = 0;
        static void init(float*, Rng&) {}
        template <class F>
        static void for_each_param(F&&) {}
        template <class F>
        static void for_each_weight(F&&) {}
        static void project_key(const float*, const float* k, float* kp) { std::copy_n(k, D, kp); }
        static void project_query(const float*, const float* q, float* qp) { std::copy_n(q, H, qp); }
        static float score(const float*, const float* qp, const float* kp, float*) { return detail::dot_of(qp, kp, D); }
        static void score_backward(const float*, float*, const float* qp, const float* kp, const float*, float de,
                                   float* dqp, float* dkp) {
            for (std::size_t d = 0; d < D; ++d) {
                dqp[d] += de * kp[d];
                dkp[d] += de * qp[d];
            }
        }
        static void project_query_backward(const float*, float*, const float*, const float* dqp, float* dq) {
            if (dq)
                for (std::size_t h = 0; h < H; ++h) dq[h] += dqp[h];
        }
        static void project_key_backward(const float*, float*, const float*, const float* dkp, float* dk) {
            if (dk)
                for (std::size_t d = 0; d < D; ++d) dk[d] += dkp[d];
        }
    };
};

// e = q^T W_a k: Luong's general score; W_a [H, D] is `key.weight` (it maps a key to
// the query's width once per source position).
struct Bilinear {
    template <std::size_t H, std::size_t D>
    struct sized {
        static constexpr bool widths_ok = true;
        static constexpr std::size_t key_width = H, query_width = H, tanh_width = 0, param_count = H * D;
        static void init(float* p, Rng& rng) { detail::fill_uniform(p, H * D, 1.0 / std::sqrt(double(D)), rng); }
        template <class F>
        static void for_each_param(F&& f) {
            f("key.weight", 0, std::vector<std::size_t>{H, D});
        }
        template <class F>
        static void for_each_weight(F&& f) {
            f(std::size_t{0}, param_count, Regularization{});
        }
        static void project_key(const float* p, const float* k, float* kp) { detail::matvec(p, k, kp, H, D); }
        static void project_query(const float*, const float* q, float* qp) { std::copy_n(q, H, qp); }
        static float score(const float*, const float* qp, const float* kp, float*) { return detail::dot_of(qp, kp, H); }
        static void score_backward(const float*, float*, const float* qp, const float* kp, const float*, float de,
                                   float* dqp, float* dkp) {
            for (std::size_t h = 0; h < H; ++h) {
                dqp[h] += de * kp[h];
                dkp[h] += de * qp[h];
            }
        }
        static void project_query_backward(const float*, float*, const float*, const float* dqp, float* dq) {
            if (dq)
                for (std::size_t h = 0; h < H; ++h) dq[h] += dqp[h];
        }
        static void project_key_backward(const float* p, float* dp, const float* k, const float* dkp, float* dk) {
            detail::outer_add(dp, dkp, k, H, D);
            if (dk) detail::matvec_transposed_add(p, dkp, dk, H, D);
        }
    };
};

}  // namespace tn::attention_score
