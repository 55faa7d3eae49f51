// The conformance table of the convolution and pooling layers: Conv, MaxPool,
// AveragePool and GlobalAveragePool cases (see onnx_runner.hpp for how a case runs).
// Compiled to nothing until typenet/layers/conv2d.hpp exists; the runner then lists
// these operators' cases as "layer not built yet".
//
// Written before the layers were merged, against their announced API:
//   Conv2D<Filters, Kernel<kh, kw>, Stride<sh, sw>, Pad<ph, pw> | Same | Valid, Dilation<d>, NoBias>
//   MaxPool<k, stride>, AvgPool<k, stride>, GlobalAvgPool
// The table spells every option with both values (Kernel<3, 3>, not Kernel<3>) so that
// the option traits below match whether those templates take one value with a
// default for the second or a pack. If a layer's declaration differs, the
// OnnxOp specialisations below are the place to adjust.
#if __has_include(<typenet/layers/conv2d.hpp>)

#include <array>

#include <typenet/layers/conv2d.hpp>
#include <typenet/typenet.hpp>  // the pooling layers, wherever they live

#include "conformance/onnx_runner.hpp"

namespace conformance {

namespace detail {

using Pair = std::array<std::int64_t, 2>;
constexpr Pair unset{-1, -1};

// Each option's value, `unset` for an option of another kind.
template <class O> constexpr Pair kernel_of = unset;
template <std::size_t H, std::size_t W> constexpr Pair kernel_of<tn::Kernel<H, W>> = {H, W};
template <class O> constexpr Pair stride_of = unset;
template <std::size_t H, std::size_t W> constexpr Pair stride_of<tn::Stride<H, W>> = {H, W};
template <class O> constexpr Pair pad_of = unset;
template <std::size_t H, std::size_t W> constexpr Pair pad_of<tn::Pad<H, W>> = {H, W};
template <class O> constexpr Pair dilation_of = unset;
template <std::size_t D> constexpr Pair dilation_of<tn::Dilation<D>> = {D, D};

// The option given among `values` (one per option), or `fallback`.
template <std::size_t N>
constexpr Pair given(std::array<Pair, N> values, Pair fallback) {
    for (const auto& v : values)
        if (v != unset) return v;
    return fallback;
}

// ONNX's padding as [top, left, bottom, right] for this input: explicit `pads`, or
// what auto_pad computes (SAME_UPPER puts the odd pixel at the end, SAME_LOWER at the
// beginning), or none.
inline std::array<std::int64_t, 4> effective_pads(const Expect& e, Pair kernel, Pair stride, Pair dilation) {
    const auto& dims = e.input_dims();
    const std::string auto_pad = e.node().string_or("auto_pad", "NOTSET");
    if (auto_pad == "NOTSET") {
        const auto p = e.node().ints_or("pads", {0, 0, 0, 0});
        if (p.size() != 4) return {-1, -1, -1, -1};
        return {p[0], p[1], p[2], p[3]};
    }
    if (auto_pad == "VALID") return {0, 0, 0, 0};
    std::array<std::int64_t, 4> p{};
    for (std::size_t a = 0; a < 2; ++a) {
        const std::int64_t in = dims[dims.size() - 2 + a];
        const std::int64_t out = (in + stride[a] - 1) / stride[a];
        const std::int64_t total = std::max<std::int64_t>((out - 1) * stride[a] + (kernel[a] - 1) * dilation[a] + 1 - in, 0);
        const std::int64_t small = total / 2, large = total - small;
        p[a] = auto_pad == "SAME_UPPER" ? small : large;
        p[a + 2] = auto_pad == "SAME_UPPER" ? large : small;
    }
    return p;
}

// The window attributes common to Conv and the pools, checked against the type.
inline void check_window(Expect& e, Pair kernel, Pair stride, Pair dilation, Pair pad) {
    if (e.onnx_rank() != 4) e.problem("a " + std::to_string(e.onnx_rank()) + "-D input; the layer is 2-D, [N, C, H, W]");
    e.ints_are("kernel_shape", {kernel[0], kernel[1]}, {kernel[0], kernel[1]});
    e.ints_are("strides", {1, 1}, {stride[0], stride[1]});
    e.ints_are("dilations", {1, 1}, {dilation[0], dilation[1]});
    e.ignore("pads");
    e.ignore("auto_pad");
    const std::string auto_pad = e.node().string_or("auto_pad", "NOTSET");
    if (auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER")
        return e.problem("auto_pad = \"" + auto_pad + "\", not one ONNX defines");
    if (auto_pad == "NOTSET" && e.node().ints_or("pads", {0, 0, 0, 0}).size() != 4)
        return e.problem("pads has " + std::to_string(e.node().ints_or("pads", {}).size()) + " values, not 4");
    const auto p = effective_pads(e, kernel, stride, dilation);
    if (p[0] != p[2] || p[1] != p[3])
        return e.problem("asymmetric pads [top " + std::to_string(p[0]) + ", left " + std::to_string(p[1]) +
                         ", bottom " + std::to_string(p[2]) + ", right " + std::to_string(p[3]) +
                         "]; typenet pads both sides of an axis alike");
    if (p[0] != pad[0] || p[1] != pad[1])
        e.problem("padding (" + std::to_string(p[0]) + ", " + std::to_string(p[1]) + "), the layer's is (" +
                  std::to_string(pad[0]) + ", " + std::to_string(pad[1]) + ")");
}

}  // namespace detail

template <std::size_t F, class... Options>
struct OnnxOp<tn::Conv2D<F, Options...>> {
    static constexpr detail::Pair kernel = detail::given<sizeof...(Options)>({detail::kernel_of<Options>...}, detail::unset);
    static constexpr detail::Pair stride = detail::given<sizeof...(Options)>({detail::stride_of<Options>...}, {1, 1});
    static constexpr detail::Pair dilation =
        detail::given<sizeof...(Options)>({detail::dilation_of<Options>...}, {1, 1});
    static constexpr bool same = (std::is_same_v<Options, tn::Same> || ...);
    // Same keeps the size at stride 1: (k - 1) d / 2 on each side (odd kernels).
    static constexpr detail::Pair pad =
        same ? detail::Pair{(kernel[0] - 1) * dilation[0] / 2, (kernel[1] - 1) * dilation[1] / 2}
             : detail::given<sizeof...(Options)>({detail::pad_of<Options>...}, {0, 0});
    static constexpr bool has_bias = !(std::is_same_v<Options, tn::NoBias> || ...);

