// BatchNorm<Options...>: batch normalisation (Ioffe & Szegedy 2015), per channel:
//   y = gamma (x - mean) / sqrt(var + eps) + beta
//
//   input [F]        per feature, statistics over the batch         (PyTorch BatchNorm1d)
//   input [T, F]     per feature, over batch x T positions          (BatchNorm1d on x.transpose(1, 2))
//   input [C, H, W]  per channel, over batch x H x W                (PyTorch BatchNorm2d)
//
// In training the statistics are the batch's (variance biased, as in the paper and
// PyTorch), and the running estimates move towards them:
//   running_mean <- (1 - m) running_mean + m mean
//   running_var  <- (1 - m) running_var  + m var * n / (n - 1)     (unbiased, as PyTorch)
// In evaluation the running estimates are used instead. Training on a single value
// per channel (a batch of 1 on a flat input) has no variance: it is an error, as in
// PyTorch; fit's last batch can be that one, so choose a batch size that avoids it.
//
// Names follow PyTorch, so checkpoints interchange: parameters `weight` (gamma,
// initialised to 1) and `bias` (beta, 0); buffers `running_mean` (0) and
// `running_var` (1). (PyTorch's integer `num_batches_tracked` is not kept: it only
// matters for momentum=None, a cumulative average; save_model writes the model's
// training steps under that name, train/checkpoint.hpp.)
//
// Options: RunningMomentum<Num, Den> (m, default 1/10) and Epsilon<Num, Den>
// (default 1/100000), PyTorch's defaults: BatchNorm<Epsilon<1, 1000>>.
//
// Followed by an element-wise activation, the normalisation and the activation run
// in one pass over memory (the chain's fusion, as Dense does): BatchNorm, ReLU.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/core/errors.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/options.hpp"
#include "typenet/kernels/elementwise.hpp"
#include "typenet/kernels/parallel.hpp"
#include "typenet/layers/activation.hpp"
#include "typenet/layers/activations.hpp"

namespace tn {

// Momentum in [0, 1], epsilon positive: checked by BatchNorm (check_batch_norm_ranges).
template <std::intmax_t Num, std::intmax_t Den = 1>
struct RunningMomentum {
    static constexpr double value = Den > 0 ? double(Num) / double(Den) : 0.;
};
template <std::intmax_t Num, std::intmax_t Den = 1>
struct Epsilon {
    static constexpr double value = Den > 0 ? double(Num) / double(Den) : 0.;
};
template <std::intmax_t N, std::intmax_t D>
inline constexpr bool option_in_range<RunningMomentum<N, D>> = D > 0 && N >= 0 && N <= D;
template <std::intmax_t N, std::intmax_t D>
inline constexpr bool option_in_range<Epsilon<N, D>> = D > 0 && N > 0;

template <class... Options>
struct BatchNorm;

namespace detail {

template <class Option> struct is_batch_norm_option : std::false_type {};
template <std::intmax_t N, std::intmax_t D> struct is_batch_norm_option<RunningMomentum<N, D>> : std::true_type {};
template <std::intmax_t N, std::intmax_t D> struct is_batch_norm_option<Epsilon<N, D>> : std::true_type {};

// An option's momentum or epsilon; -1 for an option that is not one. BatchNorm takes
// the largest over its options, so -1 means "not given": the default then.
template <class Option> inline constexpr double momentum_in = -1;
template <std::intmax_t N, std::intmax_t D>
inline constexpr double momentum_in<RunningMomentum<N, D>> = RunningMomentum<N, D>::value;
template <class Option> inline constexpr double epsilon_in = -1;
template <std::intmax_t N, std::intmax_t D>
inline constexpr double epsilon_in<Epsilon<N, D>> = Epsilon<N, D>::value;
constexpr double given_or(double given, double fallback) { return given >= 0 ? given : fallback; }

template <class Spec, class Bad, bool Known>
constexpr auto check_batch_norm_ranges() {
    constexpr bool ok = std::is_void_v<Bad> || !Known;
    static_assert(OptionOutOfRange<Spec, Bad, ok>::ok,
                  "BatchNorm: RunningMomentum<Num, Den> must be in [0, 1] and Epsilon<Num, Den> positive (Den > 0)");
    return ok;
}

template <class Spec, class Unknown>
constexpr auto check_batch_norm_options() {
    constexpr bool ok = std::is_void_v<Unknown>;
    static_assert(UnknownOption<Spec, Unknown, ok>::ok,
                  "BatchNorm: unknown option; BatchNorm takes RunningMomentum<Num, Den> and Epsilon<Num, Den>");
    return ok;
}

// BatchNorm's shape rule: [F], [T, F] or [C, H, W].
template <class Spec, class In, bool RankOk>
constexpr auto check_batch_norm_input() {
    static_assert(RankMismatch<Spec, Rank<1, 2, 3>, typename got_of<In>::type, RankOk>::ok,
                  "BatchNorm: input must be [features], [time, features] or [channels, height, width] (rank 1 to 3)");
    return RankOk;
}

// How a batch [batch, In...] is laid out per channel, and the loops over it. A
// *block* is what one pass of vector code handles: with the channel as the last
// axis ([F], [T, F]) a vector holds adjacent channels, and a block is one vector of
// channels visited over all rows; with the channel first ([C, H, W]) a block is one
// channel, visited as contiguous runs of H x W values.
template <std::size_t Channels, std::size_t Spatial, bool ChannelsFirst>
struct ChannelLayout {
    std::size_t batch;

