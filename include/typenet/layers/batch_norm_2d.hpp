// BatchNorm2D<Options...>: BatchNorm on images, PyTorch's nn.BatchNorm2d. BatchNorm
// already normalises per channel when its input is [C, H, W] (layers/batch_norm.hpp);
// BatchNorm2D is that same layer, with the same options, parameters and buffers,
// that insists on an image: on any other input it is a compile error with the shape,
// where plain BatchNorm would quietly normalise per feature.
#pragma once
#include <algorithm>
#include <string>
#include <type_traits>

#include "typenet/core/errors.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/layers/batch_norm.hpp"

namespace tn {

namespace detail {

template <class Spec, class In, bool Ok>
constexpr auto check_batch_norm_2d_input() {
    static_assert(RankMismatch<Spec, Rank<3>, typename got_of<In>::type, Ok>::ok,
                  "BatchNorm2D: input must be an image [channels, height, width] (rank 3); "
                  "use BatchNorm for [features] or [time, features]");
    return Ok;
}

// What BatchNorm2D binds to on an input that is not an image: the error, then the
// poison that silences the layers after it.
template <class Spec, class In>
struct BatchNorm2DOnNonImage {
    using rank_rule = decltype(check_batch_norm_2d_input<Spec, In, false>());
    using input_shape = In;
    using output_shape = InvalidShape;
    static std::string name() { return Spec::name(); }
    static void forward(const Pass&, const float*, const float*, float*, float*, float*) {}
    static void backward(const Pass&, const float*, const float*, const float*, const float*, float*, float*,
                         const float*, float*) {}
};

}  // namespace detail

template <class... Options>
struct BatchNorm2D {
    using unknown_option = first_unknown_option_t<detail::is_batch_norm_option, Options...>;
    using out_of_range_option = first_out_of_range_option_t<Options...>;
    static constexpr double momentum = detail::given_or(std::max({-1.0, detail::momentum_in<Options>...}), 0.1);
    static constexpr double epsilon = detail::given_or(std::max({-1.0, detail::epsilon_in<Options>...}), 1e-5);
    template <class In>
    using bind = std::conditional_t<In::rank == 3, detail::BatchNormLayer<BatchNorm2D, In>,
                                    detail::BatchNorm2DOnNonImage<BatchNorm2D, In>>;
    static std::string name() { return "BatchNorm2D"; }
};

}  // namespace tn
