// Scaled dot-product attention for one sample and one head (Vaswani et al. 2017):
//
//     out = softmax(scale * Q K^T + mask) V,   scale usually 1 / sqrt(d)
//
// with Q [Tq, d], K [Tk, d], V [Tk, dv] given as pointers and leading dimensions, so
// that a layer can hand it one head's columns of a fused [T, 3D] projection without
// copying. Self-attention and cross-attention (queries from the decoder, keys and
// values from the encoder's memory) call the same functions: nothing here knows
// where Q, K and V came from.
//
// The mask is not a tensor. Three numbers say everything the Transformer needs:
//   query_length  queries at or past it are padding: their output row is 0 and
//                 they give no gradient to anything;
//   key_length    keys at or past it are padding: never attended (Pass::lengths of
//                 the sample the keys come from);
//   causal        query i attends keys j <= i only (a decoder's masked self-attention);
//                 with a query offset o (the queries are positions o, o+1, ... of a
//                 sequence whose earlier keys a KV cache kept), query i attends keys
//                 j <= o + i.
// A masked score is not set to -inf and exponentiated: it is never computed. Each
// row's softmax runs over the keys the row may see, from the row's own maximum
// (exp(s - max) <= 1, so no overflow whatever the scores), and the other entries of
// the row are written as exact zeros. That is "softmax and masking fused".
//
// Memory. The scores of a block of query rows [rows, Tk] are computed by one GEMM
// into `probs`, turned into probabilities in place, and multiplied by V with a
// second GEMM. A caller that needs the probabilities later (backward) passes a
// buffer for all Tq rows; a caller that does not (inference) passes a tile of a few
// rows and the forward walks the queries tile by tile (attention_forward_tiled), so
// the scores' memory is rows x Tk: linear in T, not quadratic.
//
// Backward, with P the probabilities (the softmax's output) and Pd the ones
// multiplied by V (P itself, or P times a dropout mask):
//     dV = Pd^T dOut,   dPd = dOut V^T,   dP = dPd * keep (the dropout's multipliers),
//     dS = P * (dP - rowsum(P * dP)) * scale,   dQ = dS K,   dK = dS^T Q,
// five GEMMs and one fused pass over the rows. Masked entries have P = 0, hence dS = 0.
#pragma once
#include <algorithm>
#include <cstddef>

#include "typenet/kernels/gemm.hpp"
#include "typenet/kernels/simd.hpp"

namespace tn::kernels {

// Q, K, V of one sample and head: row-major blocks with their leading dimensions.
struct AttentionOperands {
    const float* q;
    std::size_t ldq;
    const float* k;
    std::size_t ldk;
    const float* v;
    std::size_t ldv;
    std::size_t dim;        // d: the width of a query and a key
    std::size_t value_dim;  // dv: the width of a value (and of the output)
};

struct AttentionMask {
    std::size_t query_length;  // real queries: rows 0 .. query_length-1
    std::size_t key_length;    // real keys: 0 .. key_length-1
    bool causal = false;       // query i sees keys 0 .. query_offset + i
    std::size_t query_offset = 0;  // the position of query row 0 among the keys

