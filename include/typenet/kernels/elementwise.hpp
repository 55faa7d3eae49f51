// Element-wise loops on xsimd: activations forward and backward, and the small
// vector updates of residuals and optimizers. Each is one pass over memory.
#pragma once
#include <cstddef>

#include "typenet/kernels/simd.hpp"

namespace tn::kernels {

// y[i] = F::forward(x[i])
template <class F>
inline void map_forward(const float* x, float* y, std::size_t n) {
    simd::for_each_chunk(n, [&](std::size_t i, std::size_t c) {
        simd::store(y + i, F::forward(simd::load(x + i, c)), c);
    });
}

// dx[i] = F::backward(x[i], y[i], dy[i]). When F::from_output, x is not read (it
// may be null: the fused Dense+activation does not store the pre-activation).
template <class F>
inline void map_backward(const float* x, const float* y, const float* dy, float* dx, std::size_t n) {
    simd::for_each_chunk(n, [&](std::size_t i, std::size_t c) {
        const simd::vec xv = F::from_output ? simd::vec(0.f) : simd::load(x + i, c);
        simd::store(dx + i, F::backward(xv, simd::load(y + i, c), simd::load(dy + i, c)), c);
    });
}

// y += x
inline void add_into(float* y, const float* x, std::size_t n) {
    simd::for_each_chunk(n, [&](std::size_t i, std::size_t c) {
        simd::store(y + i, simd::load(y + i, c) + simd::load(x + i, c), c);
    });
}

// y += a * x
inline void axpy(float a, const float* x, float* y, std::size_t n) {
    const simd::vec av(a);
    simd::for_each_chunk(n, [&](std::size_t i, std::size_t c) {
        simd::store(y + i, xsimd::fma(av, simd::load(x + i, c), simd::load(y + i, c)), c);
    });
}

// out[j] = sum over rows r of m[r, j]: the bias gradient of Dense.
inline void column_sums(const float* m, std::size_t rows, std::size_t cols, float* out) {
    simd::for_each_chunk(cols, [&](std::size_t j, std::size_t c) {
        simd::vec acc(0.f);
        for (std::size_t r = 0; r < rows; ++r) acc += simd::load(m + r * cols + j, c);
        simd::store(out + j, acc, c);
    });
}

}  // namespace tn::kernels
