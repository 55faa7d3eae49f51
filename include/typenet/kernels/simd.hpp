// The SIMD vocabulary of typenet's kernels: one xsimd batch of floats for the best
// instruction set the compiler targets (AVX2+FMA here, AVX-512 where built for it).
#pragma once
#include <cstddef>
#include <type_traits>
// Two g++ 12.2 false positives are silenced for the intrinsic headers' own lines (which
// xsimd includes first), not for our code:
// - its AVX-512 intrinsics initialise their "undefined" registers from themselves
//   (`__m512 __Y = __Y;`), which -W(maybe-)uninitialized reports wherever they are
//   inlined (GCC bug 105593, fixed in 12.3);
// - after inlining, a full-vector load on a path that a runtime length rules out
//   (a 15-float buffer, a loop that runs while 16 more fit) is reported as
//   -Warray-bounds. The sanitizer build checks real out-of-bounds accesses.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Warray-bounds"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif
#include <xsimd/xsimd.hpp>

namespace tn::simd {

using arch = xsimd::default_arch;
using vec = xsimd::batch<float, arch>;
inline constexpr std::size_t width = vec::size;
// The instruction set typenet's kernels were compiled for, as xsimd names it
// ("avx512bw", "fma3+avx2", "sse2", ...): fixed by the compiler flags (-march), not
// detected at run time. A program can print it beside its results.
inline constexpr const char* arch_name = arch::name();

// Applies `body(vec&...)`-style work over n floats: full vectors first, then the
// tail through a zero-padded vector, so every kernel is written once, for vec.
template <class Body>
inline void for_each_chunk(std::size_t n, Body&& body) {
    std::size_t i = 0;
    for (; i + width <= n; i += width) body(i, width);
    if (i < n) body(i, n - i);
}

// x * y + z with one rounding, on every architecture. xsimd 8.1 has no AVX-512 fma
// kernel: its fma falls back to x * y + z, which g++ contracts into an FMA at -O2 and
// up but not at -O1 (the sanitizer build), so results would depend on the optimisation
// level. On AVX-512 the instruction is named here.
template <class A>
inline xsimd::batch<float, A> fma(const xsimd::batch<float, A>& x, const xsimd::batch<float, A>& y,
                                  const xsimd::batch<float, A>& z) {
#if defined(__AVX512F__)
    if constexpr (std::is_base_of_v<xsimd::avx512f, A>) return _mm512_fmadd_ps(x, y, z);
#endif
    return xsimd::fma(x, y, z);
}

// Loads `count` floats (count <= width) from p; missing lanes are zero. A tail is
// one masked instruction where the target has them (AVX-512, AVX2): a detour
// through a stack buffer cost more than the arithmetic on short rows (LeNet's
// feature maps are 10 to 28 floats wide).
inline vec load(const float* p, std::size_t count) {
    if (count == width) return vec::load_unaligned(p);
#if defined(__AVX512F__)
    if constexpr (width == 16) return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << count) - 1), p);
#elif defined(__AVX2__)
    if constexpr (width == 8)
        return _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)),
                                                        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
#endif
    alignas(64) float buf[width] = {};
    // `k < width` is implied by count <= width; stated so that g++ 12 cannot assume
    // a larger count after inlining (a false -Warray-bounds).
    for (std::size_t k = 0; k < count && k < width; ++k) buf[k] = p[k];
    return vec::load_aligned(buf);
}

// Stores the first `count` lanes of v (count <= width) at p, and nothing else.
inline void store(float* p, const vec& v, std::size_t count) {
    if (count == width) {
        v.store_unaligned(p);
        return;
    }
#if defined(__AVX512F__)
    if constexpr (width == 16) {
        _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << count) - 1), v);
        return;
    }
#elif defined(__AVX2__)
    if constexpr (width == 8) {
        _mm256_maskstore_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)),
                                                  _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)),
                            v);
        return;
    }
#endif
    alignas(64) float buf[width];
    v.store_aligned(buf);
    for (std::size_t k = 0; k < count && k < width; ++k) p[k] = buf[k];
}

}  // namespace tn::simd
