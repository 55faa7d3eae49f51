// Conv2D<Filters, Options...>: a 2-D convolution (cross-correlation, as in every
// framework) of an image [C, H, W] with Filters kernels [C, kh, kw], giving
// [Filters, OH, OW] with
//     OH = (H + 2 ph - dh (kh - 1) - 1) / sh + 1     (and OW alike)
//
// Options, in any order (anything else is a compile error naming it):
//   Kernel<k> or Kernel<kh, kw>   required
//   Stride<s> or Stride<sh, sw>   default 1
//   Pad<p> or Pad<ph, pw>         zeros around the input; default Valid (no padding)
//   Same                          pads so that the output keeps the input's size
//                                 (stride 1 and an odd kernel only)
//   Valid                         no padding, Pad<0>
//   Dilation<d> or Dilation<dh, dw>  default 1
//   InChannels<C>                 the input channels expected (weights loaded from a
//                                 checkpoint): a different input is a compile error
//   Init<S>, BiasInit<S>, NoBias, L1<N, D>, L2<N, D>   as for Dense
// e.g. Conv2D<32, Kernel<3>, Same, Init<HeNormal>>.
//
// Parameters: `weight` [F, C, kh, kw] then `bias` [F], PyTorch's nn.Conv2d layout
// and names, so checkpoints interchange. Default initialisation is Keras's: Glorot
// uniform with fan_in = C kh kw and fan_out = F kh kw, zero bias.
//
// Computed as a GEMM over the columns of im2col (kernels/im2col.hpp), each
// sample's product y [F, OH*OW] = W [F, C kh kw] . col [C kh kw, OH*OW], with an
// epilogue that adds the bias and, when an element-wise activation follows, applies
// it (fusion, as Dense). Forward never stores col: the GEMM asks for it one
// micro-panel at a time (gemm_panels) and ConvPanels copies each from the padded
// input straight into L1. With few taps, directly (kernels/direct_conv.hpp).
// Backward: per group of samples, dW [F, C kh kw] = dY [F, group OH OW] . col^T in one
// GEMM over the group, col^T again generated panel by panel from the group's padded
// inputs (ConvPanelsTransposed); partial gradients are added in group order; dX is
// col2im(W^T . dY) per sample. See docs/design.md, "Convolution and pooling".
#pragma once
#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "typenet/core/errors.hpp"
#include "typenet/core/init.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/options.hpp"
#include "typenet/kernels/direct_conv.hpp"
#include "typenet/kernels/for_each_sample.hpp"
#include "typenet/kernels/gemm.hpp"
#include "typenet/kernels/im2col.hpp"
#include "typenet/kernels/simd.hpp"
#include "typenet/layers/activation.hpp"
#include "typenet/layers/dense.hpp"  // NoBias
#include "typenet/layers/spatial_options.hpp"
#include "typenet/regularize/penalty.hpp"

