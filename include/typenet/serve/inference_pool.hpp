// Inference for many threads at once, each forward in its own workspace.
//
// A Model<Net> keeps its activations (input, every layer's output and cache,
// scratch) in one arena of its own (docs/design.md, "Memory"), so two forwards on one
// Model at the same time would write over each other. The pool holds one copy of the
// model per worker thread (parameters included: for a served CNN they are a few
// hundred kilobytes, and a copy keeps each worker's weights in its own cache lines)
// and lends a copy to one forward at a time. With as many copies as the server has
// threads, a lend never waits; with fewer it waits for a copy to come back, which
// is still correct.
//
// The copies are made once, from the model as loaded, and never written by anything
// but their forwards: serving cannot change the model.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <omp.h>

#include "typenet/model.hpp"

namespace tn::serve {

template <class Net>
class InferencePool {
public:
    // `threads_per_forward`: OpenMP threads one forward may use. A server already runs
    // one forward per worker thread, so 1 (the default) keeps N workers on N cores
    // instead of N OpenMP teams fighting over them.
    InferencePool(const Model<Net>& model, std::size_t copies, int threads_per_forward = 1)
        : threads_per_forward_(threads_per_forward) {
        if (copies == 0) throw std::invalid_argument("InferencePool: needs at least one copy of the model");
        if (threads_per_forward < 1)
            throw std::invalid_argument("InferencePool: threads_per_forward must be >= 1, got " +
                                        std::to_string(threads_per_forward));
        models_.reserve(copies);
        for (std::size_t i = 0; i < copies; ++i) {
            models_.push_back(model);
            models_.back().reserve(1);  // the batch-1 arena, now rather than in the first request
            free_.push_back(i);
        }
    }
    InferencePool(const InferencePool&) = delete;
    InferencePool& operator=(const InferencePool&) = delete;

    std::size_t size() const { return models_.size(); }

    // The model's outputs for one sample (Model::input_size floats), in evaluation
    // mode (dropout off, BatchNorm on its running statistics). Safe to call from any
    // number of threads at once.
    std::vector<float> predict(std::span<const float> sample) {
        const Lease lease(*this);
        omp_set_num_threads(threads_per_forward_);  // this thread's setting only (OpenMP's nthreads-var)
        return lease.model.predict(sample);
    }

private:
    // One copy, lent to one forward for as long as the lease lives.
    struct Lease {
        InferencePool& pool;
        std::size_t index;
        Model<Net>& model;
        explicit Lease(InferencePool& p) : pool(p), index(p.acquire()), model(p.models_[index]) {}
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease() { pool.release(index); }
    };

    std::size_t acquire() {
        std::unique_lock lock(mutex_);
        returned_.wait(lock, [&] { return !free_.empty(); });
        const std::size_t i = free_.back();
        free_.pop_back();
        return i;
    }
    void release(std::size_t i) {
        {
            const std::lock_guard lock(mutex_);
            free_.push_back(i);
        }
        returned_.notify_one();
    }

    std::vector<Model<Net>> models_;
    std::vector<std::size_t> free_;  // indices of the copies no forward holds
    std::mutex mutex_;
    std::condition_variable returned_;
    int threads_per_forward_;
};

}  // namespace tn::serve
