// Pooling over windows of an image [C, H, W], per channel:
//
//   MaxPool<k>, MaxPool<k, stride>   the largest value of each k x k window (stride
//                                    defaults to k: windows side by side)
//   AvgPool<k>, AvgPool<k, stride>   the mean of each window
//   GlobalAvgPool                    [C, H, W] -> [C], the mean of each channel
//
// MaxPool and AvgPool take Pad<p> as a further option (MaxPool<3, 2, Pad<1>>): padded
// positions never win a max (they count as -inf) and are left out of an average's
// count (PyTorch's count_include_pad=False). As in PyTorch the padding is at most
// half the window, so every window holds at least one real value.
//   OH = (H + 2 p - k) / stride + 1
//
// MaxPool keeps, per output, the index of the value that won (a float: exact for
// planes below 2^24 values) so that backward sends the gradient there; ties go to
// the first in the window, and a NaN wins (the output is NaN), as in PyTorch.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "typenet/core/errors.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/options.hpp"
#include "typenet/kernels/for_each_sample.hpp"
#include "typenet/kernels/simd.hpp"
#include "typenet/layers/spatial_options.hpp"

namespace tn {

namespace detail {

template <class Option> struct is_pool_option : std::bool_constant<is_pair_option<Pad, Option>> {};

// The pools' rules, reported in this order, each only when the earlier ones hold.
template <class Spec, class Unknown, bool Ok>
constexpr auto check_pool_options() {
    static_assert(UnknownOption<Spec, Unknown, Ok>::ok,
                  "MaxPool, AvgPool: unknown option; a pool takes its window, its stride and Pad<p> "
                  "(MaxPool<3, 2, Pad<1>>)");
    return Ok;
}
template <class Spec, class K, class S, bool Ok>
constexpr auto check_pool_nonzero() {
    static_assert(ZeroKernelOrStride<Spec, K, S, Ok>::ok, "MaxPool, AvgPool: window and stride must be at least 1");
    return Ok;
}
template <class Spec, class K, class P, bool Ok>
constexpr auto check_pool_pad() {
    static_assert(PadLargerThanHalfWindow<Spec, K, P, Ok>::ok,
                  "MaxPool, AvgPool: padding must be the same on both axes and at most half the window "
                  "(else a window could hold only padding)");
    return Ok;
}
template <class Spec, class In, bool Ok>
constexpr auto check_pool_rank() {
    static_assert(RankMismatch<Spec, Rank<3>, typename got_of<In>::type, Ok>::ok,
                  "Pooling: input must be an image [channels, height, width] (rank 3)");
    return Ok;
}
template <class Spec, class Extent, class Padded, class In, bool Ok>
constexpr auto check_pool_fits() {
    static_assert(PoolWindowLargerThanInput<Spec, Extent, Padded, typename got_of<In>::type, Ok>::ok,
                  "MaxPool, AvgPool: the window (Window<h, w>) is larger than the padded input (PaddedInput<h, w>)");
    return Ok;
}

// MaxPool and AvgPool: the same windows, a different reduction.
template <class Spec, class In, bool IsMax>
struct PoolLayer {
    static constexpr std::size_t k = Spec::window, stride = Spec::stride, pad = Spec::pad::h;

    static constexpr bool options_ok = std::is_void_v<typename Spec::unknown_option>;
    static constexpr bool nonzero_ok = options_ok && k > 0 && stride > 0;
    static constexpr bool pad_ok = nonzero_ok && Spec::pad::h == Spec::pad::w && 2 * pad <= k;
    static constexpr bool rank_ok = pad_ok && In::rank == 3;
    static constexpr std::size_t in_c = dim_or<In>(0, 1), in_h = dim_or<In>(1, 1), in_w = dim_or<In>(2, 1);
    static constexpr std::size_t padded_h = in_h + 2 * pad, padded_w = in_w + 2 * pad;
    static constexpr bool valid = rank_ok && k <= padded_h && k <= padded_w;

    using option_rule = decltype(check_pool_options<Spec, typename Spec::unknown_option, options_ok>());
    using nonzero_rule = decltype(check_pool_nonzero<Spec, Kernel<k>, Stride<stride>, nonzero_ok || !options_ok>());
    using pad_rule = decltype(check_pool_pad<Spec, Window<k, k>, typename Spec::pad, pad_ok || !nonzero_ok>());
    using rank_rule = decltype(check_pool_rank<Spec, In, rank_ok || !pad_ok>());
    using fits_rule = decltype(check_pool_fits<Spec, Window<k, k>, PaddedInput<padded_h, padded_w>, In,
                                               valid || !rank_ok>());

