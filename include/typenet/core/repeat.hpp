// Repeat<N, Layers...>: N copies of the block Sequential<Layers...>, each with its
// own parameters (a Transformer's stack of identical blocks).
#pragma once
#include <string>

#include "typenet/core/sequential.hpp"
#include "typenet/core/type_list.hpp"

namespace tn {

namespace detail {
template <class In, class List> struct chain_of_list;
template <class In, class... Specs>
struct chain_of_list<In, type_list<Specs...>> {
    using type = chain_of<In, Specs...>;
};

template <class In, std::size_t N, class... Layers>
struct RepeatBound : chain_of_list<In, typename replicate<N, Sequential<Layers...>>::type>::type {
    using inner = typename chain_of_list<In, typename replicate<N, Sequential<Layers...>>::type>::type;
    static std::string name() { return "Repeat<" + std::to_string(N) + ">"; }
    static void summarize(std::vector<SummaryRow>& rows, int depth) {
        rows.push_back({depth, name(), shape_string<typename inner::output_shape>(), inner::param_count});
        inner::summarize_children(rows, depth + 1);
    }
};
}  // namespace detail

template <std::size_t N, class... Layers>
struct Repeat {
    static_assert(N > 0, "Repeat<N, ...>: N must be at least 1");
    template <class In>
    using bind = detail::RepeatBound<In, N, Layers...>;
};

}  // namespace tn
