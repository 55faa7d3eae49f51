// How many threads typenet's kernels use. OpenMP runs the threads; this is the one
// place that decides how many, so that a program (or a test that checks results do
// not depend on the thread count) can pin it with tn::set_threads(n).
//
// The default is OpenMP's own (OMP_NUM_THREADS, else one per core). A kernel called
// from inside an OpenMP parallel region runs on one thread: the caller already
// divided the work.
#pragma once
#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <string>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace tn {

namespace detail {
// 0 means "not set": use OpenMP's default.
inline std::atomic<int> requested_threads{0};
}  // namespace detail

// Sets the number of threads the kernels may use from now on (n >= 1).
inline void set_threads(int n) {
    if (n < 1)
        throw std::invalid_argument(std::string(__FILE__) + ":" + std::to_string(__LINE__) +
                                    ": tn::set_threads: the thread count must be at least 1, got " +
                                    std::to_string(n));
    detail::requested_threads.store(n, std::memory_order_relaxed);
}

// The number of threads the kernels use (always 1 without OpenMP).
inline int threads() {
#ifdef _OPENMP
    const int n = detail::requested_threads.load(std::memory_order_relaxed);
    return n > 0 ? n : omp_get_max_threads();
#else
    return 1;
#endif
}

namespace detail {
// The threads a kernel should actually start now: one when already inside a
// parallel region (no nested teams), at most `useful` (the number of work items).
inline int kernel_threads(std::size_t useful) {
#ifdef _OPENMP
    if (omp_in_parallel()) return 1;
#endif
    const std::size_t n = static_cast<std::size_t>(threads());
    return static_cast<int>(n < useful ? n : (useful == 0 ? 1 : useful));
}
}  // namespace detail

}  // namespace tn