    // The keys query row i may attend (always >= 1 for a real row).
    std::size_t keys_seen_by(std::size_t i) const {
        return causal ? std::min(key_length, query_offset + i + 1) : key_length;
    }
};

// Softmax of scale * s over each row's visible keys, in place; the row's other
// entries up to key_length become 0. Rows are query rows row0 .. row0+rows-1,
// stored from s (leading dimension lds).
inline void masked_softmax_rows(float* s, std::size_t lds, std::size_t row0, std::size_t rows,
                                const AttentionMask& mask, float scale) {
    const simd::vec scale_v(scale);
    for (std::size_t r = 0; r < rows; ++r) {
        float* row = s + r * lds;
        const std::size_t n = mask.keys_seen_by(row0 + r);
        float top = row[0];
        for (std::size_t j = 1; j < n; ++j) top = std::max(top, row[j]);
        // exp(scale * (s - max)): the largest term is exp(0) = 1, so no overflow.
        const simd::vec shift(scale * top);
        simd::vec sums(0.f);
        simd::for_each_chunk(n, [&](std::size_t j, std::size_t count) {
            const simd::vec e = xsimd::exp(simd::fma(simd::load(row + j, count), scale_v, -shift));
            simd::store(row + j, e, count);
            // A tail's missing lanes exponentiate to a positive number: sum what was
            // stored (reloaded, the missing lanes read as 0) instead.
            sums += count == simd::width ? e : simd::load(row + j, count);
        });
        const float total = xsimd::hadd(sums);
        const simd::vec inv(1.f / total);
        simd::for_each_chunk(n, [&](std::size_t j, std::size_t count) {
            simd::store(row + j, simd::load(row + j, count) * inv, count);
        });
        std::fill(row + n, row + mask.key_length, 0.f);
    }
}

// The probabilities of query rows row0 .. row0+rows-1 (all < query_length) into
// probs [rows, ldp], row r holding query row0 + r: one GEMM for the scores, then the
// fused mask and softmax. Entries past key_length are not written.
inline void attention_probabilities(const AttentionOperands& a, const AttentionMask& mask, float scale,
                                    std::size_t row0, std::size_t rows, float* probs, std::size_t ldp) {
    using kernels::Transpose;
    // scores [rows, keys] = Q[row0 : row0+rows] K^T
    gemm(Transpose::No, Transpose::Yes, rows, mask.key_length, a.dim, a.q + row0 * a.ldq, a.ldq, a.k, a.ldk, 0.f,
         probs, ldp);
    masked_softmax_rows(probs, ldp, row0, rows, mask, scale);
}

// Those rows of the output: their probabilities, then out = probs V.
inline void attention_rows_forward(const AttentionOperands& a, const AttentionMask& mask, float scale,
                                   std::size_t row0, std::size_t rows, float* probs, std::size_t ldp, float* out,
                                   std::size_t ldo) {
    using kernels::Transpose;
    attention_probabilities(a, mask, scale, row0, rows, probs, ldp);
    gemm(Transpose::No, Transpose::No, rows, a.value_dim, mask.key_length, probs, ldp, a.v, a.ldv, 0.f,
         out + row0 * ldo, ldo);
}

// out [Tq, dv] (rows past query_length are set to 0). probs [tile_rows, ldp] is
// scratch for one tile of query rows at a time: pass tile_rows >= query_length and
// a [Tq, ldp] buffer to keep every probability (for backward), or a small tile for
// memory linear in T.
inline void attention_forward_tiled(const AttentionOperands& a, const AttentionMask& mask, float scale,
                                    std::size_t queries, float* out, std::size_t ldo, float* probs,
                                    std::size_t ldp, std::size_t tile_rows) {
    for (std::size_t row0 = 0; row0 < mask.query_length; row0 += tile_rows) {
        const std::size_t rows = std::min(tile_rows, mask.query_length - row0);
        float* tile = tile_rows >= mask.query_length ? probs + row0 * ldp : probs;
        attention_rows_forward(a, mask, scale, row0, rows, tile, ldp, out, ldo);
    }
    for (std::size_t i = mask.query_length; i < queries; ++i) std::fill_n(out + i * ldo, a.value_dim, 0.f);
}

// The softmax's backward fused with the dropout's, row by row over the real block,
// in place over dpd (the gradient of Pd): with keep = Pd / P where P > 0,
//     dS = P * (dPd * keep - c) * scale = (Pd * dPd - P * c) * scale,  c = rowsum(Pd * dPd),
// so the dropout multipliers themselves are never needed (without dropout Pd = P).
inline void masked_softmax_backward_rows(const float* p, const float* pd, std::size_t ldp, float* dpd,
                                         const AttentionMask& mask, float scale) {
    const std::size_t n = mask.key_length;
    const simd::vec s(scale);
    for (std::size_t i = 0; i < mask.query_length; ++i) {
        const float* pr = p + i * ldp;
        const float* pdr = pd + i * ldp;
        float* d = dpd + i * ldp;
        simd::vec dot(0.f);
        simd::for_each_chunk(n, [&](std::size_t j, std::size_t count) {
            dot = simd::fma(simd::load(pdr + j, count), simd::load(d + j, count), dot);
        });
        const simd::vec c(xsimd::hadd(dot));
        simd::for_each_chunk(n, [&](std::size_t j, std::size_t count) {
            const simd::vec g = simd::load(pdr + j, count) * simd::load(d + j, count) - simd::load(pr + j, count) * c;
            simd::store(d + j, g * s, count);
        });
    }
}

// Gradients of one sample and head, given everything forward kept:
//   probs   P [query_length, ldp], the softmax's output;
//   applied Pd, what multiplied V: P itself, or P after dropout.
// Writes dq rows 0 .. query_length-1 and dk, dv rows 0 .. key_length-1 (with beta 0:
// the caller zeroes the padded rows if it reads them). dprobs [query_length, ldp]
// is scratch.
inline void attention_backward(const AttentionOperands& a, const AttentionMask& mask, float scale,
                               const float* probs, const float* applied, std::size_t ldp,
                               const float* dout, std::size_t lddo, float* dq, std::size_t lddq, float* dk,
                               std::size_t lddk, float* dv, std::size_t lddv, float* dprobs) {
    using kernels::Transpose;
    const std::size_t Lq = mask.query_length, Lk = mask.key_length;
    // dV [Lk, dv] = Pd^T dOut
    gemm(Transpose::Yes, Transpose::No, Lk, a.value_dim, Lq, applied, ldp, dout, lddo, 0.f, dv, lddv);
    // dPd [Lq, Lk] = dOut V^T
    gemm(Transpose::No, Transpose::Yes, Lq, Lk, a.value_dim, dout, lddo, a.v, a.ldv, 0.f, dprobs, ldp);
    masked_softmax_backward_rows(probs, applied, ldp, dprobs, mask, scale);
    // dQ [Lq, d] = dS K;  dK [Lk, d] = dS^T Q
    gemm(Transpose::No, Transpose::No, Lq, a.dim, Lk, dprobs, ldp, a.k, a.ldk, 0.f, dq, lddq);
    gemm(Transpose::Yes, Transpose::No, Lk, a.dim, Lq, dprobs, ldp, a.q, a.ldq, 0.f, dk, lddk);
}

}  // namespace tn::kernels