namespace tn {

template <std::size_t Filters, class... Options>
struct Conv2D;

namespace detail {

template <class Option>
struct is_conv_option
    : std::bool_constant<is_penalty_option<Option> || is_pair_option<Kernel, Option> ||
                         is_pair_option<Stride, Option> || is_pair_option<Pad, Option> ||
                         is_pair_option<Dilation, Option> || is_in_channels_option<Option>> {};
template <> struct is_conv_option<NoBias> : std::true_type {};
template <> struct is_conv_option<Same> : std::true_type {};
template <> struct is_conv_option<Valid> : std::true_type {};
template <class S> struct is_conv_option<Init<S>> : std::true_type {};
template <class S> struct is_conv_option<BiasInit<S>> : std::true_type {};

// Conv2D's rules, each asserted in its own function body (core/errors.hpp says why).
// Each is checked only when every earlier one held (`Ok` is true otherwise), so a
// network with several mistakes in one layer still gets exactly one error.
template <class Spec, class Unknown, bool Ok>
constexpr auto check_conv_options() {
    static_assert(UnknownOption<Spec, Unknown, Ok>::ok,
                  "Conv2D: unknown option; Conv2D takes Kernel<...>, Stride<...>, Pad<...>, Same, Valid, "
                  "Dilation<...>, InChannels<C>, Init<...>, BiasInit<...>, NoBias, L1<...> and L2<...> "
                  "(an activation is a layer of its own: Conv2D<F, Kernel<3>>, ReLU)");
    return Ok;
}
template <class Spec, bool Ok>
constexpr auto check_conv_filters() {
    static_assert(ZeroSizedLayer<Spec, Ok>::ok,
                  "Conv2D<F>: F, the number of output channels (filters), must be at least 1");
    return Ok;
}
template <class Spec, bool Ok>
constexpr auto check_conv_kernel_given() {
    static_assert(MissingKernel<Spec, Ok>::ok, "Conv2D: the kernel size is required, e.g. Conv2D<32, Kernel<3>>");
    return Ok;
}
template <class Spec, class K, class S, bool Ok>
constexpr auto check_conv_nonzero() {
    static_assert(ZeroKernelOrStride<Spec, K, S, Ok>::ok,
                  "Conv2D: kernel, stride and dilation must all be at least 1");
    return Ok;
}
template <class Spec, class K, class S, bool Ok>
constexpr auto check_conv_same() {
    static_assert(InvalidSamePadding<Spec, K, S, Ok>::ok,
                  "Conv2D: Same padding needs stride 1 and an odd kernel (use Pad<p> otherwise)");
    return Ok;
}
template <class Spec, class In, bool Ok>
constexpr auto check_conv_rank() {
    static_assert(RankMismatch<Spec, Rank<3>, typename got_of<In>::type, Ok>::ok,
                  "Conv2D: input must be an image [channels, height, width] (rank 3); "
                  "a flat input needs a reshape first (e.g. Input<1, 28, 28>)");
    return Ok;
}
template <class Spec, class In, bool Ok>
constexpr auto check_conv_channels() {
    static_assert(InChannelsMismatch<Spec, InChannels<Spec::in_channels>, typename got_of<In>::type, Ok>::ok,
                  "Conv2D: the input's channels differ from InChannels<C>");
    return Ok;
}
template <class Spec, class Extent, class Padded, class In, bool Ok>
constexpr auto check_conv_fits() {
    static_assert(KernelLargerThanInput<Spec, Extent, Padded, typename got_of<In>::type, Ok>::ok,
                  "Conv2D: the kernel (its extent with dilation, Window<h, w>) is larger than the padded input "
                  "(PaddedInput<h, w>); use a smaller kernel or more padding");
    return Ok;
}

// Bias (per output channel, a row of each sample's product) plus activation F, on
// finished row segments of the GEMM's C. With `activated` set, C keeps the
// pre-activation z and F(z) goes to `activated`; otherwise F(z) overwrites C.
template <class F, bool HasBias>
struct ConvBiasActivation {
    const float* bias;
    float* activated = nullptr;  // this sample's [F, OH*OW] output, when z is kept
    std::size_t cols = 0;
    void operator()(std::size_t i, std::size_t j0, float* c, std::size_t n) const {
        simd::for_each_chunk(n, [&](std::size_t j, std::size_t count) {
            store(i, j0 + j, c + j, simd::load(c + j, count), count);
        });
    }
    // The same for one vector still in registers (the direct convolution's
    // accumulators): no store and reload of z first.
    void store(std::size_t i, std::size_t j, float* c, simd::vec z, std::size_t count) const {
        if constexpr (HasBias) z += simd::vec(bias[i]);
        if (activated) {
            simd::store(c, z, count);
            simd::store(activated + i * cols + j, F::forward(z), count);
        } else {
            simd::store(c, F::forward(z), count);
        }
    }
};

// Sum of n floats in a fixed order (vectors over blocks of 1024, blocks in double),
// so a bias gradient over a whole batch is the same on any thread count.
inline float ordered_sum(const float* v, std::size_t n) {
    constexpr std::size_t block = 1024;
    double total = 0;
    for (std::size_t start = 0; start < n; start += block) {
        simd::vec acc(0.f);
        simd::for_each_chunk(std::min(block, n - start),
                             [&](std::size_t i, std::size_t c) { acc += simd::load(v + start + i, c); });
        total += double(xsimd::hadd(acc));
    }
    return float(total);
}

template <class Spec, class In>
struct Conv2DLayer {
    using K = typename Spec::kernel;
    using S = typename Spec::stride;
    using P = typename Spec::pad;
    using D = typename Spec::dilation;
    static constexpr std::size_t filters = Spec::filters;
    static constexpr bool has_bias = Spec::has_bias;

