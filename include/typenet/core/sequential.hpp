// Sequential<Input<...>, Layers...>: a model. Sequential<Layers...> without an
// Input: a block, bound to whatever shape reaches it (e.g. inside Residual).
#pragma once
#include <string>

#include "typenet/core/chain.hpp"
#include "typenet/core/input.hpp"

namespace tn {

namespace detail {
template <class In, class... Specs>
struct SequentialBound : chain_of<In, Specs...> {
    static std::string name() { return "Sequential"; }
    static void summarize(std::vector<SummaryRow>& rows, int depth) {
        rows.push_back({depth, name(), shape_string<typename SequentialBound::output_shape>(),
                        SequentialBound::param_count});
        SequentialBound::summarize_children(rows, depth + 1);
    }
};
}  // namespace detail

template <class... Layers>
struct Sequential {
    template <class In>
    using bind = detail::SequentialBound<In, Layers...>;
    static constexpr bool rooted = false;
};

template <InputSpec I, class... Layers>
struct Sequential<I, Layers...> : detail::SequentialBound<typename I::shape, Layers...> {
    static constexpr bool rooted = true;
};

}  // namespace tn
