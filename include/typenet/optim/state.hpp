// Per-parameter state of an optimizer (velocities, squared-gradient averages):
// one aligned buffer per slot, the size of the parameter arena, allocated on the
// first step and reused after (a training step allocates nothing after warm-up).
// Named slots let checkpoints save and restore it.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "typenet/core/aligned_buffer.hpp"

namespace tn {

template <std::size_t Slots>
struct OptimizerState {
    std::array<AlignedBuffer, Slots> slots;
    std::uint64_t steps = 0;  // updates done: Adam's bias correction reads it

    // Sizes every slot for n parameters (zero-filled) the first time.
    void ensure(std::size_t n) {
        for (auto& s : slots)
            if (s.size() != n) {
                s = AlignedBuffer(n);
            }
    }
    std::span<float> slot(std::size_t i) { return slots[i].span(); }
};

}  // namespace tn