    // The rules, in the order they are reported.
    static constexpr bool options_ok = std::is_void_v<typename Spec::unknown_option>;
    static constexpr bool filters_ok = options_ok && filters > 0;
    static constexpr bool kernel_ok = filters_ok && Spec::has_kernel;
    static constexpr bool nonzero_ok = kernel_ok && K::h > 0 && K::w > 0 && S::h > 0 && S::w > 0 && D::h > 0 && D::w > 0;
    static constexpr bool same_ok =
        nonzero_ok && (!Spec::same || (S::h == 1 && S::w == 1 && K::h % 2 == 1 && K::w % 2 == 1));
    static constexpr bool rank_ok = same_ok && In::rank == 3;
    static constexpr std::size_t in_c = dim_or<In>(0, 1), in_h = dim_or<In>(1, 1), in_w = dim_or<In>(2, 1);
    static constexpr bool channels_ok = rank_ok && (Spec::in_channels == 0 || Spec::in_channels == in_c);
    static constexpr std::size_t extent_h = nonzero_ok ? D::h * (K::h - 1) + 1 : 1;
    static constexpr std::size_t extent_w = nonzero_ok ? D::w * (K::w - 1) + 1 : 1;
    static constexpr std::size_t padded_h = in_h + 2 * P::h, padded_w = in_w + 2 * P::w;
    static constexpr bool valid = channels_ok && extent_h <= padded_h && extent_w <= padded_w;

    using option_rule = decltype(check_conv_options<Spec, typename Spec::unknown_option, options_ok>());
    using range_rule = decltype(check_penalty_options<Spec, typename Spec::out_of_range_option, options_ok>());
    using filters_rule = decltype(check_conv_filters<Spec, filters_ok || !options_ok>());
    using kernel_rule = decltype(check_conv_kernel_given<Spec, kernel_ok || !filters_ok>());
    using nonzero_rule = decltype(check_conv_nonzero<Spec, Kernel<K::h, K::w>, Stride<S::h, S::w>,
                                                     nonzero_ok || !kernel_ok>());
    using same_rule = decltype(check_conv_same<Spec, Kernel<K::h, K::w>, Stride<S::h, S::w>, same_ok || !nonzero_ok>());
    using rank_rule = decltype(check_conv_rank<Spec, In, rank_ok || !same_ok>());
    using channels_rule = decltype(check_conv_channels<Spec, In, channels_ok || !rank_ok>());
    using fits_rule = decltype(check_conv_fits<Spec, Window<extent_h, extent_w>, PaddedInput<padded_h, padded_w>, In,
                                               valid || !channels_ok>());

    // A broken layer still computes its sizes (the chain reads them before the
    // poison takes over), from a harmless 1x1 geometry.
    using G = std::conditional_t<valid,
                                 kernels::ConvGeometry<in_c, in_h, in_w, K::h, K::w, S::h, S::w, P::h, P::w, D::h, D::w>,
                                 kernels::ConvGeometry<1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1>>;
    static constexpr std::size_t rows = G::rows;  // C kh kw: the GEMM's K
    static constexpr std::size_t cols = G::cols;  // OH OW
    static constexpr std::size_t weight_count = filters * rows;
    static constexpr std::size_t output_size = filters * cols;

    using input_shape = In;
    using output_shape = checked_shape_t<valid, Shape<filters, G::out_h, G::out_w>>;
    static constexpr std::size_t param_count = weight_count + (has_bias ? filters : 0);

