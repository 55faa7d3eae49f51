// Input<dims...>: the first element of a model, naming the shape of one sample.
#pragma once
#include <cstddef>

#include "typenet/core/errors.hpp"
#include "typenet/core/shape.hpp"

namespace tn {

struct InputTag {};

template <std::size_t... Dims>
struct Input;

namespace detail {
// Input's rule (asserted in a function body: see core/errors.hpp for why).
template <bool Nonzero, std::size_t... Dims>
constexpr auto check_input_dims() {
    static_assert(ZeroSizedDimension<Input<Dims...>, Got<Dims...>, Nonzero>::ok,
                  "Input: every dimension must be at least 1");
    return Nonzero;
}
}  // namespace detail

template <std::size_t... Dims>
struct Input : InputTag {
    static constexpr bool nonzero = sizeof...(Dims) > 0 && ((Dims > 0) && ...);
    using shape_rule = decltype(detail::check_input_dims<nonzero, Dims...>());
    using shape = checked_shape_t<nonzero, Shape<Dims...>>;
};

// Anything that can start a model: Input<...>, or Tokens<T> for token ids
// (core/tokens.hpp), which follows the same protocol.
template <class I>
concept InputSpec = std::is_base_of_v<InputTag, I> && requires { typename I::shape; };

}  // namespace tn