    static constexpr std::size_t channels = valid ? in_c : 1, height = valid ? in_h : 1, width = valid ? in_w : 1;
    static constexpr std::size_t out_h = valid ? (padded_h - k) / stride + 1 : 1;
    static constexpr std::size_t out_w = valid ? (padded_w - k) / stride + 1 : 1;
    static constexpr std::size_t plane = height * width, out_plane = out_h * out_w;
    static_assert(!IsMax || plane < (std::size_t{1} << 24), "MaxPool: planes of 2^24 values or more are not supported");

    using input_shape = In;
    using output_shape = checked_shape_t<valid, Shape<channels, out_h, out_w>>;
    static constexpr std::size_t cache_size = IsMax ? channels * out_plane : 0;  // the winners' indices

    static std::string name() { return Spec::name(); }

    // The window of output (oy, ox), clipped to the image: rows [y0, y1), columns [x0, x1).
    struct Window2 {
        std::size_t y0, y1, x0, x1;
    };
    static constexpr Window2 window_at(std::size_t oy, std::size_t ox) {
        const auto clip = [](std::size_t o, std::size_t extent) {
            const std::ptrdiff_t start = std::ptrdiff_t(o * stride) - std::ptrdiff_t(pad);
            const std::ptrdiff_t lo = std::max<std::ptrdiff_t>(start, 0);
            const std::ptrdiff_t hi = std::min<std::ptrdiff_t>(start + std::ptrdiff_t(k), std::ptrdiff_t(extent));
            return std::pair{std::size_t(lo), std::size_t(hi)};
        };
        const auto [y0, y1] = clip(oy, height);
        const auto [x0, x1] = clip(ox, width);
        return {y0, y1, x0, x1};
    }

    static void forward(const Pass& p, const float*, const float* x, float* y, float* cache, float*) {
        kernels::for_each_sample(p.batch, channels * plane, [&](std::size_t s, std::size_t) {
            for (std::size_t c = 0; c < channels; ++c) {
                const std::size_t at = s * channels + c;
                const float* in = x + at * plane;
                float* out = y + at * out_plane;
                [[maybe_unused]] float* winner = cache + at * out_plane;
                if constexpr (pad == 0) {
                    // No window is clipped. Max, for windows that fit a row buffer: each
                    // tap's values along the output row are copied side by side (a
                    // strided scalar copy), then compared in vectors, tap by tap in the
                    // window's row-major order: per output, the same comparisons in the
                    // same order as the clipped loop below, with selects instead of
                    // branches. Written per output, g++ kept the comparisons scalar with
                    // a branch each, mispredicted on half of them (LeNet's first pooling:
                    // 1,300 us per step of 64 on AVX2, 250 on AVX-512, where it used
                    // conditional moves). The winner's index is a float (exact below 2^24).
                    if constexpr (IsMax && k * k * out_w <= 4096) {
                        using simd::vec;
                        alignas(64) float taps[k * k][out_w];
                        for (std::size_t oy = 0; oy < out_h; ++oy) {
                            const float* row = in + oy * stride * width;
                            for (std::size_t t = 0; t < k * k; ++t)
                                for (std::size_t ox = 0; ox < out_w; ++ox)
                                    taps[t][ox] = row[(t / k) * width + t % k + ox * stride];
                            simd::for_each_chunk(out_w, [&](std::size_t ox, std::size_t n) {
                                alignas(64) float lane[simd::width];
                                for (std::size_t l = 0; l < simd::width; ++l)
                                    lane[l] = float(std::int32_t(oy * stride * width + (ox + l) * stride));
                                const vec first = vec::load_aligned(lane);
                                vec best = simd::load(&taps[0][ox], n), best_at = first;
                                for (std::size_t t = 1; t < k * k; ++t) {
                                    const vec v = simd::load(&taps[t][ox], n);
                                    const auto wins = !(v <= best);  // larger, or NaN
                                    best = xsimd::select(wins, v, best);
                                    best_at = xsimd::select(wins, first + vec(float((t / k) * width + t % k)), best_at);
                                }
                                simd::store(out + oy * out_w + ox, best, n);
                                simd::store(winner + oy * out_w + ox, best_at, n);
                            });
                        }
                        continue;
                    }
                    for (std::size_t oy = 0; oy < out_h; ++oy)
                        for (std::size_t ox = 0; ox < out_w; ++ox) {
                            const std::size_t corner = oy * stride * width + ox * stride;
                            float sum = 0.f;
                            for (std::size_t i = 0; i < k; ++i)
                                for (std::size_t j = 0; j < k; ++j) sum += in[corner + i * width + j];
                            out[oy * out_w + ox] = sum / float(k * k);
                        }
                    continue;
                }
                for (std::size_t oy = 0; oy < out_h; ++oy)
                    for (std::size_t ox = 0; ox < out_w; ++ox) {
                        const Window2 w = window_at(oy, ox);
                        if constexpr (IsMax) {
                            std::size_t best_at = w.y0 * width + w.x0;
                            float best = in[best_at];
                            for (std::size_t iy = w.y0; iy < w.y1; ++iy)
                                for (std::size_t ix = w.x0; ix < w.x1; ++ix) {
                                    const float v = in[iy * width + ix];
                                    if (!(v <= best)) best = v, best_at = iy * width + ix;  // larger, or NaN
                                }
                            out[oy * out_w + ox] = best;
                            winner[oy * out_w + ox] = float(best_at);
                        } else {
                            float sum = 0.f;
                            for (std::size_t iy = w.y0; iy < w.y1; ++iy)
                                for (std::size_t ix = w.x0; ix < w.x1; ++ix) sum += in[iy * width + ix];
                            out[oy * out_w + ox] = sum / float((w.y1 - w.y0) * (w.x1 - w.x0));
                        }
                    }
            }
        });
    }