    static constexpr std::size_t blocks() {
        return ChannelsFirst ? Channels : (Channels + simd::width - 1) / simd::width;
    }
    std::size_t values_per_channel() const { return batch * Spatial; }

    // Per-channel constants of block b, as a vector (lanes beyond the block: 0).
    static simd::vec constant(const float* per_channel, std::size_t b) {
        if constexpr (ChannelsFirst) return simd::vec(per_channel[b]);
        else return simd::load(per_channel + b * simd::width, lanes(b));
    }
    // A block's sums per channel from a vector accumulated over visit(): with the
    // channel first its lanes hold different positions of the one channel, so they
    // are added up (and the sum broadcast); with the channel last, lane = channel.
    static simd::vec per_channel_sum(const simd::vec& v) {
        if constexpr (ChannelsFirst) return simd::vec(xsimd::hadd(v));
        else return v;
    }
    // Stores a block's per-channel vector (as constant() and per_channel_sum() give).
    static void store(float* per_channel, std::size_t b, const simd::vec& v) {
        if constexpr (ChannelsFirst) per_channel[b] = v.get(0);
        else simd::store(per_channel + b * simd::width, v, lanes(b));
    }
    static constexpr std::size_t lanes(std::size_t b) {
        return ChannelsFirst ? simd::width : std::min(simd::width, Channels - b * simd::width);
    }

    // body(offset, count): the block's values at offset .. offset + count, count
    // <= width. With the channel first, count < width marks the end of a run (its
    // missing lanes load as zeros); with the channel last, every call is a full row
    // of the block's channels.
    template <class Body>
    void visit(std::size_t b, Body&& body) const {
        if constexpr (ChannelsFirst) {
            for (std::size_t n = 0; n < batch; ++n) {
                const std::size_t start = (n * Channels + b) * Spatial;
                simd::for_each_chunk(Spatial, [&](std::size_t i, std::size_t c) { body(start + i, c); });
            }
        } else {
            const std::size_t first = b * simd::width, count = lanes(b), rows = batch * Spatial;
            for (std::size_t r = 0; r < rows; ++r) body(r * Channels + first, count);
        }
    }

    // Runs f(b) for every block, on both cores when the batch is large. Blocks are
    // independent and each is computed the same way on any thread, so the results
    // do not depend on the thread count.
    template <class F>
    void for_each_block(F&& f) const {
        const std::size_t total = batch * Channels * Spatial;
        const int nt = tn::detail::kernel_threads(std::min(blocks(), total / kernels::elementwise_parallel_floats));
#ifdef _OPENMP
        if (nt > 1) {
#pragma omp parallel for num_threads(nt) schedule(static)
            for (std::size_t b = 0; b < blocks(); ++b) f(b);
            return;
        }
#endif
        (void)nt;
        for (std::size_t b = 0; b < blocks(); ++b) f(b);
    }
};

// Lanes [0, count) true: masks the zero-padded end of a run of values.
inline auto first_lanes(std::size_t count) {
    alignas(64) float index[simd::width];
    for (std::size_t k = 0; k < simd::width; ++k) index[k] = float(k);
    return simd::vec::load_aligned(index) < simd::vec(float(count));
}

template <class Spec, class In>
struct BatchNormLayer {
    static constexpr bool rank_ok = In::rank >= 1 && In::rank <= 3;
    using shape_rule = decltype(check_batch_norm_input<Spec, In, rank_ok>());
    using option_rule = decltype(check_batch_norm_options<Spec, typename Spec::unknown_option>());
    using range_rule = decltype(check_batch_norm_ranges<Spec, typename Spec::out_of_range_option,
                                                        std::is_void_v<typename Spec::unknown_option>>());

