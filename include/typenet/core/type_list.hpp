// The few type-list tools the shape path needs. Kept to plain recursion over a
// flat pack: each step instantiates one new type, so a chain of N layers costs
// O(N) instantiations (design decision 4: no tuple_cat per step, no Hana here).
#pragma once
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

namespace tn {

template <class... T>
struct type_list {
    static constexpr std::size_t size = sizeof...(T);
};

template <class T, class List> struct prepend;
template <class T, class... Ts>
struct prepend<T, type_list<Ts...>> {
    using type = type_list<T, Ts...>;
};

template <std::size_t I, class List> struct at;
template <std::size_t I, class... Ts>
struct at<I, type_list<Ts...>> {
    using type = std::tuple_element_t<I, std::tuple<Ts...>>;
};
template <std::size_t I, class List>
using at_t = typename at<I, List>::type;

// N copies of T, used by Repeat<N, ...>. Built by doubling: O(log N) depth.
template <std::size_t N, class T, class = std::make_index_sequence<N>>
struct replicate;
template <std::size_t N, class T, std::size_t... I>
struct replicate<N, T, std::index_sequence<I...>> {
    template <std::size_t> using same = T;
    using type = type_list<same<I>...>;
};

}  // namespace tn
