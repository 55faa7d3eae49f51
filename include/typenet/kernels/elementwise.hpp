// Element-wise loops on xsimd: activations forward and backward, and the small
// vector updates of residuals and optimizers. Each is one pass over memory.
#pragma once
#include <algorithm>
#include <cstddef>

#include "typenet/kernels/parallel.hpp"
#include "typenet/kernels/simd.hpp"

namespace tn::kernels {

// Below this many floats per thread, starting a second thread (a fork/join of a
// few microseconds) costs more than it saves on a memory-bound loop.
inline constexpr std::size_t elementwise_parallel_floats = std::size_t{1} << 15;

// Runs body(begin, end) over [0, n), split among the kernel threads when n is
// large enough. The shares start on 64-byte boundaries (16 floats), and each
// element goes through the same instructions whichever share it falls in, so an
// element-wise loop gives bit-identical results on any number of threads.
template <class Body>
inline void parallel_ranges(std::size_t n, Body&& body) {
    const int nt = tn::detail::kernel_threads(n / elementwise_parallel_floats);
#ifdef _OPENMP
    if (nt > 1) {
        constexpr std::size_t line = 16;
        const std::size_t lines = (n + line - 1) / line;
#pragma omp parallel num_threads(nt)
        {
            const auto t = static_cast<std::size_t>(omp_get_thread_num());
            const auto team = static_cast<std::size_t>(omp_get_num_threads());
            const std::size_t begin = std::min(n, lines * t / team * line);
            const std::size_t end = std::min(n, lines * (t + 1) / team * line);
            if (begin < end) body(begin, end);
        }
        return;
    }
#endif
    (void)nt;
    body(std::size_t{0}, n);
}

// y[i] = F::forward(x[i])
template <class F>
inline void map_forward(const float* x, float* y, std::size_t n) {
    parallel_ranges(n, [&](std::size_t begin, std::size_t end) {
        simd::for_each_chunk(end - begin, [&](std::size_t i, std::size_t c) {
            simd::store(y + begin + i, F::forward(simd::load(x + begin + i, c)), c);
        });
    });
}

// dx[i] = F::backward(x[i], y[i], dy[i]). When F::from_output, x is not read (it
// may be null: the fused Dense+activation does not store the pre-activation).
template <class F>
inline void map_backward(const float* x, const float* y, const float* dy, float* dx, std::size_t n) {
    parallel_ranges(n, [&](std::size_t begin, std::size_t end) {
        simd::for_each_chunk(end - begin, [&](std::size_t j, std::size_t c) {
            const std::size_t i = begin + j;
            const simd::vec xv = F::from_output ? simd::vec(0.f) : simd::load(x + i, c);
            simd::store(dx + i, F::backward(xv, simd::load(y + i, c), simd::load(dy + i, c)), c);
        });
    });
}

// y += x
inline void add_into(float* y, const float* x, std::size_t n) {
    simd::for_each_chunk(n, [&](std::size_t i, std::size_t c) {
        simd::store(y + i, simd::load(y + i, c) + simd::load(x + i, c), c);
    });
}

// y += a * x, on both cores when long (an optimizer step over the whole arena).
inline void axpy(float a, const float* x, float* y, std::size_t n) {
    const simd::vec av(a);
    parallel_ranges(n, [&](std::size_t begin, std::size_t end) {
        simd::for_each_chunk(end - begin, [&](std::size_t i, std::size_t c) {
            i += begin;
            simd::store(y + i, simd::fma(av, simd::load(x + i, c), simd::load(y + i, c)), c);
        });
    });
}

// out[j] = sum over rows r of m[r, j]: the bias gradient of Dense. Four vectors
// of columns at a time, so that each row is read in whole cache lines, once; every
// column is summed over r = 0, 1, ... in order, whatever the blocking.
inline void column_sums(const float* m, std::size_t rows, std::size_t cols, float* out) {
    constexpr std::size_t block = 4 * simd::width;
    std::size_t j = 0;
    for (; j + block <= cols; j += block) {
        simd::vec acc[4] = {simd::vec(0.f), simd::vec(0.f), simd::vec(0.f), simd::vec(0.f)};
        for (std::size_t r = 0; r < rows; ++r) {
            const float* row = m + r * cols + j;
            for (std::size_t v = 0; v < 4; ++v) acc[v] += simd::vec::load_unaligned(row + v * simd::width);
        }
        for (std::size_t v = 0; v < 4; ++v) acc[v].store_unaligned(out + j + v * simd::width);
    }
    simd::for_each_chunk(cols - j, [&](std::size_t i, std::size_t c) {
        simd::vec acc(0.f);
        for (std::size_t r = 0; r < rows; ++r) acc += simd::load(m + r * cols + j + i, c);
        simd::store(out + j + i, acc, c);
    });
}

}  // namespace tn::kernels
