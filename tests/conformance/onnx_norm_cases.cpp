// The conformance table of LayerNorm: ONNX's LayerNormalization cases (see
// onnx_runner.hpp for how a case runs).
//
// ONNX's LayerNormalization (opset 17) normalises over every axis from `axis` to the
// last, jointly: it is defined as flattening X to [prod(dims[:axis]), prod(dims[axis:])]
// and normalising each row. typenet's LayerNorm normalises the last axis of [D] or
// [T, D], row by row, which is the same computation once the axes are grouped so:
//   axis 0       the whole tensor is one row: Input<D>, a batch of 1
//   axis 1       one row per sample: Input<D>, the batch dims[0]
//   axis >= 2    Input<T, D> with T = prod(dims[1:axis]): one row per position
// so io() regroups X and Y (no value moves: row-major order is kept) and the table
// names D (and T). Scale and B are `weight` and `bias` ([D], Scale's shape flattened).
// The node's other outputs (Mean, InvStdDev) are statistics typenet keeps only in its
// cache for backward; the comparison is on Y.
#include <numeric>

#include <typenet/core/sequential.hpp>
#include <typenet/layers/layer_norm.hpp>

#include "conformance/onnx_runner.hpp"

namespace conformance {

namespace detail {
// axis as an index 0 .. rank-1 (negative axes count from the end); -1 when outside.
inline std::int64_t normalised_axis(const onnx::Node& n, std::size_t rank) {
    std::int64_t axis = n.int_or("axis", -1);
    if (axis < 0) axis += std::int64_t(rank);
    return axis >= 0 && axis < std::int64_t(rank) ? axis : -1;
}
inline std::int64_t product(const std::vector<std::int64_t>& d, std::size_t from, std::size_t to) {
    return std::accumulate(d.begin() + std::ptrdiff_t(from), d.begin() + std::ptrdiff_t(to), std::int64_t{1},
                           std::multiplies<>());
}
// X (or Y) regrouped as the table's model reads it (the top of this file).
inline std::vector<std::int64_t> regrouped(const std::vector<std::int64_t>& d, std::int64_t axis) {
    const auto a = std::size_t(axis);
    const std::int64_t D = product(d, a, d.size());
    if (a == 0) return {1, D};
    if (a == 1) return {d[0], D};
    return {d[0], product(d, 1, a), D};
}
}  // namespace detail

template <class... Options>
struct OnnxOp<tn::LayerNorm<Options...>> {
    using Spec = tn::LayerNorm<Options...>;
    static void check(Expect& e) {
        e.op("LayerNormalization");
        e.ignore("axis");  // io() regrouped the axes by it; a wrong D fails the shape check
        e.float_is("epsilon", 1e-5f, Spec::epsilon);
        e.int_is("stash_type", 1, 1);  // statistics in float32, as typenet computes them
        if (detail::normalised_axis(e.node(), e.onnx_rank()) < 0) e.problem("axis outside the input's rank");
    }
    static Io io(const CaseData& c) {
        Io io;
        const onnx::Tensor* x = c.input(0);
        if (!x) return io.problem = "the node has no X", io;
        const std::int64_t axis = detail::normalised_axis(c.node(), x->dims.size());
        if (axis < 0) return io.problem = "axis " + std::to_string(c.node().int_or("axis", -1)) + " outside the rank", io;
        const onnx::Tensor* y = c.output(0);
        if (!y) return io.problem = "the case has no Y", io;
        io.input = *x;
        io.input.dims = detail::regrouped(x->dims, axis);
        io.expected = *y;
        io.expected.dims = detail::regrouped(y->dims, axis);
        return io;
    }
    static void load(const CaseData& c, Loader& l) {
        const onnx::Tensor* scale = c.input(1);
        const onnx::Tensor* bias = c.input(2);
        if constexpr (Spec::affine) {
            if (!scale) return l.problem("the node has no Scale");
            l.set("weight", scale->dims, scale->to_floats());
            if (!bias) return l.problem("the node has no B; typenet's LayerNorm has a bias unless NoAffine");
            l.set("bias", bias->dims, bias->to_floats());
        } else if (scale || bias) {
            l.problem("the node has Scale or B, the layer is NoAffine");
        }
    }
};

using tn::Input, tn::Sequential, tn::LayerNorm, tn::Epsilon;
// The _epsilon cases use epsilon = 0.1 (the epsilon check names any other value).
using Eps = Epsilon<1, 10>;

const CaseEntry norm_table[] = {
    // X [3, 4]
    CASE("test_layer_normalization_2d_axis0", Sequential<Input<12>, LayerNorm<>>),
    CASE("test_layer_normalization_2d_axis1", Sequential<Input<4>, LayerNorm<>>),
    CASE("test_layer_normalization_2d_axis_negative_1", Sequential<Input<4>, LayerNorm<>>),
    CASE("test_layer_normalization_2d_axis_negative_2", Sequential<Input<12>, LayerNorm<>>),
    // X [2, 3, 5]
    CASE("test_layer_normalization_3d_axis0_epsilon", Sequential<Input<30>, LayerNorm<Eps>>),
    CASE("test_layer_normalization_3d_axis1_epsilon", Sequential<Input<15>, LayerNorm<Eps>>),
    CASE("test_layer_normalization_3d_axis2_epsilon", Sequential<Input<3, 5>, LayerNorm<Eps>>),
    CASE("test_layer_normalization_3d_axis_negative_1_epsilon", Sequential<Input<3, 5>, LayerNorm<Eps>>),
    CASE("test_layer_normalization_3d_axis_negative_2_epsilon", Sequential<Input<15>, LayerNorm<Eps>>),
    CASE("test_layer_normalization_3d_axis_negative_3_epsilon", Sequential<Input<30>, LayerNorm<Eps>>),
    // X [2, 3, 4, 5]
    CASE("test_layer_normalization_4d_axis0", Sequential<Input<120>, LayerNorm<>>),
    CASE("test_layer_normalization_4d_axis1", Sequential<Input<60>, LayerNorm<>>),
    CASE("test_layer_normalization_4d_axis2", Sequential<Input<3, 20>, LayerNorm<>>),
    CASE("test_layer_normalization_4d_axis3", Sequential<Input<12, 5>, LayerNorm<>>),
    CASE("test_layer_normalization_4d_axis_negative_1", Sequential<Input<12, 5>, LayerNorm<>>),
    CASE("test_layer_normalization_4d_axis_negative_2", Sequential<Input<3, 20>, LayerNorm<>>),
    CASE("test_layer_normalization_4d_axis_negative_3", Sequential<Input<60>, LayerNorm<>>),
    CASE("test_layer_normalization_4d_axis_negative_4", Sequential<Input<120>, LayerNorm<>>),
    CASE("test_layer_normalization_default_axis", Sequential<Input<12, 5>, LayerNorm<>>),
};

std::span<const CaseEntry> norm_cases() { return norm_table; }
std::span<const SkipEntry> norm_skips() { return {}; }

}  // namespace conformance
