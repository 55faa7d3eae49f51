// Named compile errors. A shape rule is written as
//     static_assert(ShapeMismatch<Dense<120>, Expected<400>, Got<256>>::ok,
//                   "Dense: input features do not match");
// so that both g++ and clang print the template with its numbers in the note
// ("'tn::ShapeMismatch<tn::Dense<120>, tn::Expected<400>, tn::Got<256> >::ok'
// evaluates to false"). The check templates are false only in the failing case,
// so the numbers a learner sees are the real ones (design decision 3).
//
// Assert a rule inside a small function template with a deduced return type,
// instantiated from the layer by `using shape_rule = decltype(check_...());`,
// never in the layer's own body nor in a base class: clang stops instantiating a
// class whose static_assert fails and marks it (and every class deriving from it)
// invalid, so each later use of it (the chain reading its output_shape, Model
// reading the network's) is one more error. A failed function body poisons nothing.
#pragma once
#include <cstddef>

#include "typenet/core/shape.hpp"

namespace tn {

template <std::size_t... Dims> struct Expected {};
template <std::size_t... Dims> struct Got {};
template <std::size_t... Dims> struct Window {};
template <std::size_t... Dims> struct Rank {};

// One name per kind of rule: the name is what the learner reads first. `Ok` says
// whether the rule holds; the other arguments exist only to be printed. Each
// template declares `ok` itself (not through a shared base) because g++ names the
// class that declares the member in its note.
template <class Layer, class Expect, class GotShape, bool Ok = false>
struct ShapeMismatch {
    static constexpr bool ok = Ok;
};
template <class Layer, class Expect, class GotShape, bool Ok = false>
struct RankMismatch {
    static constexpr bool ok = Ok;
};
template <class Layer, class GotShape, bool Ok = false>
struct NeedsFlatInput {
    static constexpr bool ok = Ok;
};
template <class Layer, class GotShape, bool Ok = false>
struct ZeroSizedDimension {
    static constexpr bool ok = Ok;
};
// Token ids (Tokens<T>) given to a layer that reads features, and features given to
// a layer that reads token ids (Embedding).
template <class Layer, class GotShape, bool Ok = false>
struct NeedsEmbedding {
    static constexpr bool ok = Ok;
};
template <class Layer, class GotShape, bool Ok = false>
struct NeedsTokens {
    static constexpr bool ok = Ok;
};
// A recurrent layer reads a sequence [T, D]; Got is what it was given.
template <class Layer, class GotShape, bool Ok = false>
struct NeedsSequence {
    static constexpr bool ok = Ok;
};
// Bidirectional's two directions must give shapes it can merge (concat: the same
// time steps; sum: the same shape).
template <class Layer, class Forward, class Backward, bool Ok = false>
struct DirectionsMismatch {
    static constexpr bool ok = Ok;
};
template <class Layer, bool Ok = false>
struct MissingInput {
    static constexpr bool ok = Ok;
};
// A layer whose own size is 0: Dense<0>, Conv2D<0, ...>, Repeat<0, ...>. The spec,
// printed in full, shows the 0.
template <class Layer, bool Ok = false>
struct ZeroSizedLayer {
    static constexpr bool ok = Ok;
};

// The contracts of the compositions. Repeat<N, Block> stacks N copies of one block,
// so the block must return the shape it was given: copy I's output (Got) is what
// copy I+1 is given, and every copy was made for the shape Repeat was given
// (Expected). A model used as a block (a Sequential that starts with its own Input)
// must be given the shape its Input declares.
template <std::size_t I> struct Copy {};
template <class Layer, class OutputOf, class GotShape, class InputOf, class Expect, bool Ok = false>
struct RepeatChangesShape {
    static constexpr bool ok = Ok;
};
template <class Layer, class Expect, class GotShape, bool Ok = false>
struct InputMismatch {
    static constexpr bool ok = Ok;
};

// The rules of the layers that slide a window over an image (Conv2D, the pools).
// PaddedInput<H, W> is the input's height and width with the padding added: what the
// window has to fit in.
template <std::size_t H, std::size_t W> struct PaddedInput {};
template <class Layer, bool Ok = false>
struct MissingKernel {
    static constexpr bool ok = Ok;
};
template <class Layer, class KernelSize, class StrideSize, bool Ok = false>
struct ZeroKernelOrStride {
    static constexpr bool ok = Ok;
};
template <class Layer, class KernelSize, class StrideSize, bool Ok = false>
struct InvalidSamePadding {
    static constexpr bool ok = Ok;
};
template <class Layer, class Declared, class GotShape, bool Ok = false>
struct InChannelsMismatch {
    static constexpr bool ok = Ok;
};
template <class Layer, class Extent, class Padded, class GotShape, bool Ok = false>
struct KernelLargerThanInput {
    static constexpr bool ok = Ok;
};
template <class Layer, class Extent, class Padded, class GotShape, bool Ok = false>
struct PoolWindowLargerThanInput {
    static constexpr bool ok = Ok;
};
template <class Layer, class Extent, class Padding, bool Ok = false>
struct PadLargerThanHalfWindow {
    static constexpr bool ok = Ok;
};

// The rules of the layers that read a second input, the memory (an encoder's output,
// core/layer.hpp): such a layer used outside the decoder of an EncoderDecoder has no
// memory to read; one that compares the decoder's vectors with the memory's (Luong's
// dot score, a cross-attention) needs them to be as wide. QueryWidth / MemoryWidth
// carry the two numbers into the message.
template <std::size_t N> struct QueryWidth {};
template <std::size_t N> struct MemoryWidth {};
template <class Layer, bool Ok = false>
struct NeedsMemory {
    static constexpr bool ok = Ok;
};
template <class Layer, class Query, class Memory, bool Ok = false>
struct MemoryWidthMismatch {
    static constexpr bool ok = Ok;
};
// The memory must be a sequence [S, D] (S source positions of D features).
template <class Layer, class GotShape, bool Ok = false>
struct MemoryNotSequence {
    static constexpr bool ok = Ok;
};

// Expected<...> / Got<...> spelled from a Shape, for the messages.
template <class S> struct expected_of;
template <std::size_t... D> struct expected_of<Shape<D...>> { using type = Expected<D...>; };
template <> struct expected_of<InvalidShape> { using type = Expected<>; };
template <class S> struct got_of;
template <std::size_t... D> struct got_of<Shape<D...>> { using type = Got<D...>; };
template <> struct got_of<InvalidShape> { using type = Got<>; };

}  // namespace tn
