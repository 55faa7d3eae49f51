// Whether a block of floats holds no NaN and no infinity: one vector pass that
// accumulates x - x, which is 0 for every finite x and NaN for the others. Run after
// every optimizer step over the whole parameter arena, so it must cost little next
// to the step (one read of memory the update has just written).
#pragma once
#include <cstddef>

#include "typenet/config.hpp"

namespace tn::kernels {

TYPENET_INLINE bool all_finite(const float* p, std::size_t n);

}  // namespace tn::kernels

#if TYPENET_DEFINE_BODIES
#include "typenet/kernels/finite.ipp"
#endif
