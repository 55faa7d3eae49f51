// im2col and col2im: a convolution as one matrix product.
//
// For one sample x [C, H, W], im2col writes the matrix col [C*kh*kw, OH*OW] whose
// row (c, i, j) holds, for every output position (oy, ox), the input value the
// kernel's tap (i, j) of channel c sees there (0 where it falls on padding):
//     col[(c*kh + i)*kw + j][oy*OW + ox] = x[c][oy*sh - ph + i*dh][ox*sw - pw + j*dw]
// Then y [F, OH*OW] = W [F, C*kh*kw] . col, which is PyTorch's weight layout and the
// output's NCHW layout, with no transposition anywhere. im2col writes col whole
// (rows `ld` >= OH*OW apart): the reference the panel writers are tested against.
//
// Conv2D never stores col: ConvPanels (forward, B = col) and ConvPanelsTransposed
// (weight gradient, B = col^T) hand the GEMM its micro-panels one at a time
// (gemm_panels), copied from padded inputs straight into L1 just before the
// micro-kernels read them, so the 9x larger column matrix of a 3x3 convolution
// never goes through memory. tap_offsets<G> says where each row of col starts in a
// padded input; the direct convolution reads its taps the same way.
//
// col2im is its adjoint: it adds every column entry back onto the input position it
// came from (dx = col2im(W^T . dy)), in a fixed order, so it is deterministic.
//
// The geometry is a type with compile-time members, so every loop bound and every
// border below is a constant the compiler folds.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>

#include "typenet/kernels/gemm_common.hpp"
#include "typenet/kernels/gemm_pack.hpp"  // transpose_8x8
#include "typenet/kernels/simd.hpp"

namespace tn::kernels {

// dst[0, n) = src[0, n), or += with Add, for the short runs of a feature map's row
// (10 to 32 floats in LeNet): inline vector code with a masked tail. A plain loop
// here becomes a call to memmove per run, which cost more than the copy.
template <bool Add = false>
inline void copy_run(const float* src, float* dst, std::size_t n) {
    using simd::vec;
    constexpr std::size_t w = simd::width;
    std::size_t i = 0;
    for (; i + w <= n; i += w) {
        vec v = vec::load_unaligned(src + i);
        if constexpr (Add) v += vec::load_unaligned(dst + i);
        v.store_unaligned(dst + i);
    }
    if (i == n) return;
#if defined(__AVX512F__)
    if constexpr (w == 16) {
        const auto mask = static_cast<__mmask16>((1u << (n - i)) - 1);
        __m512 v = _mm512_maskz_loadu_ps(mask, src + i);
        if constexpr (Add) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, dst + i));
        _mm512_mask_storeu_ps(dst + i, mask, v);
        return;
    }
#endif
#if defined(__AVX2__)
    if constexpr (w == 8) {
        const __m256i mask =
            _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n - i)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        __m256 v = _mm256_maskload_ps(src + i, mask);
        if constexpr (Add) v = _mm256_add_ps(v, _mm256_maskload_ps(dst + i, mask));
        _mm256_maskstore_ps(dst + i, mask, v);
        return;
    }
#endif
    for (; i < n; ++i) dst[i] = Add ? dst[i] + src[i] : src[i];
}

// dst[0, n) = 0 for short runs (a border of a feature-map row): std::fill_n there
// becomes a call to memset per run.
inline void zero_run(float* dst, std::size_t n) {
    constexpr std::size_t w = simd::width;
    std::size_t i = 0;
    for (; i + w <= n; i += w) simd::vec(0.f).store_unaligned(dst + i);
    if (i < n) simd::store(dst + i, simd::vec(0.f), n - i);
}

template <std::size_t C, std::size_t H, std::size_t W, std::size_t KH, std::size_t KW, std::size_t SH, std::size_t SW,
          std::size_t PH, std::size_t PW, std::size_t DH, std::size_t DW>