    // Backward works on groups of samples whose columns [rows, group cols] and dY^T
    // [F, group cols] together stay within about 512 KiB, so that they are still in
    // L2 when the GEMMs read them. Each group yields its own partial dW and db, and
    // the partials are added in group order: the groups depend on the batch size
    // alone, so the sum is the same on any thread count.
    // Per sample of a group: its columns (or its padded input, where that is larger:
    // a strided 1x1 kernel) and its dY^T.
    static constexpr std::size_t column_floats = std::max(rows * cols, kernels::Padded<G>::size);
    static constexpr std::size_t group_floats = column_floats + filters * cols;
    static constexpr std::size_t group_samples = std::max<std::size_t>(1, (std::size_t{1} << 17) / group_floats);
    // Forward, per thread: one sample's input with its padding written out (the
    // columns are generated from it panel by panel and never stored whole).
    static constexpr std::size_t forward_floats = kernels::Padded<G>::size;
    // Per sample: room for one sample's share of a thread's group (or a thread's
    // padded input), and for one group's partial gradients (there are never more
    // groups than samples).
    static constexpr std::size_t workspace_size = std::max(group_floats, forward_floats) + param_count;

    static std::string name() { return Spec::name(); }

    template <class F>
    static void for_each_param(F&& f) {
        f(std::string("weight"), std::size_t{0}, std::vector<std::size_t>{filters, G::channels, K::h, K::w});
        if constexpr (has_bias) f(std::string("bias"), weight_count, std::vector<std::size_t>{filters});
    }
    static void init(float* params, Rng& rng) {
        const std::size_t fan_in = rows, fan_out = filters * K::h * K::w;
        Spec::weight_init::fill(params, weight_count, fan_in, fan_out, rng);
        if constexpr (has_bias) Spec::bias_init::fill(params + weight_count, filters, fan_in, fan_out, rng);
    }
    template <class F>
    static void for_each_weight(F&& f) {
        f(std::size_t{0}, weight_count, Spec::penalty);
    }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float*, float* workspace) {
        run_forward<Identity>(p, params, x, y, nullptr, workspace);
    }

    template <class Next>
    static constexpr bool fuses_with = is_elementwise<Next>;

    // Conv2D followed by an element-wise activation: the activation is the GEMM's
    // epilogue. z is stored only when the activation's backward needs it.
    template <class Next>
    static void forward_fused(const Pass& p, const float* params, const float* x, float* z, float* y,
                              float* workspace) {
        using F = typename Next::function;
        if constexpr (F::from_output) run_forward<F>(p, params, x, y, nullptr, workspace);
        else run_forward<F>(p, params, x, z, y, workspace);
    }

    static void backward(const Pass& p, const float* params, const float* x, const float*, const float* dy,
                         float* dx, float* dparams, const float*, float* workspace) {
        run_backward<void>(p, params, x, nullptr, nullptr, dy, dx, dparams, workspace);
    }

    // Conv2D + an element-wise activation, backward in one: the activation's
    // gradient dz = f'(z) dy is formed while dY is copied for the GEMMs anyway,
    // instead of in a pass of its own over the whole batch. z is this layer's
    // output (stored only when the activation needs it), y the activation's, dy the
    // gradient of y. (The direct path reads dY in place and has no such copy.)
    template <class Next>
    static constexpr bool backward_fuses_with = fuses_with<Next> && !kernels::direct_conv_fits<G>;

    template <class Next>
    static void backward_fused(const Pass& p, const float* params, const float* x, const float* z, const float* y,
                               const float* dy, float* dx, float* dparams, const float*, float* workspace) {
        run_backward<typename Next::function>(p, params, x, z, y, dy, dx, dparams, workspace);
    }

private:
    static constexpr bool direct = kernels::direct_conv_fits<G>;

    // dY of this layer's output into dy_t [F, ld] at column offset `at`, one sample:
    // copied, or with F the activation that followed, dz = F::backward(z, y, dy).
    template <class F>
    static void gradient_rows(const float* z, const float* y, const float* dy, float* dy_t, std::size_t ld,
                              std::size_t at) {
        for (std::size_t f = 0; f < filters; ++f) {
            float* out = dy_t + f * ld + at;
            const std::size_t row = f * cols;
            if constexpr (std::is_void_v<F>) {
                std::memcpy(out, dy + row, cols * sizeof(float));
            } else {
                simd::for_each_chunk(cols, [&](std::size_t j, std::size_t c) {
                    const simd::vec zv = F::from_output ? simd::vec(0.f) : simd::load(z + row + j, c);
                    simd::store(out + j, F::backward(zv, simd::load(y + row + j, c), simd::load(dy + row + j, c)), c);
                });
            }
        }
    }

