// Gradient clipping, the standard cure for exploding gradients (lessons 06, 24).
// Both work on the whole gradient arena after backward, before the optimizer step.
#pragma once
#include <algorithm>
#include <cmath>
#include <span>

#include "typenet/kernels/simd.hpp"

namespace tn {

// The L2 norm of all gradients together, accumulated in double so that it does not
// depend on how many parameters there are.
inline double global_norm(std::span<const float> grads) {
    double sum = 0;
    for (float g : grads) sum += double(g) * double(g);
    return std::sqrt(sum);
}

// Rescales all gradients together when their global L2 norm exceeds max_norm, so
// the direction is kept and only the length is capped (Pascanu et al. 2013).
// Returns the norm before clipping, which is worth plotting.
inline double clip_by_global_norm(std::span<float> grads, float max_norm) {
    const double norm = global_norm(grads);
    if (norm > double(max_norm) && norm > 0) {
        const simd::vec scale(float(double(max_norm) / norm));
        simd::for_each_chunk(grads.size(), [&](std::size_t i, std::size_t c) {
            simd::store(grads.data() + i, simd::load(grads.data() + i, c) * scale, c);
        });
    }
    return norm;
}

// Clamps every gradient element to [-limit, limit]; simpler, but bends the direction.
inline void clip_by_value(std::span<float> grads, float limit) {
    const simd::vec hi(limit), lo(-limit);
    simd::for_each_chunk(grads.size(), [&](std::size_t i, std::size_t c) {
        simd::store(grads.data() + i, xsimd::min(hi, xsimd::max(lo, simd::load(grads.data() + i, c))), c);
    });
}

// The two as values, for fit's options: {.clip = ClipNorm{1.0}} or {.clip = ClipValue{0.5}}.
struct ClipNorm {
    float max_norm = 1.f;
    void operator()(std::span<float> grads) const { clip_by_global_norm(grads, max_norm); }
};
struct ClipValue {
    float limit = 1.f;
    void operator()(std::span<float> grads) const { clip_by_value(grads, limit); }
};

}  // namespace tn
