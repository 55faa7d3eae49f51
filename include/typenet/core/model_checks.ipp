// The bodies of core/model_checks.hpp: inline in a header-only build, compiled once
// into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <stdexcept>

#include "typenet/core/model_checks.hpp"
#include "typenet/core/shape.hpp"

namespace tn::detail {

TYPENET_INLINE void check_lengths(const std::uint32_t* lengths, std::size_t batch, std::size_t limit,
                                  const char* which, const InputFacts& facts) {
    for (std::size_t b = 0; b < batch; ++b)
        if (lengths[b] < 1 || lengths[b] > limit)
            throw std::invalid_argument("Model::forward: sample " + std::to_string(b) + " of the batch has " + which +
                                        "length " + std::to_string(lengths[b]) + ", but a length is 1 to " +
                                        std::to_string(limit) + " (the input is " +
                                        shape_string(facts.dims) + ")");
}

TYPENET_INLINE void check_predict_features(std::size_t given, const InputFacts& facts) {
    if (facts.tokens)
        throw std::invalid_argument("Model::predict: this model reads token ids (" + shape_string(facts.dims) +
                                    "); pass std::int32_t ids");
    if (given != facts.input_size)
        throw std::invalid_argument("Model::predict: a sample has " + std::to_string(facts.input_size) +
                                    " values, got " + std::to_string(given));
}

TYPENET_INLINE void check_predict_ids(std::span<const std::int32_t> ids, const InputFacts& facts) {
    if (!facts.tokens)
        throw std::invalid_argument("Model::predict: this model reads float features " + shape_string(facts.dims) +
                                    ", not token ids");
    if (ids.empty() || ids.size() > facts.max_length)
        throw std::invalid_argument("Model::predict: a sequence has 1 to " + std::to_string(facts.max_length) +
                                    " token ids, got " + std::to_string(ids.size()));
    for (std::size_t t = 0; t < ids.size(); ++t)
        if (ids[t] < 0 || (facts.token_limit > 0 && std::size_t(ids[t]) >= facts.token_limit))
            throw std::out_of_range("Model::predict: token id " + std::to_string(ids[t]) + " at position " +
                                    std::to_string(t) + " is outside the vocabulary (0 to " +
                                    std::to_string(facts.token_limit - 1) + ")");
}

TYPENET_INLINE NamedTensor find_parameter(std::vector<NamedTensor> tensors, const std::string& name) {
    for (auto& t : tensors)
        if (t.name == name) return std::move(t);
    throw std::out_of_range("Model: no parameter named '" + name + "'");
}

}  // namespace tn::detail
