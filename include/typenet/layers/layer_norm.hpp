// LayerNorm<Options...>: layer normalisation (Ba, Kiros & Hinton 2016) over the last
// axis, each position on its own:
//   y = (x - mean) / sqrt(var + eps) * weight + bias      mean, var over the D features
//
//   input [D]      the one vector                          (PyTorch nn.LayerNorm(D))
//   input [T, D]   every position of the sequence apart    (nn.LayerNorm(D) on [B, T, D])
//
// Unlike BatchNorm it uses no other sample and no other position, so it behaves the
// same in training and evaluation, at any batch size (1 included), and a sample's
// result does not depend on how much padding the batch gave it: why the Transformer
// uses it (docs/06-attention.md, lesson 36).
//
// Names follow PyTorch's nn.LayerNorm, so a state_dict loads as it is: `weight`
// (initialised to 1) and `bias` (0), each [D]; variance biased, as PyTorch.
//
// Options, in any order:
//   Epsilon<Num, Den>  added to the variance; default 1/100000, PyTorch's 1e-5
//   NoAffine           neither weight nor bias (elementwise_affine=False): no parameters
//
// Sequences: positions at or after a sample's length (Pass::lengths) are not
// normalised: their output is 0 (finite whatever the padding held) and their input
// gradient 0; they add nothing to the weight's and bias's gradients.
//
// The normalisation's parameters are not weight-penalised (L2 reaches Dense and the
// like, not the scale of a normalisation), as in most Transformer recipes.
//
// RMSNorm (layers/rms_norm.hpp) is the same engine without the centring.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "typenet/core/errors.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/options.hpp"
#include "typenet/kernels/for_each_sample.hpp"
#include "typenet/kernels/simd.hpp"
#include "typenet/layers/batch_norm.hpp"  // Epsilon<Num, Den>, the normalisations' shared option

