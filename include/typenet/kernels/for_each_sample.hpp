// Runs f(s) for every sample s of a batch, the samples shared among the threads.
//
// Convolution and pooling do the same work on every sample, independently, so the
// batch is the natural thing to split: each sample is computed by the same code
// whichever thread runs it, and results do not depend on the thread count. Inside
// the loop the GEMM sees it is in a parallel region and runs on its own thread
// (kernels/parallel.hpp). With a single sample (batch-1 inference) the loop runs
// serially and the GEMM splits its product among the threads instead.
#pragma once
#include <cstddef>

#include "typenet/kernels/parallel.hpp"

namespace tn::kernels {

// `work_per_sample`: roughly how many floats one call touches. Below a few thousand
// per thread, starting the team costs more than it saves.
template <class F>
void for_each_sample(std::size_t batch, std::size_t work_per_sample, F&& f) {
    constexpr std::size_t worth_a_thread = std::size_t{1} << 14;
    const std::size_t useful = batch * work_per_sample / worth_a_thread;
    const int threads = tn::detail::kernel_threads(useful < batch ? useful : batch);
#ifdef _OPENMP
    if (threads > 1) {
#pragma omp parallel for num_threads(threads) schedule(static)
        for (std::size_t s = 0; s < batch; ++s) f(s);
        return;
    }
#endif
    (void)threads;
    for (std::size_t s = 0; s < batch; ++s) f(s);
}

}  // namespace tn::kernels