    // F: the fused activation (backward_fused), or void.
    template <class F>
    static void run_backward(const Pass& p, const float* params, const float* x, const float* z, const float* y,
                             const float* dy, float* dx, float* dparams, float* workspace) {
        using kernels::Transpose;
        const std::size_t n = p.batch;
        const std::size_t groups = (n + group_samples - 1) / group_samples;
        float* partials = workspace + n * group_floats;  // [groups, param_count]
        // A thread's scratch is group_samples samples wide: at most n / group_samples
        // threads (and at least one, whose group is then the whole batch).
        const int threads = kernels::item_threads(groups, group_samples * group_floats,
                                                  std::max<std::size_t>(1, n / group_samples));
        kernels::parallel_items(groups, threads, [&](std::size_t g, std::size_t thread) {
            const std::size_t first = g * group_samples, count = std::min(group_samples, n - first);
            const std::size_t ld = count * cols;
            float* col = workspace + thread * group_samples * group_floats;  // [rows, ld]: the group's columns
            float* grad = groups == 1 ? dparams : partials + g * param_count;
            if constexpr (direct) {
                static_assert(std::is_void_v<F>, "the direct path does not fuse backward (backward_fuses_with)");
                // Few taps: dW sample by sample from the padded input (kernels/direct_conv.hpp).
                std::fill_n(grad, param_count, 0.f);
                for (std::size_t k = 0; k < count; ++k) {
                    const std::size_t s = first + k;
                    kernels::pad_input<G>(x + s * G::input_size, col);
                    kernels::direct_conv_weight_gradient<G, filters>(col, dy + s * output_size, grad);
                    if constexpr (has_bias)
                        for (std::size_t f = 0; f < filters; ++f)
                            grad[weight_count + f] += ordered_sum(dy + s * output_size + f * cols, cols);
                }
                if (dx) input_gradient(params, dy + first * output_size, output_size, cols, dx, col, cols, first, count);
                return;
            }
            float* dy_t = col + count * column_floats;                      // [F, ld]
            // The group's padded inputs, where its columns would go (they are
            // smaller); the dW product reads its columns from them panel by panel.
            float* padded = col;
            for (std::size_t k = 0; k < count; ++k) {
                const std::size_t s = first + k;
                kernels::pad_input<G>(x + s * G::input_size, padded + k * kernels::Padded<G>::size);
                const std::size_t at = s * output_size;
                gradient_rows<F>(z ? z + at : nullptr, y ? y + at : nullptr, dy + at, dy_t, ld, k * cols);
            }
            // dW [F, rows] = dY^T [F, ld] . col^T: one product over the group.
            kernels::gemm_panels(Transpose::No, filters, rows, ld, dy_t, ld, kernels::ConvPanelsTransposed<G>{padded}, 0.f,
                                 grad, rows);
            if constexpr (has_bias)
                for (std::size_t f = 0; f < filters; ++f) grad[weight_count + f] = ordered_sum(dy_t + f * ld, ld);
            if (dx) input_gradient(params, dy_t, cols, ld, dx, col, ld, first, count);
        });
        if (groups > 1) add_partials(partials, groups, dparams);
    }

    // dX for samples first .. first+count-1, per sample: dcol [rows, cols] = W^T . dY
    // (into `col`, rows ld apart: the group's columns, no longer needed), then col2im.
    // Sample k's dY [F, cols] is at dy_group + k * sample_stride, rows dy_ld apart.
    static void input_gradient(const float* params, const float* dy_group, std::size_t sample_stride,
                               std::size_t dy_ld, float* dx, float* col, std::size_t ld, std::size_t first,
                               std::size_t count) {
        using kernels::Transpose;
        for (std::size_t k = 0; k < count; ++k) {
            const std::size_t s = first + k;
            float* dcol = ld == cols ? col : col + k * cols;
            kernels::gemm(Transpose::Yes, Transpose::No, rows, cols, filters, params, rows,
                          dy_group + k * sample_stride, dy_ld, 0.f, dcol, ld);
            kernels::col2im<G>(dcol, ld, dx + s * G::input_size);
        }
    }

