// The layer protocol.
//
// A user writes a layer *spec*, e.g. Dense<120>, which knows nothing of its input.
// Sequential binds each spec to the shape that reaches it: `Spec::bind<In>` is the
// *bound layer*, a stateless type with static members:
//
//   using input_shape, output_shape;          // the shape rule, at compile time
//   static constexpr std::size_t param_count;  // trainable floats      (default 0)
//   static constexpr std::size_t cache_size;   // floats per sample that forward
//                                              // keeps for backward    (default 0)
//   static constexpr std::size_t workspace_size; // scratch floats per sample,
//                                              // free between calls    (default 0)
//   static constexpr std::size_t buffer_count; // non-trainable floats kept across
//                                              // calls, not per sample (default 0)
//   static constexpr std::size_t state_size;   // floats per sample kept from one call
//                                              // to the next (a stateful RNN's last
//                                              // hidden state; later the KV cache)
//   static constexpr bool accepts_tokens;      // may be bound to Tokens<T> (Embedding)
//   static constexpr std::size_t token_limit;  // the ids it reads are < this (Embedding)
//   static std::string name();                 // "Dense<120>"
//   static void init(float* params, Rng&);     // (only with parameters)
//   static void for_each_param(auto&& f);      // f(name, offset, shape) (only with parameters)
//   static void init_buffers(float* buffers);  // (only with buffers)
//   static void for_each_buffer(auto&& f);     // f(name, offset, shape): the buffers a
//                                              // checkpoint saves (only with buffers)
//   static void for_each_weight(auto&& f);     // f(offset, count, Regularization own):
//                                              // the tensors weight penalties apply to
//   static void for_each_frozen(auto&& f);     // f(offset, count): parameters training must
//                                              // not change (Frozen<...>, core/frozen.hpp)
//   static void forward(const Pass&, const float* params, const float* x, float* y,
//                       float* cache, float* workspace);
//   static void backward(const Pass&, const float* params, const float* x,
//                        const float* y, const float* dy, float* dx, float* dparams,
//                        const float* cache, float* workspace);
//
// Tensors are row-major [batch, input_shape...] blocks in the model's arenas.
// backward *writes* (never accumulates) dparams, and dx may be null when nobody
// needs the input gradient (the first layer of a model): layers then skip that work.
// Forward and backward of a layer sit side by side in one header (decision 7).
//
// Buffers (BatchNorm's running statistics) live in the model's fourth arena. A layer
// finds its own at Pass::buffers: each container hands each child a copy of the Pass
// whose buffers pointer is offset to that child's, so no signature carries them.
// State (the fifth arena: per sample, all layers' state side by side) reaches a
// layer the same way, at Pass::state, sample b's at state + b * state_stride, so a
// sample keeps its state when the batch size changes; Model::reset_state() zeroes it.
//
// Sequences: the first axis of a [T, ...] input is time. Pass::lengths, when not
// null, gives each sample's length (1 to T); positions at or after it are padding.
// A layer that mixes positions (a recurrent layer, pooling over time, attention)
// must not read them; a layer that acts per position may compute anything there
// that is finite, and every layer writes a zero gradient for its input there once
// it is given a zero gradient there (the losses give one), so padding changes
// neither the outputs at real positions nor the loss nor any gradient.
//
// Memory (a second input: the encoder's output an attention layer of a decoder reads,
// core/encoder_decoder.hpp). Its shape is known when the layer is bound, so a rule that
// compares widths is a compile error: a spec that reads memory has, beside bind<In>,
//   template <class In, class Memory> using bind_with_memory = ...;  // Memory: Shape<S, D>
//   static constexpr bool reads_memory = true;
// and its bind<In> (used anywhere there is no memory) is the NeedsMemory error.
// Containers hand the memory shape down while binding (detail::bind_all_with<Memory,...>,
// Sequential's bind_with_memory); a spec without bind_with_memory is bound as always,
// so layers that do not read memory are untouched by it and pay nothing. At run time:
//   Pass::memory          sample b's memory at memory + b * memory_stride (stride 0:
//                         every sample reads one memory, as the beams of one source do)
//   Pass::memory_lengths  sample b's real memory positions (the source lengths, 1 to S;
//                         null: all S): the key-padding mask. A layer never reads the
//                         memory at or past them, and writes no gradient there.
//   Pass::memory_grad     backward only: dL/d(memory), same layout; each layer that
//                         reads memory ADDS its part (the container zeroes it first),
//                         so the encoder's backward receives the sum over every
//                         decoder layer that attends to it. Null: nobody needs it.
// (backward writes dparams and dx but accumulates memory_grad: several layers share
// one memory, and summing in place costs no [layers x memory] buffer.)
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "typenet/core/errors.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/core/shape.hpp"
#include "typenet/core/tokens.hpp"