    static constexpr bool channels_first = In::rank == 3;
    static constexpr std::size_t channels = channels_first ? In::dims[0] : In::dims[In::rank - 1];
    static constexpr std::size_t spatial = In::size / channels;  // values per channel in one sample
    using Layout = ChannelLayout<channels, spatial, channels_first>;

    using input_shape = In;
    using output_shape = checked_shape_t<rank_ok, In>;
    static constexpr std::size_t param_count = 2 * channels;  // weight (gamma), bias (beta)
    // running_mean, running_var; then the statistics of the last forward (mean and
    // 1/sqrt(var + eps)), which backward reads: state of one forward, not saved.
    static constexpr std::size_t buffer_count = 4 * channels;

    static std::string name() { return Spec::name(); }

    template <class F>
    static void for_each_param(F&& f) {
        f(std::string("weight"), std::size_t{0}, std::vector<std::size_t>{channels});
        f(std::string("bias"), channels, std::vector<std::size_t>{channels});
    }
    template <class F>
    static void for_each_buffer(F&& f) {
        f(std::string("running_mean"), std::size_t{0}, std::vector<std::size_t>{channels});
        f(std::string("running_var"), channels, std::vector<std::size_t>{channels});
    }
    static void init(float* params, Rng&) {
        std::fill_n(params, channels, 1.f);
        std::fill_n(params + channels, channels, 0.f);
    }
    static void init_buffers(float* buffers) {
        std::fill_n(buffers, 4 * channels, 0.f);
        std::fill_n(buffers + channels, channels, 1.f);  // running_var
    }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float*, float*) {
        normalize<Identity>(p, params, x, nullptr, y);
    }

    // Followed by an element-wise activation: y = F(normalised x) in the same pass.
    // The normalised values are stored only when F's backward needs them (GELU).
    template <class Next>
    static constexpr bool fuses_with = is_elementwise<Next>;
    template <class Next>
    static void forward_fused(const Pass& p, const float* params, const float* x, float* z, float* y) {
        using F = typename Next::function;
        normalize<F>(p, params, x, F::from_output ? nullptr : z, y);
    }

    // With s = 1/sqrt(var + eps), x^ = (x - mean) s and n values per channel:
    //   dbeta = sum dy,  dgamma = sum dy x^,
    //   dx = gamma s (dy - dbeta / n - x^ dgamma / n)   in training (the statistics
    //        depend on x), and dx = gamma s dy in evaluation (they do not).
    static void backward(const Pass& p, const float* params, const float* x, const float*, const float* dy,
                         float* dx, float* dparams, const float*, float*) {
        const Layout layout{p.batch};
        const float* mean = p.buffers + 2 * channels;
        const float* inv_std = p.buffers + 3 * channels;
        const float* gamma = params;
        float* dgamma = dparams;
        float* dbeta = dparams + channels;
        const float per_value = 1.f / float(layout.values_per_channel());
        layout.for_each_block([&](std::size_t b) {
            const simd::vec m = layout.constant(mean, b), s = layout.constant(inv_std, b);
            simd::vec sum_dy(0.f), sum_dy_centered(0.f);
            layout.visit(b, [&](std::size_t i, std::size_t c) {
                const simd::vec d = simd::load(dy + i, c);
                sum_dy += d;
                // Missing lanes of a short run load dy = 0: they add nothing.
                sum_dy_centered = simd::fma(d, simd::load(x + i, c) - m, sum_dy_centered);
            });
            const simd::vec db = Layout::per_channel_sum(sum_dy);
            const simd::vec dg = Layout::per_channel_sum(sum_dy_centered) * s;
            Layout::store(dbeta, b, db);
            Layout::store(dgamma, b, dg);
            if (!dx) return;
            const simd::vec k1 = layout.constant(gamma, b) * s;  // gamma s
            if (p.training) {
                // dx = k1 dy + k2 (x - mean) + k0, k0 = -k1 dbeta / n, k2 = -k1 s dgamma / n.
                const simd::vec k0 = -k1 * db * simd::vec(per_value);
                const simd::vec k2 = -k1 * s * dg * simd::vec(per_value);
                layout.visit(b, [&](std::size_t i, std::size_t c) {
                    const simd::vec centered = simd::load(x + i, c) - m;
                    simd::store(dx + i, simd::fma(k1, simd::load(dy + i, c), simd::fma(k2, centered, k0)), c);
                });
            } else {
                layout.visit(b, [&](std::size_t i, std::size_t c) {
                    simd::store(dx + i, k1 * simd::load(dy + i, c), c);
                });
            }
        });
    }

private:
    static constexpr float eps = float(Spec::epsilon);
    static constexpr float momentum = float(Spec::momentum);

