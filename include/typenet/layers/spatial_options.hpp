// Options of the layers that slide a window over an image (Conv2D, MaxPool, AvgPool):
//   Kernel<k> / Kernel<kh, kw>      the window (Conv2D requires one)
//   Stride<s> / Stride<sh, sw>      its step (Conv2D default 1, pools default the window)
//   Pad<p> / Pad<ph, pw>            zeros (Conv2D) or ignored positions (pools) around the input
//   Same, Valid                     Conv2D only: pad so the output keeps the input's size
//                                   (stride 1, odd kernel), or no padding (the default)
//   Dilation<d> / Dilation<dh, dw>  Conv2D only: gaps between the kernel's taps
//   InChannels<C>                   Conv2D only: the input channels the layer expects,
//                                   checked against the input (pretrained weights)
// Every one-argument form means the same value for height and width, so Kernel<5>
// is Kernel<5, 5> and compiler messages always show both.
#pragma once
#include <cstddef>
#include <string>
#include <type_traits>

namespace tn {

template <std::size_t H, std::size_t W = H>
struct Kernel {
    static constexpr std::size_t h = H, w = W;
};
template <std::size_t H, std::size_t W = H>
struct Stride {
    static constexpr std::size_t h = H, w = W;
};
template <std::size_t H, std::size_t W = H>
struct Pad {
    static constexpr std::size_t h = H, w = W;
};
template <std::size_t H, std::size_t W = H>
struct Dilation {
    static constexpr std::size_t h = H, w = W;
};
struct Same {};
struct Valid {};
template <std::size_t C>
struct InChannels {
    static constexpr std::size_t value = C;
};

namespace detail {

// Whether Option is an instance of the two-number option template T (Kernel, Stride, ...).
template <template <std::size_t, std::size_t> class T, class Option>
inline constexpr bool is_pair_option = false;
template <template <std::size_t, std::size_t> class T, std::size_t H, std::size_t W>
inline constexpr bool is_pair_option<T, T<H, W>> = true;

// The first option that is an instance of T, or Default.
template <template <std::size_t, std::size_t> class T, class Default, class... Options>
struct find_pair_option {
    using type = Default;
};
template <template <std::size_t, std::size_t> class T, class Default, class First, class... Rest>
struct find_pair_option<T, Default, First, Rest...>
    : std::conditional_t<is_pair_option<T, First>, std::type_identity<First>,
                         find_pair_option<T, Default, Rest...>> {};
template <template <std::size_t, std::size_t> class T, class Default, class... Options>
using pair_option_t = typename find_pair_option<T, Default, Options...>::type;

template <class Option> inline constexpr bool is_in_channels_option = false;
template <std::size_t C> inline constexpr bool is_in_channels_option<InChannels<C>> = true;
// InChannels<C>'s C, or 0 when none is given.
template <class Option> inline constexpr std::size_t in_channels_in = 0;
template <std::size_t C> inline constexpr std::size_t in_channels_in<InChannels<C>> = C;

// "5" or "5, 3": how names print a pair (one number when both agree).
inline std::string pair_string(std::size_t h, std::size_t w) {
    return h == w ? std::to_string(h) : std::to_string(h) + ", " + std::to_string(w);
}

// Dimension I of a shape, or `fallback` when the shape has no such axis: shape rules
// compute with it before they know the rank is right (and a failed rule must not
// become a second error by indexing past the end).
template <class In>
constexpr std::size_t dim_or(std::size_t i, std::size_t fallback) {
    if constexpr (In::rank == 0) return fallback;
    else return i < In::rank ? In::dims[i] : fallback;
}

}  // namespace detail
}  // namespace tn
