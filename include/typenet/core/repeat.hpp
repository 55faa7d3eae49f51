// Repeat<N, Layers...>: N copies of the block Sequential<Layers...>, each with its
// own parameters (a Transformer's stack of identical blocks). Copy i + 1 is given
// copy i's output, so with two copies or more the block must return the shape it
// was given; then every copy is the same bound type.
#pragma once
#include <string>
#include <type_traits>
#include <utility>

#include "typenet/core/errors.hpp"
#include "typenet/core/sequential.hpp"
#include "typenet/core/type_list.hpp"

namespace tn {

template <std::size_t N, class... Layers>
struct Repeat;

namespace detail {
template <class Memory, class In, class List> struct chain_of_list;
template <class Memory, class In, class... Specs>
struct chain_of_list<Memory, In, type_list<Specs...>> {
    using type = chain_for_t<Memory, In, Specs...>;
};

// Repeat's rules, in the order they are judged (asserted in function bodies: see
// core/errors.hpp for why). The contract is judged on copy 1 alone, before any other
// copy is bound: a block that changes the shape is Repeat's error, not one of a
// layer deep inside copy 2. Each rule holds (`Ok`) when an earlier one failed.
template <class Spec, bool Ok>
constexpr auto check_repeat_depth() {
    static_assert(ZeroSizedLayer<Spec, Ok>::ok, "Repeat<N, ...>: N, the number of copies, must be at least 1");
    return Ok;
}
template <class Spec, class In, class CopyOut, bool Ok>
constexpr auto check_repeat_keeps_shape() {
    static_assert(RepeatChangesShape<Spec, Copy<1>, typename got_of<CopyOut>::type, Copy<2>,
                                     typename expected_of<In>::type, Ok>::ok,
                  "Repeat: copy 1 of the block outputs Got<...>, but copy 2 needs the shape the block was given, "
                  "Expected<...>; a repeated block must return the shape it was given");
    return Ok;
}

// How Repeat<N, Layers...> binds to In. Only copy 1 is bound until the contract is
// known to hold; a Repeat that breaks it reports InvalidShape, so the layers after it
// stay silent.
// (Each choice below is made before its chain is named: naming a chain binds its layers.)
// Memory: the decoder's memory shape inside a decoder (each copy is given it, and in
// backward every copy adds its part of the memory's gradient), NoMemory elsewhere.
template <bool DepthOk, class Memory, class In, class Block>
struct repeat_first {
    using type = chain_of<In>;  // Repeat<0, ...>: nothing is bound
};
template <class Memory, class In, class Block>
struct repeat_first<true, Memory, In, Block> {
    using type = chain_for_t<Memory, In, Block>;
};
template <bool ContractOk, class Plan, std::size_t N, class Block>
struct repeat_copies {
    using type = typename Plan::first;  // the contract failed: copy 1 alone, never run
};
template <class Plan, std::size_t N, class Block>
struct repeat_copies<true, Plan, N, Block> {
    using type = typename chain_of_list<typename Plan::memory, typename Plan::input,
                                        typename replicate<N, Block>::type>::type;
};

template <class In, class Memory, std::size_t N, class... Layers>
struct repeat_plan {
    using input = In;
    using memory = Memory;
    using block = Sequential<Layers...>;
    static constexpr bool depth_ok = N > 0;
    using first = typename repeat_first<depth_ok, Memory, In, block>::type;
    using first_out = typename first::output_shape;
    static constexpr bool contract_ok = depth_ok && first_out::valid && (N == 1 || same_shape<In, first_out>);
    using depth_rule = decltype(check_repeat_depth<Repeat<N, Layers...>, depth_ok>());
    using shape_rule = decltype(check_repeat_keeps_shape<Repeat<N, Layers...>, In, first_out,
                                                         contract_ok || !depth_ok || !first_out::valid>());
};

template <class In, class Memory, std::size_t N, class... Layers>
using repeat_chain_t = typename repeat_copies<repeat_plan<In, Memory, N, Layers...>::contract_ok,
                                              repeat_plan<In, Memory, N, Layers...>, N, Sequential<Layers...>>::type;

template <class In, class Memory, std::size_t N, class... Layers>
struct RepeatBound : repeat_chain_t<In, Memory, N, Layers...> {
    using plan = repeat_plan<In, Memory, N, Layers...>;
    using inner = repeat_chain_t<In, Memory, N, Layers...>;
    using depth_rule = typename plan::depth_rule;
    using shape_rule = typename plan::shape_rule;
    using output_shape = checked_shape_t<plan::contract_ok, typename inner::output_shape>;
    static constexpr bool valid = In::valid && output_shape::valid;

    static std::string name() { return "Repeat<" + std::to_string(N) + ">"; }
    static void summarize(std::vector<SummaryRow>& rows, int depth) {
        rows.push_back({depth, name(), shape_string<output_shape>(), inner::param_count});
        inner::summarize_children(rows, depth + 1);
    }

    // Named as the nn.Sequential of copies a PyTorch user would write: copy i is
    // "i", and a copy of a one-layer block is that layer itself (Repeat<3, Block> is
    // nn.Sequential(*[Block() for _ in range(3)]): "i.0.weight" for Block's first
    // layer), while a copy of several layers is their own nn.Sequential
    // (Repeat<3, Dense<8>, ReLU>: "i.0.weight"). Legacy names keep every level.
    template <class F>
    static void for_each_param(F&& f) {
        if constexpr (sizeof...(Layers) == 1 && !legacy_names_v<F>)
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                (for_each_param_of<copy_layer<I>>(ChildNames<std::remove_reference_t<F>>{&f, I, inner::param_offsets[I]}),
                 ...);
            }(std::make_index_sequence<inner::count>{});
        else
            inner::for_each_param(f);
    }
    template <class F>
    static void for_each_buffer(F&& f) {
        if constexpr (sizeof...(Layers) == 1 && !legacy_names_v<F>)
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                (for_each_buffer_of<copy_layer<I>>(ChildNames<std::remove_reference_t<F>>{&f, I, inner::buffer_offsets[I]}),
                 ...);
            }(std::make_index_sequence<inner::count>{});
        else
            inner::for_each_buffer(f);
    }

private:
    // The one layer of copy I (its tensors start where the copy's do).
    template <std::size_t I>
    using copy_layer = at_t<0, typename at_t<I, typename inner::layers>::layers>;
};
}  // namespace detail

template <std::size_t N, class... Layers>
struct Repeat {
    template <class In>
    using bind = detail::RepeatBound<In, NoMemory, N, Layers...>;
    template <class In, class Memory>
    using bind_with_memory = detail::RepeatBound<In, Memory, N, Layers...>;
    static constexpr bool reads_memory = (reads_memory_of<Layers>() || ...);
};

}  // namespace tn