namespace tn {

// No learned scale and shift after the normalisation (PyTorch: elementwise_affine=False).
struct NoAffine {};

template <class... Options>
struct LayerNorm;

namespace detail {

template <class Option> struct is_row_norm_option : std::false_type {};
template <std::intmax_t N, std::intmax_t D> struct is_row_norm_option<Epsilon<N, D>> : std::true_type {};
template <> struct is_row_norm_option<NoAffine> : std::true_type {};

template <class... Options>
inline constexpr bool has_no_affine = (std::is_same_v<Options, NoAffine> || ...);

// The rules, one error at a time: options, their ranges, then the input's rank. Each
// message names the layer it is about (Centred: LayerNorm; not: RMSNorm).
template <class Spec, class Unknown, bool Centred>
constexpr auto check_row_norm_options() {
    constexpr bool ok = std::is_void_v<Unknown>;
    if constexpr (Centred)
        static_assert(UnknownOption<Spec, Unknown, ok>::ok,
                      "LayerNorm: unknown option; LayerNorm takes Epsilon<Num, Den> and NoAffine");
    else
        static_assert(UnknownOption<Spec, Unknown, ok>::ok,
                      "RMSNorm: unknown option; RMSNorm takes Epsilon<Num, Den> and NoAffine");
    return ok;
}
template <class Spec, class Bad, bool Judged, bool Centred>
constexpr auto check_row_norm_ranges() {
    constexpr bool ok = std::is_void_v<Bad> || !Judged;
    if constexpr (Centred)
        static_assert(OptionOutOfRange<Spec, Bad, ok>::ok,
                      "LayerNorm: Epsilon<Num, Den> must be positive (Num > 0, Den > 0)");
    else
        static_assert(OptionOutOfRange<Spec, Bad, ok>::ok,
                      "RMSNorm: Epsilon<Num, Den> must be positive (Num > 0, Den > 0)");
    return ok;
}
template <class Spec, class In, bool Ok, bool Centred>
constexpr auto check_row_norm_input() {
    if constexpr (Centred)
        static_assert(RankMismatch<Spec, Rank<1, 2>, typename got_of<In>::type, Ok>::ok,
                      "LayerNorm: input must be [features] or [time, features] (rank 1 or 2): it normalises "
                      "the last axis; for an image [C, H, W] use BatchNorm2D, or Flatten first");
    else
        static_assert(RankMismatch<Spec, Rank<1, 2>, typename got_of<In>::type, Ok>::ok,
                      "RMSNorm: input must be [features] or [time, features] (rank 1 or 2): it normalises "
                      "the last axis; for an image [C, H, W] use BatchNorm2D, or Flatten first");
    return Ok;
}

// Lane k of the result is true for k < count: the real lanes of a tail chunk.
inline auto lanes_below(std::size_t count) {
    alignas(64) static constexpr float index[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    static_assert(simd::width <= 16);
    return simd::vec::load_aligned(index) < simd::vec(float(count));
}

// Normalisation of each row of D floats (a position), optionally centred (LayerNorm)
// or not (RMSNorm), then an optional per-feature scale and shift. Every loop is one
// pass of vectors over a row, which sits in L1: three passes forward (sum, squared
// deviations, output), two backward (the row sums with the parameter gradients, then dx).
template <class Spec, class In, bool Centred, bool HasWeight, bool HasBias>
struct RowNormLayer {
    using option_rule = decltype(check_row_norm_options<Spec, typename Spec::unknown_option, Centred>());
    static constexpr bool options_ok = std::is_void_v<typename Spec::unknown_option>;
    using range_rule =
        decltype(check_row_norm_ranges<Spec, typename Spec::out_of_range_option, options_ok, Centred>());
    static constexpr bool ranges_ok = std::is_void_v<typename Spec::out_of_range_option>;
    static constexpr bool rank_ok = In::rank == 1 || In::rank == 2;
    using input_rule = decltype(check_row_norm_input<Spec, In, rank_ok || !options_ok || !ranges_ok, Centred>());
    static constexpr bool ok = options_ok && ranges_ok && rank_ok;

    static constexpr bool is_sequence = In::rank == 2;
    static constexpr std::size_t D = In::dims[In::rank - 1];
    static constexpr std::size_t T = is_sequence ? In::dims[0] : 1;
    using input_shape = In;
    using output_shape = checked_shape_t<ok, In>;

    static constexpr std::size_t weight_offset = 0;
    static constexpr std::size_t bias_offset = HasWeight ? D : 0;
    static constexpr std::size_t param_count = (HasWeight ? D : 0) + (HasBias ? D : 0);
    // Per position: the mean (LayerNorm only) and 1 / sqrt(var + eps), for backward.
    static constexpr std::size_t stats_per_row = Centred ? 2 : 1;
    static constexpr std::size_t cache_size = stats_per_row * T;
    // Per sample: its share of d weight and d bias, added up in sample order after the
    // parallel loop, so the result does not depend on the thread count.
    static constexpr std::size_t workspace_size = param_count;
    static constexpr float epsilon = float(Spec::epsilon);

    static std::string name() { return Spec::name(); }

    template <class F>
    static void for_each_param(F&& f) {
        if constexpr (HasWeight) f(std::string("weight"), weight_offset, std::vector<std::size_t>{D});
        if constexpr (HasBias) f(std::string("bias"), bias_offset, std::vector<std::size_t>{D});
    }
    static void init(float* params, Rng&) {
        if constexpr (HasWeight) std::fill_n(params + weight_offset, D, 1.f);
        if constexpr (HasBias) std::fill_n(params + bias_offset, D, 0.f);
    }

    // A flat input is one position; lengths only speak of sequences.
    static std::size_t real_rows(const Pass& p, std::size_t b) {
        if constexpr (is_sequence) return length_of(p, b, T);
        else return 1;
    }

    static float row_sum(const float* x) {
        simd::vec acc(0.f);
        simd::for_each_chunk(D, [&](std::size_t i, std::size_t n) { acc += simd::load(x + i, n); });
        return xsimd::hadd(acc);
    }
    // sum (x - shift)^2 over the row; the tail's missing lanes count nothing.
    static float row_squares(const float* x, float shift) {
        simd::vec acc(0.f);
        const simd::vec s(shift);
        simd::for_each_chunk(D, [&](std::size_t i, std::size_t n) {
            simd::vec d = simd::load(x + i, n) - s;
            if (n < simd::width) d = xsimd::select(lanes_below(n), d, simd::vec(0.f));
            acc = simd::fma(d, d, acc);
        });
        return xsimd::hadd(acc);
    }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float* cache, float*) {
        kernels::for_each_sample(p.batch, T * D * 4, [&](std::size_t b, std::size_t) {
            const std::size_t length = real_rows(p, b);
            float* stats = cache + b * cache_size;
            for (std::size_t t = 0; t < T; ++t) {
                const float* xr = x + (b * T + t) * D;
                float* yr = y + (b * T + t) * D;
                if (t >= length) {
                    std::fill_n(yr, D, 0.f);
                    std::fill_n(stats + t * stats_per_row, stats_per_row, 0.f);
                    continue;
                }
                const float mean = Centred ? row_sum(xr) / float(D) : 0.f;
                const float rstd = 1.f / std::sqrt(row_squares(xr, mean) / float(D) + epsilon);
                if constexpr (Centred) stats[t * 2] = mean, stats[t * 2 + 1] = rstd;
                else stats[t] = rstd;
                const simd::vec m(mean), r(rstd);
                simd::for_each_chunk(D, [&](std::size_t i, std::size_t n) {
                    simd::vec v = (simd::load(xr + i, n) - m) * r;
                    if constexpr (HasWeight && HasBias)
                        v = simd::fma(v, simd::load(params + weight_offset + i, n), simd::load(params + bias_offset + i, n));
                    else if constexpr (HasWeight)
                        v = v * simd::load(params + weight_offset + i, n);
                    simd::store(yr + i, v, n);
                });
            }
        });
    }

    // With xhat = (x - mean) rstd and g = dy * weight (dy without a weight):
    //   dx = rstd (g - mean(g) - xhat mean(g xhat))      (RMSNorm: no mean(g) term)
    //   d weight = sum over positions of dy xhat,  d bias = sum of dy.
    static void backward(const Pass& p, const float* params, const float* x, const float*, const float* dy, float* dx,
                         float* dparams, const float* cache, float* workspace) {
        kernels::for_each_sample(p.batch, T * D * 5, [&](std::size_t b, std::size_t) {
            const std::size_t length = real_rows(p, b);
            const float* stats = cache + b * cache_size;
            float* own = workspace + b * workspace_size;  // this sample's d weight, d bias
            std::fill_n(own, param_count, 0.f);
            for (std::size_t t = 0; t < T; ++t) {
                const std::size_t row = (b * T + t) * D;
                if (t >= length) {
                    if (dx) std::fill_n(dx + row, D, 0.f);
                    continue;
                }
                const float mean = Centred ? stats[t * 2] : 0.f;
                const float rstd = Centred ? stats[t * 2 + 1] : stats[t];
                const simd::vec m(mean), r(rstd);
                // One pass: the two row sums, and the parameter gradients.
                simd::vec sum_g(0.f), sum_g_xhat(0.f);
                simd::for_each_chunk(D, [&](std::size_t i, std::size_t n) {
                    const simd::vec d = simd::load(dy + row + i, n);  // 0 in a tail's missing lanes
                    const simd::vec xhat = (simd::load(x + row + i, n) - m) * r;
                    simd::vec g = d;
                    if constexpr (HasWeight) {
                        g = d * simd::load(params + weight_offset + i, n);
                        simd::store(own + weight_offset + i, simd::fma(d, xhat, simd::load(own + weight_offset + i, n)), n);
                    }
                    if constexpr (HasBias)
                        simd::store(own + bias_offset + i, simd::load(own + bias_offset + i, n) + d, n);
                    sum_g += g;
                    sum_g_xhat = simd::fma(g, xhat, sum_g_xhat);
                });
                if (!dx) continue;
                const simd::vec mean_g(Centred ? xsimd::hadd(sum_g) / float(D) : 0.f);
                const simd::vec mean_g_xhat(xsimd::hadd(sum_g_xhat) / float(D));
                simd::for_each_chunk(D, [&](std::size_t i, std::size_t n) {
                    const simd::vec xhat = (simd::load(x + row + i, n) - m) * r;
                    simd::vec g = simd::load(dy + row + i, n);
                    if constexpr (HasWeight) g = g * simd::load(params + weight_offset + i, n);
                    simd::store(dx + row + i, r * (g - mean_g - xhat * mean_g_xhat), n);
                });
            }
        });
        if constexpr (param_count > 0) {
            std::fill_n(dparams, param_count, 0.f);
            for (std::size_t b = 0; b < p.batch; ++b) {
                const float* own = workspace + b * workspace_size;
                for (std::size_t k = 0; k < param_count; ++k) dparams[k] += own[k];
            }
        }
    }
};

template <class... Options>
constexpr double epsilon_of(double fallback) {
    return given_or(std::max({-1.0, epsilon_in<Options>...}), fallback);
}

// The first Epsilon<Num, Den> out of range among Options (void: none).
template <class... Options>
using out_of_range_epsilon_t =
    first_out_of_range_option_t<std::conditional_t<is_row_norm_option<Options>::value, Options, NoAffine>...>;

// An option as it is written: "NoAffine", "Epsilon<1, 1000000>".
template <class Option>
struct row_norm_option_spelling {
    static std::string get() { return "?"; }
};
template <>
struct row_norm_option_spelling<NoAffine> {
    static std::string get() { return "NoAffine"; }
};
template <std::intmax_t N, std::intmax_t D>
struct row_norm_option_spelling<Epsilon<N, D>> {
    static std::string get() { return "Epsilon<" + std::to_string(N) + ", " + std::to_string(D) + ">"; }
};
template <class... Options>
std::string row_norm_options_name() {
    std::string s;
    ((s += (s.empty() ? "" : ", ") + row_norm_option_spelling<Options>::get()), ...);
    return s;
}

}  // namespace detail

template <class... Options>
struct LayerNorm {
    static constexpr bool affine = !detail::has_no_affine<Options...>;
    static constexpr double epsilon = detail::epsilon_of<Options...>(1e-5);
    using unknown_option = first_unknown_option_t<detail::is_row_norm_option, Options...>;
    using out_of_range_option = detail::out_of_range_epsilon_t<Options...>;
    template <class In>
    using bind = detail::RowNormLayer<LayerNorm, In, true, affine, affine>;
    static std::string name() { return "LayerNorm<" + detail::row_norm_options_name<Options...>() + ">"; }
};

}  // namespace tn