struct ConvGeometry {
    static constexpr std::size_t channels = C, height = H, width = W;
    static constexpr std::size_t kernel_h = KH, kernel_w = KW, stride_h = SH, stride_w = SW;
    static constexpr std::size_t pad_h = PH, pad_w = PW, dilation_h = DH, dilation_w = DW;
    static constexpr std::size_t out_h = (H + 2 * PH - DH * (KH - 1) - 1) / SH + 1;
    static constexpr std::size_t out_w = (W + 2 * PW - DW * (KW - 1) - 1) / SW + 1;
    static constexpr std::size_t rows = C * KH * KW;      // K of the GEMM
    static constexpr std::size_t cols = out_h * out_w;     // output positions per channel
    static constexpr std::size_t input_size = C * H * W;
    // A 1x1 kernel with stride 1 and no padding: col is the input itself.
    static constexpr bool col_is_input = KH == 1 && KW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0;

    // The output columns [lo, hi) whose input column for tap offset `off` (= j*dw - pw)
    // lies inside the image; those outside read padding.
    struct Span {
        std::size_t lo, hi;
    };
    static constexpr Span inside(std::ptrdiff_t off, std::size_t stride, std::size_t extent, std::size_t outs) {
        const auto s = static_cast<std::ptrdiff_t>(stride), n = static_cast<std::ptrdiff_t>(extent),
                   o = static_cast<std::ptrdiff_t>(outs);
        const std::ptrdiff_t lo = off >= 0 ? 0 : (-off + s - 1) / s;         // first with o*s + off >= 0
        const std::ptrdiff_t hi = n - off <= 0 ? 0 : (n - off + s - 1) / s;   // first with o*s + off >= n
        const std::ptrdiff_t l = std::min(lo, o), h = std::clamp(hi, l, o);
        return {static_cast<std::size_t>(l), static_cast<std::size_t>(h)};
    }
    static constexpr std::ptrdiff_t tap_offset(std::size_t tap, std::size_t dilation, std::size_t pad) {
        return static_cast<std::ptrdiff_t>(tap * dilation) - static_cast<std::ptrdiff_t>(pad);
    }
};

// Where output (oy, ox) reads the input plane for a tap at offsets (row_off, col_off):
// only called for positions inside the image, so the index is never negative.
template <class G>
constexpr std::size_t input_index(std::size_t oy, std::ptrdiff_t row_off, std::size_t ox, std::ptrdiff_t col_off) {
    const std::ptrdiff_t y = static_cast<std::ptrdiff_t>(oy * G::stride_h) + row_off;
    const std::ptrdiff_t x = static_cast<std::ptrdiff_t>(ox * G::stride_w) + col_off;
    return static_cast<std::size_t>(y * static_cast<std::ptrdiff_t>(G::width) + x);
}

// col [G::rows, ld] from one sample x [C, H, W].
template <class G>
void im2col(const float* x, float* col, std::size_t ld) {
    constexpr std::size_t OH = G::out_h, OW = G::out_w, SW = G::stride_w;
    for (std::size_t c = 0; c < G::channels; ++c) {
        const float* plane = x + c * G::height * G::width;
        for (std::size_t i = 0; i < G::kernel_h; ++i) {
            const std::ptrdiff_t row_off = G::tap_offset(i, G::dilation_h, G::pad_h);
            const auto ys = G::inside(row_off, G::stride_h, G::height, OH);
            for (std::size_t j = 0; j < G::kernel_w; ++j) {
                const std::ptrdiff_t col_off = G::tap_offset(j, G::dilation_w, G::pad_w);
                const auto xs = G::inside(col_off, SW, G::width, OW);
                float* row = col + ((c * G::kernel_h + i) * G::kernel_w + j) * ld;
                zero_run(row, ys.lo * OW);
                for (std::size_t oy = ys.lo; oy < ys.hi; ++oy) {
                    float* out = row + oy * OW;
                    // The input row, from the first column a tap inside the image reads.
                    const float* src = plane + input_index<G>(oy, row_off, xs.lo, col_off);
                    zero_run(out, xs.lo);
                    if constexpr (SW == 1) copy_run(src, out + xs.lo, xs.hi - xs.lo);
                    else
                        for (std::size_t ox = xs.lo; ox < xs.hi; ++ox) out[ox] = src[(ox - xs.lo) * SW];
                    zero_run(out + xs.hi, OW - xs.hi);
                }
                zero_run(row + ys.hi * OW, (OH - ys.hi) * OW);
            }
        }
    }
}