namespace tn {

// What one forward/backward call needs to know at run time.
struct Pass {
    std::size_t batch = 1;
    bool training = false;
    Rng* rng = nullptr;          // dropout and other stochastic layers draw from it
    float* buffers = nullptr;    // this layer's non-trainable state (see above)
    float dropout_rate = -1.f;   // overrides every Dropout's own rate when >= 0
    // Sequences (see above): one length per sample, 1 to T; null: every sample is full.
    const std::uint32_t* lengths = nullptr;
    float* state = nullptr;      // this layer's state across calls: sample b's at
    std::size_t state_stride = 0;  // state + b * state_stride (the model's state per
                                   // sample), so it does not move when the batch does
    std::size_t start = 0;       // position of this call's first step in a longer
                                 // sequence (generation one position at a time)
    // A second input of a two-part model (core/encoder_decoder.hpp): the lengths of the
    // second part's sequences (the decoder's target lengths; null: all full) ...
    const std::uint32_t* second_lengths = nullptr;
    // ... and the memory a decoder's attention layers read (see the contract above).
    const float* memory = nullptr;
    std::size_t memory_stride = 0;
    const std::uint32_t* memory_lengths = nullptr;
    float* memory_grad = nullptr;  // accumulated into by backward
};

// How many real positions sample b's memory has (of S).
inline std::size_t memory_length_of(const Pass& p, std::size_t b, std::size_t S) {
    return p.memory_lengths ? std::size_t(p.memory_lengths[b]) : S;
}

// Sample b's length in a pass over sequences of (at most) T positions.
inline std::size_t length_of(const Pass& p, std::size_t b, std::size_t T) {
    return p.lengths ? std::size_t(p.lengths[b]) : T;
}

// One row of Model::summary(); containers add their children one level deeper.
struct SummaryRow {
    int depth = 0;
    std::string name;
    std::string output_shape;
    std::size_t params = 0;
};

// Defaults for the optional members of the protocol.
template <class B>
consteval std::size_t param_count_of() {
    if constexpr (requires { B::param_count; }) return B::param_count;
    else return 0;
}
template <class B>
consteval std::size_t cache_size_of() {
    if constexpr (requires { B::cache_size; }) return B::cache_size;
    else return 0;
}
template <class B>
consteval std::size_t workspace_size_of() {
    if constexpr (requires { B::workspace_size; }) return B::workspace_size;
    else return 0;
}

template <class B>
consteval std::size_t buffer_count_of() {
    if constexpr (requires { B::buffer_count; }) return B::buffer_count;
    else return 0;
}

template <class B>
consteval std::size_t state_size_of() {
    if constexpr (requires { B::state_size; }) return B::state_size;
    else return 0;
}

template <class Spec>
consteval bool accepts_tokens_of() {
    if constexpr (requires { Spec::accepts_tokens; }) return Spec::accepts_tokens;
    else return false;
}

template <class B>
void init_layer(float* params, Rng& rng) {
    if constexpr (requires { B::init(params, rng); }) B::init(params, rng);
}

// f(std::string name, std::size_t offset, std::vector<std::size_t> shape)
template <class B, class F>
void for_each_param_of(F&& f) {
    if constexpr (requires { B::for_each_param(f); }) B::for_each_param(f);
}

template <class B>
void init_buffers_of(float* buffers) {
    if constexpr (requires { B::init_buffers(buffers); }) B::init_buffers(buffers);
}

// f(std::string name, std::size_t offset, std::vector<std::size_t> shape)
template <class B, class F>
void for_each_buffer_of(F&& f) {
    if constexpr (requires { B::for_each_buffer(f); }) B::for_each_buffer(f);
}

// f(std::size_t offset, std::size_t count, Regularization own), for weight penalties
template <class B, class F>
void for_each_weight_of(F&& f) {
    if constexpr (requires { B::for_each_weight(f); }) B::for_each_weight(f);
}

// f(std::size_t offset, std::size_t count), for parameters frozen in the type
template <class B, class F>
void for_each_frozen_of(F&& f) {
    if constexpr (requires { B::for_each_frozen(f); }) B::for_each_frozen(f);
}

template <class B>
void summarize_layer(std::vector<SummaryRow>& rows, int depth) {
    if constexpr (requires { B::summarize(rows, depth); }) {
        B::summarize(rows, depth);
    } else {
        rows.push_back({depth, B::name(), shape_string<typename B::output_shape>(), param_count_of<B>()});
    }
}

// A bound layer whose input came from a layer that already failed its shape rule.
// It does nothing and asserts nothing, so only the first error is reported.
template <class Spec>
struct Poisoned {
    using input_shape = InvalidShape;
    using output_shape = InvalidShape;
    static std::string name() { return "<after a shape error>"; }
    static void forward(const Pass&, const float*, const float*, float*, float*, float*) {}
    static void backward(const Pass&, const float*, const float*, const float*, const float*, float*, float*,
                         const float*, float*) {}
};

namespace detail {
// The rule every layer shares: only a layer that reads token ids may be given them.
template <class Spec, class In>
constexpr auto check_not_tokens() {
    static_assert(NeedsEmbedding<Spec, typename got_of<In>::type>::ok,
                  "this layer is given token ids (Tokens<T>), which are integers, not features; put "
                  "Embedding<Vocabulary, Dim> first to turn each id into a vector");
    return false;
}
}  // namespace detail

// A layer given token ids that it cannot read: the error above, then the poison.
template <class Spec, class In>
struct RefusesTokens : Poisoned<Spec> {
    using shape_rule = decltype(detail::check_not_tokens<Spec, In>());
};

// 0: after an error; 1: token ids given to a layer that does not take them; 2: bind.
template <class Spec, class In>
inline constexpr int binding_kind = !In::valid ? 0 : (is_token_shape<In> && !accepts_tokens_of<Spec>()) ? 1 : 2;

template <class Spec, class In, int = binding_kind<Spec, In>>
struct bind_layer {
    using type = typename Spec::template bind<In>;
};
template <class Spec, class In>
struct bind_layer<Spec, In, 0> {
    using type = Poisoned<Spec>;
};
template <class Spec, class In>
struct bind_layer<Spec, In, 1> {
    using type = RefusesTokens<Spec, In>;
};
template <class Spec, class In>
using bind_layer_t = typename bind_layer<Spec, In>::type;

// Whether a spec reads memory, itself or (a block) through one of its layers.
template <class Spec>
consteval bool reads_memory_of() {
    if constexpr (requires { Spec::reads_memory; }) return Spec::reads_memory;
    else return false;
}

// Binding where there is memory (the decoder of an EncoderDecoder): a spec that takes
// it (bind_with_memory) is given its shape; every other spec is bound as above.
struct NoMemory {};
template <class Spec, class In, class Memory>
consteval bool binds_with_memory() {
    if constexpr (std::is_same_v<Memory, NoMemory> || binding_kind<Spec, In> != 2) return false;
    else return requires { typename Spec::template bind_with_memory<In, Memory>; };
}
template <class Spec, class In, class Memory, bool = binds_with_memory<Spec, In, Memory>()>
struct bind_layer_with {
    using type = bind_layer_t<Spec, In>;
};
template <class Spec, class In, class Memory>
struct bind_layer_with<Spec, In, Memory, true> {
    using type = typename Spec::template bind_with_memory<In, Memory>;
};
template <class Spec, class In, class Memory>
using bind_layer_with_t = typename bind_layer_with<Spec, In, Memory>::type;

namespace detail {
// A memory-reading spec bound where there is no memory.
template <class Spec>
constexpr auto check_has_memory() {
    static_assert(NeedsMemory<Spec>::ok,
                  "this layer attends over an encoder's output (the memory), which only the decoder of "
                  "EncoderDecoder<Encoder, Decoder> is given; use it in that decoder");
    return false;
}
}  // namespace detail
template <class Spec>
struct MissingMemory : Poisoned<Spec> {
    using shape_rule = decltype(detail::check_has_memory<Spec>());
};

}  // namespace tn