    // z = (x - mean) s gamma + beta, y = F(z); z is stored only when given.
    template <class F>
    static void normalize(const Pass& p, const float* params, const float* x, float* z, float* y) {
        const Layout layout{p.batch};
        const std::size_t n = layout.values_per_channel();
        if (!p.buffers)
            throw std::logic_error(Spec::name() + ": no buffers for the running statistics (Pass::buffers is null; "
                                                  "run it inside a Model)");
        if (p.training && n < 2)
            throw std::invalid_argument(
                Spec::name() + " on " + shape_string<In>() + ": training needs more than one value per channel to "
                "compute batch statistics, but a batch of " + std::to_string(p.batch) + " gives " +
                std::to_string(n) + " (use batches of 2 or more, e.g. a batch size that does not leave one sample "
                "over at the end of an epoch, or evaluate with training = false)");
        float* running_mean = p.buffers;
        float* running_var = p.buffers + channels;
        float* mean = p.buffers + 2 * channels;
        float* inv_std = p.buffers + 3 * channels;
        const float* gamma = params;
        const float* beta = params + channels;
        const float per_value = 1.f / float(n);
        const float unbiased = float(n) / float(n > 1 ? n - 1 : 1);

        layout.for_each_block([&](std::size_t b) {
            simd::vec mv, s;
            if (p.training) {
                // Two passes (mean, then squared deviations) rather than sum and sum
                // of squares, which cancel catastrophically when |mean| >> std.
                simd::vec sum(0.f);
                layout.visit(b, [&](std::size_t i, std::size_t c) { sum += simd::load(x + i, c); });
                mv = Layout::per_channel_sum(sum) * simd::vec(per_value);
                simd::vec squares(0.f);
                layout.visit(b, [&](std::size_t i, std::size_t c) {
                    simd::vec d = simd::load(x + i, c) - mv;
                    // The zero-padded end of a run would add mean^2 per missing lane.
                    if (channels_first && c < simd::width) d = xsimd::select(first_lanes(c), d, simd::vec(0.f));
                    squares = simd::fma(d, d, squares);
                });
                const simd::vec var = Layout::per_channel_sum(squares) * simd::vec(per_value);
                s = simd::vec(1.f) / xsimd::sqrt(var + simd::vec(eps));
                const simd::vec mom(momentum), keep(1.f - momentum);
                Layout::store(running_mean, b, keep * layout.constant(running_mean, b) + mom * mv);
                Layout::store(running_var, b,
                              keep * layout.constant(running_var, b) + mom * (var * simd::vec(unbiased)));
            } else {
                mv = layout.constant(running_mean, b);
                s = simd::vec(1.f) / xsimd::sqrt(layout.constant(running_var, b) + simd::vec(eps));
            }
            Layout::store(mean, b, mv);
            Layout::store(inv_std, b, s);
            const simd::vec scale = layout.constant(gamma, b) * s;
            const simd::vec shift = layout.constant(beta, b) - mv * scale;
            layout.visit(b, [&](std::size_t i, std::size_t c) {
                const simd::vec zv = simd::fma(simd::load(x + i, c), scale, shift);
                if (z) simd::store(z + i, zv, c);
                simd::store(y + i, F::forward(zv), c);
            });
        });
    }
};

}  // namespace detail

template <class... Options>
struct BatchNorm {
    using unknown_option = first_unknown_option_t<detail::is_batch_norm_option, Options...>;
    using out_of_range_option = first_out_of_range_option_t<Options...>;
    static constexpr double momentum = detail::given_or(std::max({-1.0, detail::momentum_in<Options>...}), 0.1);
    static constexpr double epsilon = detail::given_or(std::max({-1.0, detail::epsilon_in<Options>...}), 1e-5);
    template <class In>
    using bind = detail::BatchNormLayer<BatchNorm, In>;
    static std::string name() { return "BatchNorm"; }
};

}  // namespace tn
