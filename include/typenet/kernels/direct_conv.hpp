// Direct convolution for layers with few input channels and small kernels (LeNet's
// first layer: 1 channel, 5x5, 28x28 -> 25 taps), stride 1 and no dilation. There
// the GEMM's operands are too thin to repay im2col: the column matrix is 25 times
// the input, and the products (6 x 784 x 25, or 6 x 25 over the batch) keep the
// micro-kernel mostly idle. Here each sample's input is padded once into a small
// buffer that stays in L1, and vectors of adjacent outputs are accumulated over the
// taps, up to 8 filters at a time (independent accumulators, so the FMAs overlap).
//
//   forward:   z[f][oy][ox] = sum_{c,i,j} w[f][c][i][j] xp[c][oy + i][ox + j]
//   weights:   dW[f][c][i][j] += sum_{oy,ox} dy[f][oy][ox] xp[c][oy + i][ox + j]
// (xp: the padded input). Every sum runs in a fixed order, so results do not depend
// on the thread count; they differ from the im2col path only by rounding. Tested
// against the loop convolution like the GEMM path (tests/unit/conv2d_test.cpp).
#pragma once
#include <algorithm>
#include <cstddef>

#include "typenet/kernels/gemm_common.hpp"
#include "typenet/kernels/im2col.hpp"
#include "typenet/kernels/simd.hpp"

namespace tn::kernels {

// Whether a geometry takes the direct path: few taps, stride 1, no dilation.
template <class G>
inline constexpr bool direct_conv_fits = G::rows <= 32 && G::stride_h == 1 && G::stride_w == 1 &&
                                         G::dilation_h == 1 && G::dilation_w == 1;

// z [F, OH*OW] from the padded input; epilogue(f, j0, &z[f][j0], n) on each finished run.
template <class G, std::size_t F, class Epilogue>
void direct_conv_forward(const float* xp, const float* w, float* z, const Epilogue& epilogue) {
    using P = Padded<G>;
    using simd::vec;
    constexpr std::size_t FB = F < 8 ? F : 8, width = simd::width;
    for (std::size_t f0 = 0; f0 < F; f0 += FB) {
        const std::size_t fb = std::min(FB, F - f0);
        for (std::size_t oy = 0; oy < G::out_h; ++oy)
            for (std::size_t ox = 0; ox < G::out_w; ox += width) {
                const std::size_t count = std::min(width, G::out_w - ox);
                vec acc[FB];
                detail::unrolled<FB>([&](auto r) { acc[r] = vec(0.f); });
                for (std::size_t c = 0; c < G::channels; ++c)
                    for (std::size_t i = 0; i < G::kernel_h; ++i)
                        for (std::size_t j = 0; j < G::kernel_w; ++j) {
                            const vec xv = masked_load(xp + (c * P::h + oy + i) * P::w + ox + j, count);
                            const std::size_t tap = (c * G::kernel_h + i) * G::kernel_w + j;
                            // Filters past F (a last, partial block) read filter F-1's
                            // weight and are never stored.
                            detail::unrolled<FB>([&](auto r) {
                                const std::size_t f = std::min<std::size_t>(f0 + r, F - 1);
                                acc[r] = simd::fma(vec(w[f * G::rows + tap]), xv, acc[r]);
                            });
                        }
                for (std::size_t r = 0; r < fb; ++r) {
                    const std::size_t j0 = oy * G::out_w + ox;
                    float* out = z + (f0 + r) * G::cols + j0;
                    masked_store(out, acc[r], count);
                    epilogue(f0 + r, j0, out, count);
                }
            }
    }
}

// dW [F, rows] += the weight gradient of one sample, from its padded input and dy [F, OH*OW].
template <class G, std::size_t F>
void direct_conv_weight_gradient(const float* xp, const float* dy, float* dw) {
    using P = Padded<G>;
    using simd::vec;
    constexpr std::size_t FB = F < 8 ? F : 8, width = simd::width;
    for (std::size_t f0 = 0; f0 < F; f0 += FB) {
        const std::size_t fb = std::min(FB, F - f0);
        for (std::size_t c = 0; c < G::channels; ++c)
            for (std::size_t i = 0; i < G::kernel_h; ++i)
                for (std::size_t j = 0; j < G::kernel_w; ++j) {
                    vec acc[FB];
                    detail::unrolled<FB>([&](auto r) { acc[r] = vec(0.f); });
                    for (std::size_t oy = 0; oy < G::out_h; ++oy)
                        for (std::size_t ox = 0; ox < G::out_w; ox += width) {
                            const std::size_t count = std::min(width, G::out_w - ox);
                            const vec xv = masked_load(xp + (c * P::h + oy + i) * P::w + ox + j, count);
                            detail::unrolled<FB>([&](auto r) {
                                const std::size_t f = std::min<std::size_t>(f0 + r, F - 1);
                                acc[r] = simd::fma(masked_load(dy + f * G::cols + oy * G::out_w + ox, count), xv,
                                                    acc[r]);
                            });
                        }
                    const std::size_t tap = (c * G::kernel_h + i) * G::kernel_w + j;
                    for (std::size_t r = 0; r < fb; ++r) dw[(f0 + r) * G::rows + tap] += xsimd::hadd(acc[r]);
                }
    }
}

}  // namespace tn::kernels
