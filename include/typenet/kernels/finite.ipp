// The body of kernels/finite.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include "typenet/kernels/finite.hpp"
#include "typenet/kernels/simd.hpp"

namespace tn::kernels {

TYPENET_INLINE bool all_finite(const float* p, std::size_t n) {
    simd::vec acc(0.f);
    simd::for_each_chunk(n, [&](std::size_t i, std::size_t c) {
        const simd::vec x = simd::load(p + i, c);
        acc += x - x;
    });
    return xsimd::hadd(acc) == 0.f;
}

}  // namespace tn::kernels
