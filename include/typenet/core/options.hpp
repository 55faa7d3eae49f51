// Layer options: Dense<256, Init<He>, L2<1, 10000>>, BatchNorm<Epsilon<1, 1000>>.
// A layer lists the options it knows; any other is a compile error that names the
// layer and the stray option, since a silently ignored option (Dense<10, ReLU>, a
// Keras habit) would train a different network than the one written.
//
// The checks follow core/errors.hpp: a named template carries the culprit into the
// compiler's note, and the assertion sits in a function body.
#pragma once
#include <type_traits>

namespace tn {

// "Layer was given Option, which it does not take."
template <class Layer, class Option, bool Ok = false>
struct UnknownOption {
    static constexpr bool ok = Ok;
};
// "A numeric parameter of Layer (a rate, an epsilon) is outside what it accepts."
template <class Layer, bool Ok = false>
struct InvalidParameter {
    static constexpr bool ok = Ok;
};

// "Option, given to Layer, holds a value outside its range" (L2<1, 0>, Epsilon<0, 1>).
template <class Layer, class Option, bool Ok = false>
struct OptionOutOfRange {
    static constexpr bool ok = Ok;
};
// Whether an option's values are in range: true unless the option's header says
// otherwise. Options assert nothing themselves (core/errors.hpp says why); the
// layer that takes them does.
template <class Option>
inline constexpr bool option_in_range = true;
template <class... Options>
struct first_out_of_range_option {
    using type = void;
};
template <class First, class... Rest>
struct first_out_of_range_option<First, Rest...>
    : std::conditional_t<option_in_range<First>, first_out_of_range_option<Rest...>, std::type_identity<First>> {};
template <class... Options>
using first_out_of_range_option_t = typename first_out_of_range_option<Options...>::type;

// The first of Options for which Known<Option>::value is false; void when all are known.
template <template <class> class Known, class... Options>
struct first_unknown_option {
    using type = void;
};
template <template <class> class Known, class First, class... Rest>
struct first_unknown_option<Known, First, Rest...>
    : std::conditional_t<Known<First>::value, first_unknown_option<Known, Rest...>, std::type_identity<First>> {};

template <template <class> class Known, class... Options>
using first_unknown_option_t = typename first_unknown_option<Known, Options...>::type;

}  // namespace tn