    static void backward(const Pass& p, const float*, const float*, const float*, const float* dy, float* dx,
                         float*, const float* cache, float*) {
        if (!dx) return;
        kernels::for_each_sample(p.batch, channels * plane, [&](std::size_t s, std::size_t) {
            for (std::size_t c = 0; c < channels; ++c) {
                const std::size_t at = s * channels + c;
                const float* d_out = dy + at * out_plane;
                float* d_in = dx + at * plane;
                std::fill_n(d_in, plane, 0.f);
                if constexpr (IsMax) {
                    const float* winner = cache + at * out_plane;
                    for (std::size_t o = 0; o < out_plane; ++o) d_in[std::size_t(winner[o])] += d_out[o];
                } else {
                    for (std::size_t oy = 0; oy < out_h; ++oy)
                        for (std::size_t ox = 0; ox < out_w; ++ox) {
                            const Window2 w = window_at(oy, ox);
                            const float share = d_out[oy * out_w + ox] / float((w.y1 - w.y0) * (w.x1 - w.x0));
                            for (std::size_t iy = w.y0; iy < w.y1; ++iy)
                                for (std::size_t ix = w.x0; ix < w.x1; ++ix) d_in[iy * width + ix] += share;
                        }
                }
            }
        });
    }
};

template <class Spec, class In>
struct GlobalAvgPoolLayer {
    static constexpr bool rank_ok = In::rank == 3;
    using rank_rule = decltype(check_pool_rank<Spec, In, rank_ok>());
    static constexpr std::size_t channels = rank_ok ? In::dims[0] : 1;
    static constexpr std::size_t plane = rank_ok ? In::size / channels : 1;
    using input_shape = In;
    using output_shape = checked_shape_t<rank_ok, Shape<channels>>;
    static std::string name() { return "GlobalAvgPool"; }

    static void forward(const Pass& p, const float*, const float* x, float* y, float*, float*) {
        for (std::size_t i = 0; i < p.batch * channels; ++i) {
            float sum = 0.f;
            for (std::size_t j = 0; j < plane; ++j) sum += x[i * plane + j];
            y[i] = sum / float(plane);
        }
    }
    static void backward(const Pass& p, const float*, const float*, const float*, const float* dy, float* dx,
                         float*, const float*, float*) {
        if (!dx) return;
        for (std::size_t i = 0; i < p.batch * channels; ++i) std::fill_n(dx + i * plane, plane, dy[i] / float(plane));
    }
};

// "MaxPool<3, 2, Pad<1>>": the stride shown when it is not the window.
inline std::string pool_name(const char* kind, std::size_t k, std::size_t stride, std::size_t pad) {
    std::string s = std::string(kind) + "<" + std::to_string(k);
    if (stride != k) s += ", " + std::to_string(stride);
    if (pad) s += ", Pad<" + std::to_string(pad) + ">";
    return s + ">";
}

}  // namespace detail

template <std::size_t K, std::size_t S = K, class... Options>
struct MaxPool {
    static constexpr std::size_t window = K, stride = S;
    using pad = detail::pair_option_t<Pad, Pad<0, 0>, Options...>;
    using unknown_option = first_unknown_option_t<detail::is_pool_option, Options...>;
    template <class In>
    using bind = detail::PoolLayer<MaxPool, In, true>;
    static std::string name() { return detail::pool_name("MaxPool", K, S, pad::h); }
};

template <std::size_t K, std::size_t S = K, class... Options>
struct AvgPool {
    static constexpr std::size_t window = K, stride = S;
    using pad = detail::pair_option_t<Pad, Pad<0, 0>, Options...>;
    using unknown_option = first_unknown_option_t<detail::is_pool_option, Options...>;
    template <class In>
    using bind = detail::PoolLayer<AvgPool, In, false>;
    static std::string name() { return detail::pool_name("AvgPool", K, S, pad::h); }
};

struct GlobalAvgPool {
    template <class In>
    using bind = detail::GlobalAvgPoolLayer<GlobalAvgPool, In>;
};

}  // namespace tn
