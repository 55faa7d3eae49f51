// The shape rules that every attention layer shares (self- and cross-attention),
// named so that a learner reads the numbers first (core/errors.hpp explains the form).
#pragma once
#include <cstddef>

namespace tn {

template <std::size_t N> struct HeadCount {};
template <std::size_t N> struct ModelWidth {};

// MultiHeadAttention<Heads> splits the model width D into Heads slices of D / Heads.
template <class Layer, class HeadsGiven, class WidthGiven, bool Ok = false>
struct HeadsDoNotDivideWidth {
    static constexpr bool ok = Ok;
};

}  // namespace tn
