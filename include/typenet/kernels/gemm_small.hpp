// The GEMM's paths for products that packing would not repay: the plain loop for
// tiny ones, and B streamed in place for a handful of rows.
#pragma once
#include <algorithm>
#include <cstddef>
#include <utility>

#include "typenet/kernels/gemm_common.hpp"
#include "typenet/kernels/gemm_types.hpp"
#include "typenet/kernels/simd.hpp"

namespace tn::kernels::detail {

// The plain loop for products too small to repay packing (the lessons' 2x1x4).
template <class Epilogue>
void gemm_small(Transpose ta, Transpose tb, std::size_t M, std::size_t N, std::size_t K, const float* A,
                std::size_t lda, const float* B, std::size_t ldb, float beta, float* C, std::size_t ldc,
                const Epilogue& epilogue) {
    // op(A)(i, k) = A[i*a_row + k*a_col], op(B)(k, j) = B[k*b_row + j*b_col].
    const std::size_t a_row = ta == Transpose::No ? lda : 1, a_col = ta == Transpose::No ? 1 : lda;
    const std::size_t b_row = tb == Transpose::No ? ldb : 1, b_col = tb == Transpose::No ? 1 : ldb;
    for (std::size_t i = 0; i < M; ++i) {
        float* c = C + i * ldc;
        for (std::size_t j = 0; j < N; ++j) {
            float acc = 0.f;
            for (std::size_t k = 0; k < K; ++k) acc += A[i * a_row + k * a_col] * B[k * b_row + j * b_col];
            c[j] = beta == 0.f ? acc : acc + beta * c[j];
        }
        epilogue(i, 0, c, N);
    }
}

// Products with a handful of rows (batch-1 inference, one sample of a lesson):
// every element of B meets at most M < mr rows of A, so packing B would cost more
// than the multiply-adds it feeds. B is streamed once, in place.
//
// B not transposed: rows of C are built as sums of rows of B scaled by A, two
// vectors of columns at a time, all M rows together (the micro-kernel's loop with
// B read from memory). Rows is a template argument so the accumulators stay in
// registers.
template <std::size_t Rows, class Epilogue>
void gemm_skinny_rows(Transpose ta, std::size_t N, std::size_t K, const float* A, std::size_t lda, const float* B,
                      std::size_t ldb, float beta, float* C, std::size_t ldc, const Epilogue& epilogue) {
    using simd::vec;
    constexpr std::size_t w = simd::width;
    const std::size_t a_row = ta == Transpose::No ? lda : 1, a_col = ta == Transpose::No ? 1 : lda;
    const vec scale(beta);
    for (std::size_t j = 0; j < N; j += 2 * w) {
        const std::size_t cols = std::min(2 * w, N - j);
        vec acc[Rows][2];
        unrolled<Rows>([&](auto r) { acc[r][0] = acc[r][1] = vec(0.f); });
        if (cols == 2 * w) {
            for (std::size_t k = 0; k < K; ++k) {
                const float* b = B + k * ldb + j;
                const vec b0 = vec::load_unaligned(b), b1 = vec::load_unaligned(b + w);
                unrolled<Rows>([&](auto r) {
                    const vec ar(A[r * a_row + k * a_col]);
                    acc[r][0] = simd::fma(ar, b0, acc[r][0]);
                    acc[r][1] = simd::fma(ar, b1, acc[r][1]);
                });
            }
        } else {
            const std::size_t count0 = std::min(w, cols), count1 = cols - count0;
            for (std::size_t k = 0; k < K; ++k) {
                const float* b = B + k * ldb + j;
                const vec b0 = simd::load(b, count0), b1 = count1 ? simd::load(b + w, count1) : vec(0.f);
                unrolled<Rows>([&](auto r) {
                    const vec ar(A[r * a_row + k * a_col]);
                    acc[r][0] = simd::fma(ar, b0, acc[r][0]);
                    acc[r][1] = simd::fma(ar, b1, acc[r][1]);
                });
            }
        }
        unrolled<Rows>([&](auto r) {
            float* cr = C + r * ldc + j;
            for (std::size_t h = 0; h < 2 && h * w < cols; ++h) {
                const std::size_t count = std::min(w, cols - h * w);
                vec v = acc[r][h];
                if (beta != 0.f) v = simd::fma(scale, simd::load(cr + h * w, count), v);
                simd::store(cr + h * w, v, count);
            }
            epilogue(r, j, cr, cols);
        });
    }
}

// B transposed: each element of C is a dot product of a row of op(A) and a row of
// B, both contiguous in k (a transposed A is first copied into a row). w columns
// at a time, each summed across its lanes at the end. (Not xsimd::haddp: on
// AVX-512 it sets off a false -Wmaybe-uninitialized inside GCC 12's intrinsics.)
template <class Epilogue>
void gemm_skinny_dot(Transpose ta, std::size_t M, std::size_t N, std::size_t K, const float* A, std::size_t lda,
                     const float* B, std::size_t ldb, float beta, float* C, std::size_t ldc,
                     const Epilogue& epilogue) {
    using simd::vec;
    constexpr std::size_t w = simd::width;
    AlignedBuffer& row_buffer = gemm_workspace().a;
    row_buffer.resize(K);
    const std::size_t k_full = K / w * w, k_tail = K - k_full;
    for (std::size_t i = 0; i < M; ++i) {
        const float* a = A + i * lda;
        if (ta == Transpose::Yes) {
            for (std::size_t k = 0; k < K; ++k) row_buffer.data()[k] = A[k * lda + i];
            a = row_buffer.data();
        }
        float* c = C + i * ldc;
        for (std::size_t j = 0; j < N; j += w) {
            const std::size_t cols = std::min(w, N - j);
            vec acc[w];
            unrolled<w>([&](auto q) { acc[q] = vec(0.f); });
            if (cols == w) {
                for (std::size_t k = 0; k < k_full; k += w) {
                    const vec av = vec::load_unaligned(a + k);
                    unrolled<w>([&](auto q) {
                        acc[q] = simd::fma(av, vec::load_unaligned(B + (j + q) * ldb + k), acc[q]);
                    });
                }
                if (k_tail) {
                    const vec av = simd::load(a + k_full, k_tail);
                    unrolled<w>([&](auto q) {
                        acc[q] = simd::fma(av, simd::load(B + (j + q) * ldb + k_full, k_tail), acc[q]);
                    });
                }
            } else {
                for (std::size_t k = 0; k < K; k += w) {
                    const std::size_t count = std::min(w, K - k);
                    const vec av = simd::load(a + k, count);
                    for (std::size_t q = 0; q < cols; ++q)
                        acc[q] = simd::fma(av, simd::load(B + (j + q) * ldb + k, count), acc[q]);
                }
            }
            alignas(64) float lane_sums[w];
            unrolled<w>([&](auto q) { lane_sums[q] = xsimd::hadd(acc[q]); });
            vec sums = vec::load_aligned(lane_sums);
            if (beta != 0.f) sums = simd::fma(vec(beta), simd::load(c + j, cols), sums);
            simd::store(c + j, sums, cols);
        }
        epilogue(i, 0, c, N);
    }
}

template <std::size_t... R, class Epilogue>
void gemm_skinny(std::index_sequence<R...>, Transpose ta, Transpose tb, std::size_t M, std::size_t N,
                 std::size_t K, const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta,
                 float* C, std::size_t ldc, const Epilogue& epilogue) {
    if (tb == Transpose::Yes) {
        gemm_skinny_dot(ta, M, N, K, A, lda, B, ldb, beta, C, ldc, epilogue);
        return;
    }
    ((M == R + 1 ? gemm_skinny_rows<R + 1>(ta, N, K, A, lda, B, ldb, beta, C, ldc, epilogue) : void()), ...);
}

}  // namespace tn::kernels::detail
