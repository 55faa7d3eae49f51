// Shapes live in the type: every non-batch dimension is a template argument.
// The batch size is the only runtime dimension (design decision 1).
#pragma once
#include <array>
#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

namespace tn {

// A feature shape, e.g. Shape<1, 28, 28> for one grey 28x28 image, Shape<T, D>
// for a sequence of T positions with D features each.
template <std::size_t... Dims>
struct Shape {
    static constexpr std::size_t rank = sizeof...(Dims);
    static constexpr std::size_t size = (std::size_t{1} * ... * Dims);
    static constexpr std::array<std::size_t, rank> dims{Dims...};
    // The element type a layer reads. Token inputs use another shape, Tokens<T>
    // (core/tokens.hpp), whose value_type is std::int32_t.
    using value_type = float;
    static constexpr bool valid = true;
};

// What a layer outputs after its own shape rule failed. Every layer bound to an
// InvalidShape is a silent no-op (see core/poison.hpp), so the compiler reports the
// first broken rule and nothing after it (design decision 3).
struct InvalidShape {
    static constexpr std::size_t rank = 0;
    static constexpr std::size_t size = 1;
    static constexpr std::array<std::size_t, 0> dims{};
    using value_type = float;
    static constexpr bool valid = false;
};

// The shape a layer reports: the real one when its rule holds, else the poison
// that silences every later layer.
template <bool Valid, class Out>
using checked_shape_t = std::conditional_t<Valid, Out, InvalidShape>;

template <class S>
concept ShapeLike = requires {
    { S::rank } -> std::convertible_to<std::size_t>;
    { S::size } -> std::convertible_to<std::size_t>;
    S::dims;
};

template <class A, class B>
inline constexpr bool same_shape = A::dims.size() == B::dims.size() && [] {
    for (std::size_t i = 0; i < A::dims.size(); ++i)
        if (A::dims[i] != B::dims[i]) return false;
    return true;
}();

// Builds Shape<dims...> from a constexpr array, for shape rules that compute dims.
template <auto Array, class Seq = std::make_index_sequence<Array.size()>>
struct shape_from_array;
template <auto Array, std::size_t... I>
struct shape_from_array<Array, std::index_sequence<I...>> {
    using type = Shape<Array[I]...>;
};

// "[1, 28, 28]": how summary() and error messages print a shape.
inline std::string shape_string(std::span<const std::size_t> dims) {
    std::string s = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(dims[i]);
    }
    return s + "]";
}
template <ShapeLike S>
std::string shape_string() {
    if constexpr (!S::valid) return "<invalid>";
    else return shape_string(std::span<const std::size_t>(S::dims.data(), S::rank));
}

}  // namespace tn