// The input with its padding written out: [C, H + 2ph, W + 2pw], zeros around.
// Every tap of every output position then reads inside it, with no border cases.
template <class G>
struct Padded {
    static constexpr std::size_t h = G::height + 2 * G::pad_h, w = G::width + 2 * G::pad_w;
    static constexpr std::size_t size = G::channels * h * w;
};

// xp [C, H + 2ph, W + 2pw] from x [C, H, W].
template <class G>
void pad_input(const float* x, float* xp) {
    using P = Padded<G>;
    if constexpr (G::pad_h == 0 && G::pad_w == 0) {
        copy_run(x, xp, P::size);
        return;
    }
    for (std::size_t c = 0; c < G::channels; ++c) {
        float* plane = xp + c * P::h * P::w;
        zero_run(plane, G::pad_h * P::w);
        for (std::size_t y = 0; y < G::height; ++y) {
            float* row = plane + (y + G::pad_h) * P::w;
            zero_run(row, G::pad_w);
            copy_run(x + (c * G::height + y) * G::width, row + G::pad_w, G::width);
            zero_run(row + G::pad_w + G::width, G::pad_w);
        }
        zero_run(plane + (G::pad_h + G::height) * P::w, G::pad_h * P::w);
    }
}

// Where each row of col (kernel tap (c, i, j)) starts in the padded input: its
// channel plane and tap offsets.
template <class G>
inline constexpr std::array<std::size_t, G::rows> tap_offsets = [] {
    using P = Padded<G>;
    std::array<std::size_t, G::rows> offsets{};
    for (std::size_t c = 0; c < G::channels; ++c)
        for (std::size_t i = 0; i < G::kernel_h; ++i)
            for (std::size_t j = 0; j < G::kernel_w; ++j)
                offsets[(c * G::kernel_h + i) * G::kernel_w + j] =
                    c * P::h * P::w + i * G::dilation_h * P::w + j * G::dilation_w;
    return offsets;
}();

// The columns of one sample as the GEMM's B, one micro-panel at a time
// (gemm_panels; BPanelsRef says what a panel is), from the padded input xp.
// Row (c, i, j) of col at output position (oy, ox) is
//     xp[c][oy sh + i dh][ox sw + j dw],
// so a panel's row is a copy of the few runs of input its positions cover (one
// run when an output row is a panel wide, as VGG's 32x32 maps on AVX-512).
template <class G>
struct ConvPanels {
    using P = Padded<G>;
    static constexpr std::size_t width = BPanelsRef::panel_width;

    const float* xp;

    void operator()(float* dst, std::size_t k0, std::size_t kc, std::size_t j0, std::size_t cols) const {
        // The panel's positions cut at output-row boundaries: a run each.
        struct Run {
            std::size_t at, from, n;  // where in the panel row, where in the tap's input, how many
        };
        std::array<Run, width + 1> runs;
        std::size_t count = 0;
        for (std::size_t pos = j0; pos < j0 + cols; ++count) {
            const std::size_t oy = pos / G::out_w, ox = pos % G::out_w;
            const std::size_t n = std::min(G::out_w - ox, j0 + cols - pos);
            runs[count] = {pos - j0, oy * G::stride_h * P::w + ox * G::stride_w, n};
            pos += n;
        }
        for (std::size_t k = 0; k < kc; ++k) {
            float* row = dst + k * width;
            const float* tap = xp + tap_offsets<G>[k0 + k];
            for (std::size_t r = 0; r < count; ++r) {
                const Run& run = runs[r];
                if constexpr (G::stride_w == 1) copy_run(tap + run.from, row + run.at, run.n);
                else
                    for (std::size_t q = 0; q < run.n; ++q) row[run.at + q] = tap[run.from + q * G::stride_w];
            }
            if (cols < width) zero_run(row + cols, width - cols);
        }
    }
};

