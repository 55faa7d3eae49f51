// Sequential<Input<...>, Layers...>: a model. Sequential<Layers...> without an
// Input: a block, bound to whatever shape reaches it (e.g. inside Residual).
// A model is a block too (as a Keras model is a layer): inside another network it
// must be given the shape its Input declares, and is then the same as its layers
// written without the Input.
#pragma once
#include <string>
#include <type_traits>

#include "typenet/core/chain.hpp"
#include "typenet/core/errors.hpp"
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
// A block bound inside a decoder (core/encoder_decoder.hpp): its layers that read
// memory are given the memory's shape.
template <class In, class Memory, class... Specs>
struct SequentialBoundWithMemory : chain_with_memory_of<In, Memory, Specs...> {
    static std::string name() { return "Sequential"; }
    static void summarize(std::vector<SummaryRow>& rows, int depth) {
        rows.push_back({depth, name(), shape_string<typename SequentialBoundWithMemory::output_shape>(),
                        SequentialBoundWithMemory::param_count});
        SequentialBoundWithMemory::summarize_children(rows, depth + 1);
    }
};
// A network with its own Input whose layers read memory is a decoder: it is bound
// only by the EncoderDecoder it is given to (with the memory's shape). On its own it
// binds nothing, so that naming the type (and C++'s argument-dependent lookup, which
// completes the template arguments of a call's arguments) raises no error; Model
// refuses it by name (model.hpp).
template <class In, class... Specs>
struct UnboundDecoder {
    using input_shape = In;
    using output_shape = InvalidShape;
    static constexpr bool valid = false;
    static constexpr std::size_t param_count = 0, cache_size = 0, workspace_size = 0;
    static std::string name() { return "Sequential"; }
};

// A model used as a block's rule (asserted in a function body: see core/errors.hpp
// for why). Judged only when the model itself is sound: one error at a time.
template <class Net, class Declared, class In, bool Ok>
constexpr auto check_nested_input() {
    static_assert(InputMismatch<Net, typename expected_of<Declared>::type, typename got_of<In>::type, Ok>::ok,
                  "Sequential: a model used as a block is given another shape (Got) than its Input declares "
                  "(Expected); change its Input, or drop the Input to make it a block that takes any shape");
    return Ok;
}

// A model bound to a shape other than its Input's: the error above, then the poison
// (InvalidShape), so the layers after it stay silent.
template <class Net, class Declared, class In>
struct MismatchedInput {
    using shape_rule = decltype(check_nested_input<Net, Declared, In, !Declared::valid || !Net::valid>());
    using input_shape = In;
    using output_shape = InvalidShape;
    static std::string name() { return "Sequential"; }
    static void forward(const Pass&, const float*, const float*, float*, float*, float*) {}
    static void backward(const Pass&, const float*, const float*, const float*, const float*, float*, float*,
                         const float*, float*) {}
};
}  // namespace detail

template <class... Layers>
struct Sequential {
    template <class In>
    using bind = detail::SequentialBound<In, Layers...>;
    template <class In, class Memory>
    using bind_with_memory = detail::SequentialBoundWithMemory<In, Memory, Layers...>;
    static constexpr bool rooted = false;
    static constexpr bool accepts_tokens = true;  // its first layer judges them
    static constexpr bool reads_memory = (reads_memory_of<Layers>() || ...);
};

template <InputSpec I, class... Layers>
struct Sequential<I, Layers...>
    : std::conditional_t<(reads_memory_of<Layers>() || ...), detail::UnboundDecoder<typename I::shape, Layers...>,
                         detail::SequentialBound<typename I::shape, Layers...>> {
    static constexpr bool rooted = true;
    static constexpr bool reads_memory = (reads_memory_of<Layers>() || ...);
    // As a block inside another network: the model's own chain when given its Input's
    // shape (the same type Sequential<Layers...> binds to there).
    template <class In>
    using bind = std::conditional_t<same_shape<In, typename I::shape>,
                                    detail::SequentialBound<typename I::shape, Layers...>,
                                    detail::MismatchedInput<Sequential, typename I::shape, In>>;
};

}  // namespace tn