    static void check(Expect& e) {
        e.op("Conv");
        e.int_is("group", 1, 1);
        detail::check_window(e, kernel, stride, dilation, pad);
    }
    static void load(const CaseData& c, Loader& l) {
        const onnx::Tensor* w = c.input(1);
        if (!w) return l.problem("the node has no W");
        l.set_exact("weight", *w);  // [F, C, kh, kw] in both
        const onnx::Tensor* b = c.input(2);
        if (has_bias && !b) return l.problem("the node has no B; a Conv2D without bias is Conv2D<F, ..., NoBias>");
        if (!has_bias && b) return l.problem("the node has a B, the layer has NoBias");
        if (b) l.set_exact("bias", *b);
    }
};

// MaxPool and AveragePool: symmetric Pad<p> (or none), no dilation, floor rounding.
// Padding never wins a max and is left out of an average's count (count_include_pad=0).
template <class... Options>
inline constexpr detail::Pair pool_pad = detail::given<sizeof...(Options)>({detail::pad_of<Options>...}, {0, 0});

template <std::size_t K, std::size_t S, class... Options>
struct OnnxOp<tn::MaxPool<K, S, Options...>> : NoWeights {
    static void check(Expect& e) {
        e.op("MaxPool");
        e.int_is("ceil_mode", 0, 0);
        e.int_is("storage_order", 0, 0);  // the layout of the Indices output, which a layer does not give
        detail::check_window(e, {K, K}, {S, S}, {1, 1}, pool_pad<Options...>);
    }
};
template <std::size_t K, std::size_t S, class... Options>
struct OnnxOp<tn::AvgPool<K, S, Options...>> : NoWeights {
    static void check(Expect& e) {
        e.op("AveragePool");
        e.int_is("ceil_mode", 0, 0);
        if constexpr (pool_pad<Options...>[0] + pool_pad<Options...>[1] > 0)
            e.int_is("count_include_pad", 0, 0);  // typenet averages over the real values only
        else
            e.ignore("count_include_pad");  // no padding: nothing to count
        detail::check_window(e, {K, K}, {S, S}, {1, 1}, pool_pad<Options...>);
    }
};
template <>
struct OnnxOp<tn::GlobalAvgPool> : NoWeights {
    static void check(Expect& e) {
        e.op("GlobalAveragePool");
        if (e.onnx_rank() != 4) e.problem("a " + std::to_string(e.onnx_rank()) + "-D input; the layer takes [N, C, H, W]");
    }
};

using tn::Input, tn::Sequential, tn::Conv2D, tn::Kernel, tn::Stride, tn::Pad, tn::NoBias;

const CaseEntry cnn_table[] = {
    CASE("test_basic_conv_with_padding", Sequential<Input<1, 5, 5>, Conv2D<1, Kernel<3, 3>, Pad<1, 1>, NoBias>>),
    CASE("test_basic_conv_without_padding", Sequential<Input<1, 5, 5>, Conv2D<1, Kernel<3, 3>, NoBias>>),
    CASE("test_conv_with_strides_padding",
         Sequential<Input<1, 7, 5>, Conv2D<1, Kernel<3, 3>, Stride<2, 2>, Pad<1, 1>, NoBias>>),
    CASE("test_conv_with_strides_no_padding", Sequential<Input<1, 7, 5>, Conv2D<1, Kernel<3, 3>, Stride<2, 2>, NoBias>>),
    // pads [1, 0, 1, 0] are [top, left, bottom, right]: 1 above and below, none at the sides.
    CASE("test_conv_with_strides_and_asymmetric_padding",
         Sequential<Input<1, 7, 5>, Conv2D<1, Kernel<3, 3>, Stride<2, 2>, Pad<1, 0>, NoBias>>),
    // SAME_LOWER, 3x3, stride 2 on 5x5: 2 pixels of padding per axis, one on each side.
    CASE("test_conv_with_autopad_same", Sequential<Input<1, 5, 5>, Conv2D<1, Kernel<3, 3>, Stride<2, 2>, Pad<1, 1>, NoBias>>),
    CASE("test_maxpool_2d_default", Sequential<Input<3, 32, 32>, tn::MaxPool<2, 1>>),
    CASE("test_maxpool_2d_strides", Sequential<Input<3, 32, 32>, tn::MaxPool<5, 3>>),
    CASE("test_maxpool_2d_precomputed_strides", Sequential<Input<1, 5, 5>, tn::MaxPool<2, 2>>),
    CASE("test_maxpool_2d_precomputed_pads", Sequential<Input<1, 5, 5>, tn::MaxPool<5, 1, Pad<2>>>),
    CASE("test_maxpool_2d_precomputed_same_upper", Sequential<Input<1, 5, 5>, tn::MaxPool<3, 2, Pad<1>>>),
    CASE("test_averagepool_2d_default", Sequential<Input<3, 32, 32>, tn::AvgPool<2, 1>>),
    CASE("test_averagepool_2d_strides", Sequential<Input<3, 32, 32>, tn::AvgPool<5, 3>>),
    CASE("test_averagepool_2d_precomputed_strides", Sequential<Input<1, 5, 5>, tn::AvgPool<2, 2>>),
    CASE("test_averagepool_2d_precomputed_pads", Sequential<Input<1, 5, 5>, tn::AvgPool<5, 1, Pad<2>>>),
    CASE("test_averagepool_2d_precomputed_same_upper", Sequential<Input<1, 5, 5>, tn::AvgPool<3, 2, Pad<1>>>),
    CASE("test_globalaveragepool", Sequential<Input<3, 5, 5>, tn::GlobalAvgPool>),
    CASE("test_globalaveragepool_precomputed", Sequential<Input<1, 3, 3>, tn::GlobalAvgPool>),
};

const SkipEntry cnn_skip_table[] = {
    SKIP("test_maxpool_1d_default", "a 1-D pool on [N, C, L]; MaxPool is 2-D"),
    SKIP("test_maxpool_3d_default", "a 3-D pool on [N, C, D, H, W]; MaxPool is 2-D"),
    SKIP("test_maxpool_2d_ceil", "ceil_mode=1 not supported (typenet rounds the output size down)"),
    SKIP("test_maxpool_2d_dilations", "dilations=[2, 2]: MaxPool has no dilation"),
    SKIP("test_maxpool_2d_pads", "pads=2 with a 3x3 window: more than half the window (PyTorch's limit, and typenet's)"),
    SKIP("test_maxpool_2d_same_upper", "SAME_UPPER with a 2x2 window: asymmetric pads (0 before, 1 after)"),
    SKIP("test_maxpool_2d_same_lower", "SAME_LOWER with a 2x2 window: asymmetric pads (1 before, 0 after)"),
    SKIP("test_maxpool_2d_uint8", "UINT8 data; typenet computes FLOAT"),
    SKIP("test_maxpool_with_argmax_2d_precomputed_pads", "a second output (Indices), and pads; a layer gives one output"),
    SKIP("test_maxpool_with_argmax_2d_precomputed_strides", "a second output (Indices); a layer gives one output"),
    SKIP("test_averagepool_1d_default", "a 1-D pool on [N, C, L]; AvgPool is 2-D"),
    SKIP("test_averagepool_3d_default", "a 3-D pool on [N, C, D, H, W]; AvgPool is 2-D"),
    SKIP("test_averagepool_2d_ceil", "ceil_mode=1 not supported (typenet rounds the output size down)"),
    SKIP("test_averagepool_2d_pads", "pads=2 with a 3x3 window: more than half the window (PyTorch's limit, and typenet's)"),
    SKIP("test_averagepool_2d_pads_count_include_pad",
         "count_include_pad=1: AvgPool leaves padding out of the count (PyTorch's count_include_pad=False)"),
    SKIP("test_averagepool_2d_precomputed_pads_count_include_pad",
         "count_include_pad=1: AvgPool leaves padding out of the count (PyTorch's count_include_pad=False)"),
    SKIP("test_averagepool_2d_same_upper", "SAME_UPPER with a 2x2 window: asymmetric pads (0 before, 1 after)"),
    SKIP("test_averagepool_2d_same_lower", "SAME_LOWER with a 2x2 window: asymmetric pads (1 before, 0 after)"),
};

std::span<const CaseEntry> cnn_cases() { return cnn_table; }
std::span<const SkipEntry> cnn_skips() { return cnn_skip_table; }

}  // namespace conformance

#else
namespace conformance {}  // a translation unit may not be empty (-Wpedantic)
#endif  // __has_include(<typenet/layers/conv2d.hpp>)
