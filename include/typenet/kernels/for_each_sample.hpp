// Runs f(item, thread) for items 0 .. count-1 (the samples of a batch, or groups of
// them), the items shared among the threads.
//
// Convolution and pooling do the same work on every sample, independently, so the
// batch is the natural thing to split: each item is computed by the same code
// whichever thread runs it, and results do not depend on the thread count. `thread`
// (0 .. threads-1) lets an item use that thread's own scratch space. Inside the loop
// the GEMM sees it is in a parallel region and runs on its own thread
// (kernels/parallel.hpp). With a single item (batch-1 inference) the loop runs
// serially and the GEMM splits its product among the threads instead.
#pragma once
#include <cstddef>

#include "typenet/kernels/parallel.hpp"

namespace tn::kernels {

// How many threads `count` items of `work_per_item` floats each are worth, at most
// `limit`: below a few thousand floats per thread, starting the team costs more
// than it saves.
inline int item_threads(std::size_t count, std::size_t work_per_item, std::size_t limit) {
    constexpr std::size_t worth_a_thread = std::size_t{1} << 14;
    std::size_t useful = count * work_per_item / worth_a_thread;
    if (useful > count) useful = count;
    if (useful > limit) useful = limit;
    return tn::detail::kernel_threads(useful);
}

template <class F>
void parallel_items(std::size_t count, int threads, F&& f) {
#ifdef _OPENMP
    if (threads > 1) {
#pragma omp parallel for num_threads(threads) schedule(static)
        for (std::size_t i = 0; i < count; ++i) f(i, static_cast<std::size_t>(omp_get_thread_num()));
        return;
    }
#endif
    (void)threads;
    for (std::size_t i = 0; i < count; ++i) f(i, std::size_t{0});
}

// The common case: one item per sample, any number of threads up to the batch.
template <class F>
void for_each_sample(std::size_t batch, std::size_t work_per_sample, F&& f) {
    parallel_items(batch, item_threads(batch, work_per_sample, batch), f);
}

}  // namespace tn::kernels