    // dparams = partial 0 + partial 1 + ..., in that order.
    static void add_partials(const float* partials, std::size_t groups, float* dparams) {
        std::copy_n(partials, param_count, dparams);
        for (std::size_t g = 1; g < groups; ++g) {
            const float* part = partials + g * param_count;
            simd::for_each_chunk(param_count, [&](std::size_t i, std::size_t c) {
                simd::store(dparams + i, simd::load(dparams + i, c) + simd::load(part + i, c), c);
            });
        }
    }

    template <class F>
    static void run_forward(const Pass& p, const float* params, const float* x, float* z, float* activated,
                            float* workspace) {
        using kernels::Transpose;
        const float* bias = params + weight_count;
        // Each thread reuses its own columns buffer (never more threads than samples).
        kernels::for_each_sample(p.batch, rows * cols, [&](std::size_t s, std::size_t thread) {
            const ConvBiasActivation<F, has_bias> epilogue{bias, activated ? activated + s * output_size : nullptr,
                                                           cols};
            float* padded = workspace + thread * forward_floats;
            if constexpr (direct) {
                kernels::pad_input<G>(x + s * G::input_size, padded);
                kernels::direct_conv_forward<G, filters>(padded, params, z + s * output_size, epilogue);
            } else if constexpr (G::col_is_input) {
                // The GEMM's B is this sample's input itself.
                kernels::gemm(Transpose::No, Transpose::No, filters, cols, rows, params, rows, x + s * G::input_size,
                              cols, 0.f, z + s * output_size, cols, epilogue);
            } else {
                // The columns go to the GEMM panel by panel, from the padded input.
                kernels::pad_input<G>(x + s * G::input_size, padded);
                kernels::gemm_panels(Transpose::No, filters, cols, rows, params, rows, kernels::ConvPanels<G>{padded},
                                     0.f, z + s * output_size, cols, epilogue);
            }
        });
    }
};

}  // namespace detail

template <std::size_t Filters, class... Options>
struct Conv2D {
    static constexpr std::size_t filters = Filters;
    static constexpr bool has_kernel = !std::is_void_v<detail::pair_option_t<Kernel, void, Options...>>;
    using kernel = detail::pair_option_t<Kernel, Kernel<1, 1>, Options...>;
    using stride = detail::pair_option_t<Stride, Stride<1, 1>, Options...>;
    using dilation = detail::pair_option_t<Dilation, Dilation<1, 1>, Options...>;
    static constexpr bool same = (std::is_same_v<Options, Same> || ...);
    // Same: (d (k - 1)) / 2 on each side, exact for an odd kernel.
    using pad = std::conditional_t<same, Pad<dilation::h * (kernel::h - 1) / 2, dilation::w * (kernel::w - 1) / 2>,
                                   detail::pair_option_t<Pad, Pad<0, 0>, Options...>>;
    static constexpr std::size_t in_channels = std::max({std::size_t{0}, detail::in_channels_in<Options>...});
    static constexpr bool has_bias = !(std::is_same_v<Options, NoBias> || ...);
    using weight_init = typename init_scheme<XavierUniform, Options...>::type;
    using bias_init = typename bias_init_scheme<Zeros, Options...>::type;
    static constexpr Regularization penalty = penalty_of<Options...>;
    using unknown_option = first_unknown_option_t<detail::is_conv_option, Options...>;
    using out_of_range_option = first_out_of_range_option_t<Options...>;
    template <class In>
    using bind = detail::Conv2DLayer<Conv2D, In>;

    // "Conv2D<6, Kernel<5>, Pad<2>>": the geometry as resolved, defaults left out.
    static std::string name() {
        using detail::pair_string;
        std::string s = "Conv2D<" + std::to_string(Filters) + ", Kernel<" + pair_string(kernel::h, kernel::w) + ">";
        if (stride::h != 1 || stride::w != 1) s += ", Stride<" + pair_string(stride::h, stride::w) + ">";
        if (same) s += ", Same";
        else if (pad::h != 0 || pad::w != 0) s += ", Pad<" + pair_string(pad::h, pad::w) + ">";
        if (dilation::h != 1 || dilation::w != 1) s += ", Dilation<" + pair_string(dilation::h, dilation::w) + ">";
        if (!has_bias) s += ", NoBias";
        return s + ">";
    }
};

}  // namespace tn
