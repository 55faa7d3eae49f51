// Direct convolution for layers with few input channels and small kernels (LeNet's
// first layer: 1 channel, 5x5, 28x28 -> 25 taps), stride 1 and no dilation. There
// the GEMM's operands are too thin to repay im2col: the column matrix is 25 times
// the input, and the products (6 x 784 x 25, or 6 x 25 over the batch) keep the
// micro-kernel mostly idle. Here each sample's input is padded once into a small
// buffer that stays in L1, and vectors of adjacent outputs are accumulated over the
// taps, in blocks of filters x outputs (forward) or filters x taps (weights) sized
// to the vector registers (DirectBlocks).
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

// How the direct loops block their accumulators: FB filters at a time, and (forward)
// RB output rows x VB vectors of a row, or (weights) TB taps. About 24 accumulators
// in all, which with the loaded operands fill AVX-512's 32 registers: each loaded
// vector then feeds several FMAs, and enough independent sums are in flight to hide
// the FMA's latency (one row of 6 filters, as before, left the core two thirds idle).
template <class G, std::size_t F>
struct DirectBlocks {
    static constexpr std::size_t accumulators = simd::width >= 16 ? 24 : 12;
    static constexpr std::size_t FB = F < 8 ? F : 8;
    static constexpr std::size_t vectors_per_row = detail::ceil_div(G::out_w, simd::width);
    static constexpr std::size_t VB = std::clamp<std::size_t>(accumulators / FB, 1, vectors_per_row);
    static constexpr std::size_t RB = std::clamp<std::size_t>(accumulators / (FB * VB), 1, G::out_h);
    // Taps evened out over the blocks (25 taps in 7 blocks of 4, not 6 of 4 and one of 1).
    static constexpr std::size_t tap_blocks = detail::ceil_div(G::rows, std::max<std::size_t>(1, accumulators / FB));
    static constexpr std::size_t TB = detail::ceil_div(G::rows, tap_blocks);
};

// z [F, OH*OW] from the padded input; epilogue(f, j0, &z[f][j0], n) on each finished
// run, or, when it has one, epilogue.store(f, j0, &z[f][j0], vector, n), which
// stores the run itself from the accumulator.
template <class G, std::size_t F, class Epilogue>
void direct_conv_forward(const float* xp, const float* w, float* z, const Epilogue& epilogue) {
    using B = DirectBlocks<G, F>;
    using simd::vec;
    constexpr std::size_t FB = B::FB, RB = B::RB, VB = B::VB, width = simd::width;
    for (std::size_t f0 = 0; f0 < F; f0 += FB) {
        for (std::size_t oy0 = 0; oy0 < G::out_h; oy0 += RB) {
            for (std::size_t ox0 = 0; ox0 < G::out_w; ox0 += VB * width) {
                // Rows past the last and filters past F repeat the last one's work
                // and are never stored; vectors past the row's end load nothing.
                std::size_t row[RB], count[VB];
                detail::unrolled<RB>([&](auto r) { row[r] = std::min<std::size_t>(oy0 + r, G::out_h - 1); });
                detail::unrolled<VB>([&](auto v) {
                    const std::size_t ox = ox0 + v * width;
                    count[v] = ox < G::out_w ? std::min(width, G::out_w - ox) : 0;
                });
                vec acc[FB][RB][VB];
                detail::unrolled<FB>([&](auto f) {
                    detail::unrolled<RB>([&](auto r) { detail::unrolled<VB>([&](auto v) { acc[f][r][v] = vec(0.f); }); });
                });
                for (std::size_t tap = 0; tap < G::rows; ++tap) {
                    const float* x_tap = xp + tap_offsets<G>[tap] + ox0;
                    vec xv[RB][VB];
                    detail::unrolled<RB>([&](auto r) {
                        detail::unrolled<VB>([&](auto v) {
                            xv[r][v] = simd::load(x_tap + row[r] * Padded<G>::w + v * width, count[v]);
                        });
                    });
                    detail::unrolled<FB>([&](auto f) {
                        const vec wf(w[std::min<std::size_t>(f0 + f, F - 1) * G::rows + tap]);
                        detail::unrolled<RB>([&](auto r) {
                            detail::unrolled<VB>([&](auto v) { acc[f][r][v] = simd::fma(wf, xv[r][v], acc[f][r][v]); });
                        });
                    });
                }
                detail::unrolled<FB>([&](auto f) {
                    if (f0 + f >= F) return;
                    detail::unrolled<RB>([&](auto r) {
                        if (oy0 + r >= G::out_h) return;
                        detail::unrolled<VB>([&](auto v) {
                            if (count[v] == 0) return;
                            const std::size_t j0 = (oy0 + r) * G::out_w + ox0 + v * width;
                            float* out = z + (f0 + f) * G::cols + j0;
                            if constexpr (requires { epilogue.store(f0, j0, out, acc[f][r][v], count[v]); }) {
                                epilogue.store(f0 + f, j0, out, acc[f][r][v], count[v]);
                            } else {
                                simd::store(out, acc[f][r][v], count[v]);
                                epilogue(f0 + f, j0, out, count[v]);
                            }
                        });
                    });
                });
            }
        }
    }
}

// dW [F, rows] += the weight gradient of one sample, from its padded input and dy [F, OH*OW].
template <class G, std::size_t F>
void direct_conv_weight_gradient(const float* xp, const float* dy, float* dw) {
    using B = DirectBlocks<G, F>;
    using simd::vec;
    constexpr std::size_t FB = B::FB, TB = B::TB, width = simd::width;
    for (std::size_t f0 = 0; f0 < F; f0 += FB) {
        for (std::size_t t0 = 0; t0 < G::rows; t0 += TB) {
            // Taps past the last repeat its work and are never stored (filters likewise).
            std::size_t offset[TB];
            detail::unrolled<TB>([&](auto t) { offset[t] = tap_offsets<G>[std::min<std::size_t>(t0 + t, G::rows - 1)]; });
            vec acc[FB][TB];
            detail::unrolled<FB>([&](auto f) { detail::unrolled<TB>([&](auto t) { acc[f][t] = vec(0.f); }); });
            for (std::size_t oy = 0; oy < G::out_h; ++oy)
                for (std::size_t ox = 0; ox < G::out_w; ox += width) {
                    const std::size_t count = std::min(width, G::out_w - ox);
                    vec dyv[FB];
                    detail::unrolled<FB>([&](auto f) {
                        dyv[f] = simd::load(dy + std::min<std::size_t>(f0 + f, F - 1) * G::cols + oy * G::out_w + ox,
                                             count);
                    });
                    const float* x_row = xp + oy * Padded<G>::w + ox;
                    detail::unrolled<TB>([&](auto t) {
                        const vec xv = simd::load(x_row + offset[t], count);
                        detail::unrolled<FB>([&](auto f) { acc[f][t] = simd::fma(dyv[f], xv, acc[f][t]); });
                    });
                }
            detail::unrolled<FB>([&](auto f) {
                if (f0 + f >= F) return;
                detail::unrolled<TB>([&](auto t) {
                    if (t0 + t < G::rows) dw[(f0 + f) * G::rows + t0 + t] += xsimd::hadd(acc[f][t]);
                });
            });
        }
    }
}

}  // namespace tn::kernels
