// Sampled generation from any NextTokenModel (a LanguageModelSession with or without
// its KV cache, an EncoderDecoderSession), one hypothesis, with the tokens streamed
// as they come:
//
//   const std::int32_t start = session.prompt(ids);
//   tn::Rng rng{tn::Seed{7}};
//   auto out = tn::sample_decode(session, {.sampling = {.temperature = 0.8f, .top_p = 0.9f},
//                                          .repetition_penalty = 1.2f, .start = start,
//                                          .stop = eos, .max_length = 200},
//                                rng, [](std::int32_t id) { std::cout << vocab.decode(id) << std::flush; });
//
// Each step draws the next id with sample() (decode/sample.hpp: temperature, top_k,
// top_p) from the model's log-probabilities after the repetition penalty.
//
// The repetition penalty (Keskar et al. 2019, CTRL) makes tokens already in the text
// less likely: every id among `penalized` (the prompt, say) and the tokens generated
// so far has its log-probability multiplied by the penalty theta >= 1, i.e. its
// probability p becomes p^theta before renormalising (CTRL applies the same rule to
// raw logits: divide a positive one, multiply a negative one; a log-probability is
// never positive). theta = 1: no penalty.
//
// on_token(id) is called with every generated id as soon as it is drawn (the stop id
// included); when it returns bool, false stops generation there. Returns the
// generated ids (the stop id included when it was drawn).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "typenet/core/rng.hpp"
#include "typenet/decode/next_token.hpp"
#include "typenet/decode/sample.hpp"

namespace tn {

struct SampleDecodeOptions {
    SampleOptions sampling{};
    float repetition_penalty = 1.f;          // theta >= 1
    std::span<const std::int32_t> penalized{};  // ids penalised from the start (the prompt)
    std::int32_t start = 0;                  // the first id fed
    std::optional<std::int32_t> stop{};      // generation ends after drawing it
    std::size_t max_length = 50;             // ids generated at most
};

struct IgnoreTokens {
    void operator()(std::int32_t) const {}
};

template <NextTokenModel M, class OnToken = IgnoreTokens>
std::vector<std::int32_t> sample_decode(M& model, const SampleDecodeOptions& o, Rng& rng, OnToken&& on_token = {}) {
    if (!(o.repetition_penalty >= 1.f))
        throw std::invalid_argument("sample_decode: repetition_penalty must be >= 1, got " +
                                    std::to_string(o.repetition_penalty));
    const std::size_t V = model.vocabulary();
    std::vector<bool> seen(V, false);
    for (const std::int32_t id : o.penalized)
        if (id >= 0 && std::size_t(id) < V) seen[std::size_t(id)] = true;
    model.begin(1);
    std::vector<float> log_probs(V);
    std::vector<std::int32_t> out;
    std::int32_t last = o.start;
    for (std::size_t t = 0; t < o.max_length; ++t) {
        model.step(std::span<const std::int32_t>(&last, 1), log_probs.data());
        if (o.repetition_penalty != 1.f)
            for (std::size_t v = 0; v < V; ++v)
                if (seen[v]) log_probs[v] *= o.repetition_penalty;
        last = sample(log_probs, o.sampling, rng);
        out.push_back(last);
        seen[std::size_t(last)] = true;
        bool go_on = true;
        if constexpr (std::is_same_v<std::invoke_result_t<OnToken&, std::int32_t>, bool>)
            go_on = on_token(last);
        else
            on_token(last);
        if (!go_on || (o.stop && last == *o.stop)) break;
    }
    return out;
}

}  // namespace tn
