// Named compile errors. A shape rule is written as
//     static_assert(ShapeMismatch<Dense<120>, Expected<400>, Got<256>>::ok,
//                   "Dense: input features do not match");
// so that both g++ and clang print the template with its numbers in the note
// ("'tn::ShapeMismatch<tn::Dense<120>, tn::Expected<400>, tn::Got<256> >::ok'
// evaluates to false"). The check templates are false only in the failing case,
// so the numbers a learner sees are the real ones (design decision 3).
#pragma once
#include <cstddef>

#include "typenet/core/shape.hpp"

namespace tn {

template <std::size_t... Dims> struct Expected {};
template <std::size_t... Dims> struct Got {};
template <std::size_t... Dims> struct Window {};
template <std::size_t... Dims> struct Rank {};

namespace error {
// `Ok` carries whether the rule holds; the other arguments only exist to be printed.
template <bool Ok, class Layer, class... Numbers>
struct Check {
    static constexpr bool ok = Ok;
};
}  // namespace error

// One name per kind of rule: the name is what the learner reads first.
template <class Layer, class Expect, class GotShape, bool Ok = false>
struct ShapeMismatch : error::Check<Ok, Layer, Expect, GotShape> {};
template <class Layer, class Expect, class GotShape, bool Ok = false>
struct RankMismatch : error::Check<Ok, Layer, Expect, GotShape> {};
template <class Layer, class GotShape, bool Ok = false>
struct NeedsFlatInput : error::Check<Ok, Layer, GotShape> {};
template <class Layer, class GotShape, bool Ok = false>
struct ZeroSizedDimension : error::Check<Ok, Layer, GotShape> {};
template <class Layer, bool Ok = false>
struct MissingInput : error::Check<Ok, Layer> {};

// Expected<...> / Got<...> spelled from a Shape, for the messages.
template <class S> struct expected_of;
template <std::size_t... D> struct expected_of<Shape<D...>> { using type = Expected<D...>; };
template <> struct expected_of<InvalidShape> { using type = Expected<>; };
template <class S> struct got_of;
template <std::size_t... D> struct got_of<Shape<D...>> { using type = Got<D...>; };
template <> struct got_of<InvalidShape> { using type = Got<>; };

}  // namespace tn
