// Choosing the next token from a model's logits, and generating text with it.
//
//   tn::Rng rng{tn::Seed{7}};
//   std::int32_t next = tn::sample(logits, {.temperature = 0.8f, .top_k = 40}, rng);
//   auto ids = tn::generate(next_logits, vocab.encode("Holmes"), 200, {.temperature = 0.8f}, rng);
//
// Temperature T divides the logits before the softmax: T = 1 samples from the
// model's distribution, T < 1 sharpens it, T -> 0 is its argmax (T = 0 is exactly
// the argmax, the first of equal maxima, and draws nothing from the generator).
// top_k keeps the k largest logits (ties broken towards the lower id) and samples
// among them. top_p (nucleus sampling, Holtzman et al. 2019) then keeps the most
// probable ids, best first, until their probability reaches p, and samples among
// those: the number kept follows how sure the model is (one id when it is sure,
// many when it is not), where top_k keeps k whatever the distribution. One uniform
// draw per sample, so a seed fixes the text on every compiler.
#pragma once
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/core/rng.hpp"

namespace tn {

struct SampleOptions {
    float temperature = 1.f;  // >= 0
    std::size_t top_k = 0;    // 0: every id
    float top_p = 1.f;        // in (0, 1]; 1: every id top_k left
};

// The index of the largest logit (the first of equal ones). NaN logits throw,
// naming their index, here and in sample.
TYPENET_INLINE std::int32_t argmax(std::span<const float> logits);
// One id drawn from softmax(logits / temperature), restricted to the top_k.
TYPENET_INLINE std::int32_t sample(std::span<const float> logits, const SampleOptions& options, Rng& rng);
// The distribution sample() draws from (zeros outside the top_k; one-hot at the
// argmax for temperature 0), for tests and for showing a model's uncertainty.
TYPENET_INLINE std::vector<double> sample_probabilities(std::span<const float> logits, const SampleOptions& options);

struct GenerateOptions {
    SampleOptions sampling{};
    std::optional<std::int32_t> stop_id{};  // e.g. <eos>: generation ends after sampling it
};

// Generates up to n tokens after `prompt` (not empty). `next_logits` is called once
// per generated token, as either
//     next_logits(std::span<const std::int32_t> context, std::size_t start)
//     next_logits(std::span<const std::int32_t> context)
// and returns the logits for the token after `context` (anything a
// std::span<const float> can view: std::vector<float>, a span into the model's
// output). `context` is the prompt and every token generated so far; `start` is the
// first position not given before (0 at the first call, then context.size() - 1),
// so a stateful model (an RNN's state, a KV cache) feeds only context[start..] with
// Pass::start = start, and a stateless one reruns the whole context (its last
// max_length ids, if it must). A template over the callable, not std::function: a
// lambda around a Model is inlined, and a std::function still binds to it.
// Returns the generated tokens only (the stop id included when it was sampled).
template <class NextLogits>
std::vector<std::int32_t> generate(NextLogits&& next_logits, std::span<const std::int32_t> prompt, std::size_t n,
                                   const GenerateOptions& options, Rng& rng) {
    if (prompt.empty())
        throw std::invalid_argument("generate: the prompt is empty; give at least one token (e.g. a <bos> id)");
    std::vector<std::int32_t> context(prompt.begin(), prompt.end());
    context.reserve(prompt.size() + n);
    std::size_t start = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::span<const std::int32_t> seen(context.data(), context.size());
        const auto call = [&]() -> decltype(auto) {
            if constexpr (std::is_invocable_v<NextLogits&, std::span<const std::int32_t>, std::size_t>)
                return next_logits(seen, start);
            else
                return next_logits(seen);
        };
        const auto& logits = call();
        const std::int32_t id = sample(std::span<const float>(logits), options.sampling, rng);
        start = context.size();
        context.push_back(id);
        if (options.stop_id && id == *options.stop_id) break;
    }
    return {context.begin() + std::ptrdiff_t(prompt.size()), context.end()};
}

template <class NextLogits>
std::vector<std::int32_t> generate(NextLogits&& next_logits, std::span<const std::int32_t> prompt, std::size_t n,
                                   const SampleOptions& sampling, Rng& rng) {
    return generate(std::forward<NextLogits>(next_logits), prompt, n, GenerateOptions{.sampling = sampling}, rng);
}

}  // namespace tn

#if TYPENET_DEFINE_BODIES
#include "typenet/decode/sample.ipp"
#endif