// The columns transposed, col^T [positions, rows], as the weight gradient's B
// (dW [F, rows] = dY [F, positions] . col^T), one micro-panel (kc positions x up
// to 32 taps) at a time, from the padded inputs of a group of samples side by side
// (sample s at xp + s Padded<G>::size; position p is output p % cols of sample
// p / cols). Along an output row each tap reads a run of input: 8 taps x 8
// positions are loaded as rows and transposed in registers.
template <class G>
struct ConvPanelsTransposed {
    using P = Padded<G>;
    static constexpr std::size_t width = BPanelsRef::panel_width;

    const float* xp;

    void operator()(float* dst, std::size_t k0, std::size_t kc, std::size_t j0, std::size_t cols) const {
        for (std::size_t p = k0; p < k0 + kc;) {
            const std::size_t s = p / G::cols, q = p % G::cols, oy = q / G::out_w, ox = q % G::out_w;
            const std::size_t n = std::min(G::out_w - ox, k0 + kc - p);
            const float* base = xp + s * P::size + oy * G::stride_h * P::w + ox * G::stride_w;
            write_run(base, dst + (p - k0) * width, n, j0, cols);
            p += n;
        }
    }

private:
    // Rows [0, n) of the panel (n positions along one output row, read from `base`),
    // taps [j0, j0 + cols), zeros past `cols`.
    static void write_run(const float* base, float* out, std::size_t n, std::size_t j0, std::size_t cols) {
        const auto& offsets = tap_offsets<G>;
        std::size_t t = 0;
#if defined(__AVX__)
        if constexpr (G::stride_w == 1) {
            for (; t + 8 <= cols; t += 8) {
                std::size_t i = 0;
                for (; i + 8 <= n; i += 8) {
                    __m256 r[8];
                    for (std::size_t u = 0; u < 8; ++u) r[u] = _mm256_loadu_ps(base + offsets[j0 + t + u] + i);
                    detail::transpose_8x8(r);
                    for (std::size_t u = 0; u < 8; ++u) _mm256_storeu_ps(out + (i + u) * width + t, r[u]);
                }
                for (; i < n; ++i)
                    for (std::size_t u = 0; u < 8; ++u) out[i * width + t + u] = base[offsets[j0 + t + u] + i];
            }
        }
#endif
        for (; t < cols; ++t)
            for (std::size_t i = 0; i < n; ++i) out[i * width + t] = base[offsets[j0 + t] + i * G::stride_w];
        if (cols < width)
            for (std::size_t i = 0; i < n; ++i) zero_run(out + i * width + cols, width - cols);
    }
};

// dx [C, H, W] = the sum of col's entries over the positions they were read from.
// Overwrites dx.
template <class G>
void col2im(const float* col, std::size_t ld, float* dx) {
    constexpr std::size_t OW = G::out_w, SW = G::stride_w;
    std::fill_n(dx, G::input_size, 0.f);
    for (std::size_t c = 0; c < G::channels; ++c) {
        float* plane = dx + c * G::height * G::width;
        for (std::size_t i = 0; i < G::kernel_h; ++i) {
            const std::ptrdiff_t row_off = G::tap_offset(i, G::dilation_h, G::pad_h);
            const auto ys = G::inside(row_off, G::stride_h, G::height, G::out_h);
            for (std::size_t j = 0; j < G::kernel_w; ++j) {
                const std::ptrdiff_t col_off = G::tap_offset(j, G::dilation_w, G::pad_w);
                const auto xs = G::inside(col_off, SW, G::width, OW);
                const float* row = col + ((c * G::kernel_h + i) * G::kernel_w + j) * ld;
                for (std::size_t oy = ys.lo; oy < ys.hi; ++oy) {
                    const float* in = row + oy * OW;
                    float* dst = plane + input_index<G>(oy, row_off, xs.lo, col_off);
                    // Vector runs only where a whole vector fits a row: on narrower rows
                    // (LeNet's 14) a masked store's full width overlaps the next row's
                    // load, which then waits for the store (6x slower than scalar).
                    if constexpr (SW == 1 && G::width >= simd::width) copy_run<true>(in + xs.lo, dst, xs.hi - xs.lo);
                    else
                        for (std::size_t ox = xs.lo; ox < xs.hi; ++ox) dst[(ox - xs.lo) * SW] += in[ox];
                }
            }
        }
    }
}

}  // namespace tn::kernels
