// FirstPosition: a sequence [T, D] to its first row [D]: what a classifier reads after
// a ClassToken has gathered the sequence through the attention layers (torchvision's
// ViT: x[:, 0]; BERT's pooler reads [CLS] the same way). The other rows get no
// gradient.
#pragma once
#include <algorithm>
#include <string>

#include "typenet/core/errors.hpp"
#include "typenet/core/layer.hpp"

namespace tn {

struct FirstPosition;

namespace detail {
template <class In, bool Ok>
constexpr auto check_first_position_input() {
    static_assert(NeedsSequence<FirstPosition, typename got_of<In>::type, Ok>::ok,
                  "FirstPosition: its input must be a sequence [T, D] (rank 2)");
    return Ok;
}

template <class In>
struct FirstPositionLayer {
    static constexpr bool is_sequence = In::rank == 2;
    using input_rule = decltype(check_first_position_input<In, is_sequence>());
    static constexpr std::size_t T = In::dims[0];
    static constexpr std::size_t D = is_sequence ? In::dims[1] : 1;
    using input_shape = In;
    using output_shape = checked_shape_t<is_sequence, Shape<D>>;
    static std::string name() { return "FirstPosition"; }

    static void forward(const Pass& p, const float*, const float* x, float* y, float*, float*) {
        for (std::size_t b = 0; b < p.batch; ++b) std::copy_n(x + b * T * D, D, y + b * D);
    }
    static void backward(const Pass& p, const float*, const float*, const float*, const float* dy, float* dx, float*,
                         const float*, float*) {
        if (!dx) return;
        for (std::size_t b = 0; b < p.batch; ++b) {
            std::copy_n(dy + b * D, D, dx + b * T * D);
            std::fill_n(dx + b * T * D + D, (T - 1) * D, 0.f);
        }
    }
};
}  // namespace detail

struct FirstPosition {
    template <class In>
    using bind = detail::FirstPositionLayer<In>;
};

}  // namespace tn
