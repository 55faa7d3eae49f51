// The checks Model<Net> makes on what a user hands it (lengths, predict's input,
// a parameter's name), written once for every network type.
//
// They depend on run-time sizes only, yet as members of the class template each
// network type compiled its own copy of the message-building code, inlined at every
// call: in lesson 14 (13 network types) the length check alone was a tenth of the
// object code. Here they are plain functions, compiled once in typenet::precompiled
// (include/typenet/config.hpp); Model passes the numbers and the input's shape.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/core/named_tensor.hpp"

namespace tn::detail {

// What Model knows of its input, for the messages.
struct InputFacts {
    std::span<const std::size_t> dims;  // the input shape, e.g. {1, 28, 28} or {64} for Tokens<64>
    bool tokens = false;                // a Tokens<T> input
    std::size_t max_length = 1;         // a sequence has 1 to this many positions
    std::size_t token_limit = 0;        // ids are below this (0: no limit known)
    std::size_t input_size = 0;         // floats per sample
};

// Each of `batch` lengths is 1 to `limit`; throws std::invalid_argument naming the
// first sample that is not (a recurrent layer would read past it). `which` names
// the lengths ("" for the input's, "second (target) " for an encoder-decoder's).
TYPENET_INLINE void check_lengths(const std::uint32_t* lengths, std::size_t batch, std::size_t limit,
                                  const char* which, const InputFacts& facts);

// predict(std::span<const float>): the model reads floats, facts.input_size of them.
TYPENET_INLINE void check_predict_features(std::size_t given, const InputFacts& facts);
// predict(std::span<const std::int32_t>): the model reads ids, 1 to max_length of
// them, each inside the vocabulary (the message names the position).
TYPENET_INLINE void check_predict_ids(std::span<const std::int32_t> ids, const InputFacts& facts);

// The tensor called `name`; std::out_of_range listing none.
TYPENET_INLINE NamedTensor find_parameter(std::vector<NamedTensor> tensors, const std::string& name);

}  // namespace tn::detail

#if TYPENET_DEFINE_BODIES
#include "typenet/core/model_checks.ipp"
#endif
