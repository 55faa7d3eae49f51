// Packing for the GEMM: a block of op(A) or op(B) is copied into the order in which
// the micro-kernel reads it, so that its inner loop walks two buffers strictly
// forward, one vector at a time. Transposes are resolved here, once per block, so
// that one micro-kernel serves all four forms (N/N, N/T, T/N, T/T).
//
// A is cut into micro-panels of mr rows, stored k-major: panel[k*mr + r].
// B is cut into micro-panels of nr columns, stored k-major: panel[k*nr + j].
// A short last panel is padded with zeros; those rows/columns are computed and
// thrown away, never stored into C. K is never padded.
#pragma once
#include <cstddef>
#include <cstring>

#include "typenet/kernels/gemm_common.hpp"
#include "typenet/kernels/gemm_types.hpp"
#include "typenet/kernels/simd.hpp"

#if defined(__AVX__)
#include <immintrin.h>
#endif

namespace tn::kernels::detail {

#if defined(__AVX__)
// Transposes 8 rows of 8 floats in registers: afterwards r[k] holds column k.
inline void transpose_8x8(__m256 (&r)[8]) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

// 8x8 block: src rows ld apart -> dst rows dst_ld apart, transposed.
inline void transpose_8x8(const float* src, std::size_t ld, float* dst, std::size_t dst_ld) {
    __m256 r[8];
    for (std::size_t i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src + i * ld);
    transpose_8x8(r);
    for (std::size_t i = 0; i < 8; ++i) _mm256_storeu_ps(dst + i * dst_ld, r[i]);
}

// 6 rows x 8 columns (rows ld apart) -> 8 groups of 6 floats at dst, dst + 6, ...:
// eight k-steps of an A micro-panel of the 6x16 kernel. The first seven stores
// write 8 floats and spill 2 into the next group, which the next store overwrites;
// the last one writes exactly 6, so nothing beyond the 48 floats is touched.
inline void transpose_6x8(const float* src, std::size_t ld, float* dst) {
    __m256 r[8];
    for (std::size_t i = 0; i < 6; ++i) r[i] = _mm256_loadu_ps(src + i * ld);
    r[6] = r[7] = _mm256_setzero_ps();
    transpose_8x8(r);
    for (std::size_t k = 0; k < 7; ++k) _mm256_storeu_ps(dst + 6 * k, r[k]);
    const __m128 low = _mm256_castps256_ps128(r[7]);
    _mm_storeu_ps(dst + 42, low);
    _mm_storel_pi(reinterpret_cast<__m64*>(dst + 46), _mm256_extractf128_ps(r[7], 1));
}

// `rows` (<= 4) rows x 8 columns (rows ld apart) -> 8 groups of 4 floats at dst,
// dst + 4, ...: eight k-steps of an A micro-panel of AVX2's 4x24 kernel, rows past
// `rows` zero.
inline void transpose_4x8(const float* src, std::size_t ld, std::size_t rows, float* dst) {
    __m256 r[8];
    for (std::size_t i = 0; i < 8; ++i) r[i] = i < rows ? _mm256_loadu_ps(src + i * ld) : _mm256_setzero_ps();
    transpose_8x8(r);
    for (std::size_t k = 0; k < 8; ++k) _mm_storeu_ps(dst + 4 * k, _mm256_castps256_ps128(r[k]));
}

// `rows` (<= 14) rows x 8 columns (rows ld apart) -> 8 groups of 14 floats at dst,
// dst + 14, ...: eight k-steps of an A micro-panel of AVX-512's 14x32 kernel, rows
// past `rows` zero. Two transposes, rows 0-7 and rows 8-13 (padded with zero rows).
inline void transpose_14x8(const float* src, std::size_t ld, std::size_t rows, float* dst) {
    __m256 upper[8], lower[8];
    for (std::size_t i = 0; i < 8; ++i) upper[i] = i < rows ? _mm256_loadu_ps(src + i * ld) : _mm256_setzero_ps();
    for (std::size_t i = 0; i < 8; ++i) lower[i] = 8 + i < rows ? _mm256_loadu_ps(src + (8 + i) * ld) : _mm256_setzero_ps();
    transpose_8x8(upper);
    transpose_8x8(lower);
    const __m256i six = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
    for (std::size_t k = 0; k < 8; ++k) {
        _mm256_storeu_ps(dst + 14 * k, upper[k]);
        _mm256_maskstore_ps(dst + 14 * k + 8, six, lower[k]);
    }
}
#endif

// One micro-panel of op(A): rows i0..i0+rows (rows <= mr), columns p0..p0+kc.
inline void pack_a_panel(Transpose ta, const float* A, std::size_t lda, std::size_t i0, std::size_t rows,
                         std::size_t p0, std::size_t kc, float* dst) {
    constexpr std::size_t mr = gemm_mr;
    if (ta == Transpose::Yes) {
        // op(A)(i, k) = A[k*lda + i]: each k is a contiguous run of rows.
        const float* src = A + p0 * lda + i0;
        if (rows == mr) {
            for (std::size_t k = 0; k < kc; ++k, src += lda, dst += mr) std::memcpy(dst, src, mr * sizeof(float));
            return;
        }
        for (std::size_t k = 0; k < kc; ++k, src += lda, dst += mr) {
            std::size_t r = 0;
            for (; r < rows; ++r) dst[r] = src[r];
            for (; r < mr; ++r) dst[r] = 0.f;
        }
        return;
    }
    // op(A)(i, k) = A[i*lda + k]: gather one element from each of the mr rows.
    // (Register transposes for whole groups of 8 k: a full 6-row panel of a 6x16
    // kernel, any panel of AVX2's 4x24 and AVX-512's 14x32, where M is cut evenly and
    // panels are rarely full: RowPanels.)
    const float* src = A + i0 * lda + p0;
    std::size_t k = 0;
#if defined(__AVX__)
    // (The bound is computed first: with `k + 8 <= kc` as the condition, g++ 12
    // warned, -Waggressive-loop-optimizations, about the tail loop below.)
    if constexpr (mr == 6)
        if (rows == mr)
            for (const std::size_t whole = kc / 8 * 8; k < whole; k += 8) transpose_6x8(src + k, lda, dst + k * mr);
    if constexpr (mr == 4)
        for (const std::size_t whole = kc / 8 * 8; k < whole; k += 8) transpose_4x8(src + k, lda, rows, dst + k * mr);
    if constexpr (mr == 14)
        for (const std::size_t whole = kc / 8 * 8; k < whole; k += 8) transpose_14x8(src + k, lda, rows, dst + k * mr);
#endif
    if (rows == mr) {
        for (; k < kc; ++k)
            for (std::size_t r = 0; r < mr; ++r) dst[k * mr + r] = src[r * lda + k];
        return;
    }
    for (; k < kc; ++k) {
        std::size_t r = 0;
        for (; r < rows; ++r) dst[k * mr + r] = src[r * lda + k];
        for (; r < mr; ++r) dst[k * mr + r] = 0.f;
    }
}

// One micro-panel of op(B): rows p0..p0+kc, columns j0..j0+cols (cols <= nr).
inline void pack_b_panel(Transpose tb, const float* B, std::size_t ldb, std::size_t p0, std::size_t kc,
                         std::size_t j0, std::size_t cols, float* dst) {
    constexpr std::size_t nr = gemm_nr;
    if (tb == Transpose::No) {
        // op(B)(k, j) = B[k*ldb + j]: each k is a contiguous run of columns.
        const float* src = B + p0 * ldb + j0;
        if (cols == nr) {
            for (std::size_t k = 0; k < kc; ++k, src += ldb, dst += nr)
                for (std::size_t h = 0; h < nr; h += simd::width)
                    simd::vec::load_unaligned(src + h).store_aligned(dst + h);
            return;
        }
        for (std::size_t k = 0; k < kc; ++k, src += ldb, dst += nr) {
            std::size_t j = 0;
            for (; j < cols; ++j) dst[j] = src[j];
            for (; j < nr; ++j) dst[j] = 0.f;
        }
        return;
    }
    // op(B)(k, j) = B[j*ldb + k]: a transpose. Rows of B are read contiguously.
    const float* src = B + j0 * ldb + p0;
    // Whole groups of 8 columns go through 8x8 transposes (also in a narrow panel:
    // a convolution's weight gradient has K = C kh kw columns, rarely a multiple of nr),
    // what is left of k and of the columns element by element.
    std::size_t k = 0, full = 0;
#if defined(__AVX__)
    if (nr % 8 == 0) {
        full = cols / 8 * 8;
        if (full > 0)
            for (; k + 8 <= kc; k += 8)
                for (std::size_t j = 0; j < full; j += 8) transpose_8x8(src + j * ldb + k, ldb, dst + k * nr + j, nr);
    }
#endif
    for (std::size_t j = 0; j < cols; ++j)
        for (std::size_t kk = j < full ? k : 0; kk < kc; ++kk) dst[kk * nr + j] = src[j * ldb + kk];
    if (cols < nr)
        for (std::size_t kk = k; kk < kc; ++kk) std::memset(dst + kk * nr + cols, 0, (nr - cols) * sizeof(float));
}

}  // namespace tn::kernels::detail
