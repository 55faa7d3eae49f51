// ClassToken: a learned row put before a sequence, [T, D] to [T + 1, D] (BERT's [CLS],
// the Vision Transformer's class token). Every later attention layer lets it gather
// from all positions, and the classifier reads it alone (FirstPosition).
//
// The parameter is torchvision's VisionTransformer.class_token, [1, 1, D], started at
// zero as there: at first it is only what the position table adds at position 0.
// Every sample is taken as full length: the layer is for images, whose sequences have
// no padding (with Pass::lengths it would have to shift each length by one).
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "typenet/core/errors.hpp"
#include "typenet/core/layer.hpp"

namespace tn {

struct ClassToken;

namespace detail {
template <class In, bool Ok>
constexpr auto check_class_token_input() {
    static_assert(NeedsSequence<ClassToken, typename got_of<In>::type, Ok>::ok,
                  "ClassToken: its input must be a sequence [T, D] (rank 2), e.g. after PatchesToSequence");
    return Ok;
}

template <class In>
struct ClassTokenLayer {
    static constexpr bool is_sequence = In::rank == 2;
    using input_rule = decltype(check_class_token_input<In, is_sequence>());
    static constexpr std::size_t T = In::dims[0];
    static constexpr std::size_t D = is_sequence ? In::dims[1] : 1;
    using input_shape = In;
    using output_shape = checked_shape_t<is_sequence, Shape<T + 1, D>>;
    static constexpr std::size_t param_count = D;
    static std::string name() { return "ClassToken"; }

    template <class F>
    static void for_each_param(F&& f) {
        f(std::string("class_token"), std::size_t{0}, std::vector<std::size_t>{1, 1, D});
    }
    static void init(float* params, Rng&) { std::fill_n(params, D, 0.f); }

    static void forward(const Pass& p, const float* params, const float* x, float* y, float*, float*) {
        for (std::size_t b = 0; b < p.batch; ++b) {
            float* out = y + b * (T + 1) * D;
            std::copy_n(params, D, out);
            std::copy_n(x + b * T * D, T * D, out + D);
        }
    }
    // d class_token = the sum over samples of dy's first row; dx = the rest.
    static void backward(const Pass& p, const float*, const float*, const float*, const float* dy, float* dx,
                         float* dparams, const float*, float*) {
        std::fill_n(dparams, D, 0.f);
        for (std::size_t b = 0; b < p.batch; ++b) {
            const float* g = dy + b * (T + 1) * D;
            for (std::size_t k = 0; k < D; ++k) dparams[k] += g[k];
            if (dx) std::copy_n(g + D, T * D, dx + b * T * D);
        }
    }
};
}  // namespace detail

struct ClassToken {
    template <class In>
    using bind = detail::ClassTokenLayer<In>;
};

}  // namespace tn
