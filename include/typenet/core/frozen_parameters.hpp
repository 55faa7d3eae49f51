// Which parameters training must leave alone (transfer learning: a pretrained
// feature extractor is frozen while a new head learns).
//
// Zero gradients alone would not do: SGD's weight decay, AdamW's decoupled decay and
// any momentum left from earlier steps still move a parameter whose gradient is 0.
// So Model::train_step zeroes the frozen gradients before clipping and the update
// (the global norm then measures only what trains), keeps the frozen values, and
// puts them back after the optimizer's step, bit for bit, whatever the optimizer.
// The copy is sized when the set changes, never during a step.
#pragma once
#include <algorithm>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace tn {

class FrozenParameters {
public:
    // Adds [offset, offset + count) of the parameter arena.
    void add(std::size_t offset, std::size_t count) {
        if (count == 0) return;
        ranges_.emplace_back(offset, offset + count);
        normalise();
    }
    // Removes [offset, offset + count).
    void remove(std::size_t offset, std::size_t count) {
        const std::size_t end = offset + count;
        std::vector<Range> kept;
        for (const auto& [b, e] : ranges_) {
            if (e <= offset || b >= end) {
                kept.emplace_back(b, e);
                continue;
            }
            if (b < offset) kept.emplace_back(b, offset);
            if (e > end) kept.emplace_back(end, e);
        }
        ranges_ = std::move(kept);
        normalise();
    }
    void clear() {
        ranges_.clear();
        normalise();
    }

    bool empty() const { return ranges_.empty(); }
    std::size_t count() const { return saved_.size(); }
    // Whether all of [offset, offset + count) is frozen.
    bool covers(std::size_t offset, std::size_t count) const {
        return std::any_of(ranges_.begin(), ranges_.end(),
                           [&](const Range& r) { return r.first <= offset && offset + count <= r.second; });
    }

    // Before the update: zero the frozen gradients and keep the frozen values.
    void hold(std::span<const float> params, std::span<float> grads) {
        std::size_t k = 0;
        for (const auto& [b, e] : ranges_) {
            std::fill(grads.begin() + std::ptrdiff_t(b), grads.begin() + std::ptrdiff_t(e), 0.f);
            std::copy(params.begin() + std::ptrdiff_t(b), params.begin() + std::ptrdiff_t(e),
                      saved_.begin() + std::ptrdiff_t(k));
            k += e - b;
        }
    }
    // After the update: the frozen values as they were.
    void restore(std::span<float> params) const {
        std::size_t k = 0;
        for (const auto& [b, e] : ranges_) {
            std::copy(saved_.begin() + std::ptrdiff_t(k), saved_.begin() + std::ptrdiff_t(k + (e - b)),
                      params.begin() + std::ptrdiff_t(b));
            k += e - b;
        }
    }

private:
    using Range = std::pair<std::size_t, std::size_t>;  // [begin, end)

    // Sorted, merged ranges, and a copy buffer of their total size.
    void normalise() {
        std::sort(ranges_.begin(), ranges_.end());
        std::vector<Range> merged;
        for (const auto& r : ranges_) {
            if (!merged.empty() && r.first <= merged.back().second)
                merged.back().second = std::max(merged.back().second, r.second);
            else
                merged.push_back(r);
        }
        ranges_ = std::move(merged);
        std::size_t total = 0;
        for (const auto& [b, e] : ranges_) total += e - b;
        saved_.assign(total, 0.f);
    }

    std::vector<Range> ranges_;
    std::vector<float> saved_;
};

}  // namespace tn
