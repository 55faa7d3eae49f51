// Tokens<T>: a model whose input is a sequence of at most T integer token ids,
//   Sequential<Tokens<64>, Embedding<65, 128>, LSTM<256>, Dense<65>>
// It is the model's first element, as Input<dims...> is, and also the shape of
// that input (rank 1, T positions, value_type std::int32_t).
//
// Why not Input<Tokens<64>>: Input's arguments are numbers, and a C++ template
// cannot take numbers and a type in one parameter list; a class-valued argument
// would print as Input<TokensOf<64>{}> in every error. Tokens<64> prints as itself.
//
// The public API holds token ids as integers (Dataset::tokens, Model::predict on
// std::int32_t). Inside the model's arena they travel as floats, exact up to 2^24 as
// class labels are, so the layer protocol stays one-typed; only layers that say
// they take token ids (`accepts_tokens`, e.g. Embedding) may be bound to them, and
// any other layer is a named compile error (NeedsEmbedding in core/errors.hpp).
//
// Every sample may be shorter than T: its length travels beside it (Dataset::lengths,
// Pass::lengths), and the positions after it are padding that changes nothing.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "typenet/core/errors.hpp"
#include "typenet/core/input.hpp"

namespace tn {

template <std::size_t T>
struct Tokens;

namespace detail {
template <std::size_t T>
constexpr auto check_token_length() {
    static_assert(ZeroSizedDimension<Tokens<T>, Got<T>, (T > 0)>::ok,
                  "Tokens<T>: a sequence must have room for at least 1 token");
    return T > 0;
}
}  // namespace detail

template <std::size_t T>
struct Tokens : InputTag {
    using shape_rule = decltype(detail::check_token_length<T>());
    // As a shape:
    static constexpr std::size_t rank = 1;
    static constexpr std::size_t size = T;
    static constexpr std::array<std::size_t, 1> dims{T};
    using value_type = std::int32_t;
    static constexpr bool valid = T > 0;
    static constexpr bool tokens = true;
    // As an input spec:
    using shape = checked_shape_t<(T > 0), Tokens>;
};

// Whether a shape is a sequence of token ids.
template <class S>
inline constexpr bool is_token_shape = false;
template <std::size_t T>
inline constexpr bool is_token_shape<Tokens<T>> = true;

template <std::size_t T> struct expected_of<Tokens<T>> { using type = Expected<T>; };
template <std::size_t T> struct got_of<Tokens<T>> { using type = Got<T>; };

}  // namespace tn
