// What the text lessons (26, 27, 29, 40, 43) share: copying a trained sequence
// model's weights into a one-step twin, generating text with that twin, and a GPT's
// loss over a long text in nats per character.
//
// A language model is trained on windows of T tokens (Tokens<64>), but generating
// text is one token at a time. The same layers over Tokens<1> with a Stateful
// recurrent layer have exactly the same parameters (a recurrent layer's weights do
// not depend on T), so the trained weights are copied over and every new token
// costs one step of the recurrence instead of a rerun of the whole context.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <typenet/data/language_model.hpp>
#include <typenet/data/vocabulary.hpp>
#include <typenet/decode/sample.hpp>
#include <typenet/typenet.hpp>

namespace lesson {

// Copies every parameter of `from` into `to`, which must have the same tensors
// under the same names (checked: a mismatch names the first tensor that differs).
template <class A, class B>
void copy_parameters(tn::Model<A>& from, tn::Model<B>& to) {
    static_assert(tn::Model<A>::param_count == tn::Model<B>::param_count,
                  "copy_parameters: the two networks have different parameter counts");
    const auto a = from.named_parameters();
    const auto b = to.named_parameters();
    for (std::size_t i = 0; i < a.size(); ++i)
        if (i >= b.size() || a[i].name != b[i].name || a[i].shape != b[i].shape)
            throw std::logic_error("copy_parameters: tensor " + a[i].name + " has no twin of the same shape");
    std::copy(from.parameters().begin(), from.parameters().end(), to.parameters().begin());
}

// `prompt` followed by `n` tokens sampled from a one-step stateful model (its
// input is Tokens<1>): the state is reset, the prompt fed one token at a time, then
// each sampled token is fed back. generate() hands over the context and the first
// position it has not seen, so only the new token goes through the model.
// Ids in `never` (e.g. <unk> for a word model) get a logit of -infinity: never drawn.
template <class StepNet>
std::string sample_text(tn::Model<StepNet>& step, const tn::data::Vocabulary& vocab, std::string_view prompt,
                        std::size_t n, tn::SampleOptions sampling, tn::Rng& rng,
                        std::span<const std::int32_t> never = {}) {
    static_assert(tn::Model<StepNet>::max_length == 1, "sample_text: the model reads one token per call");
    step.reset_state();
    std::vector<float> logits;
    const auto next = [&](std::span<const std::int32_t> context, std::size_t start) -> const std::vector<float>& {
        for (std::size_t i = start; i < context.size(); ++i) logits = step.predict(context.subspan(i, 1));
        for (const std::int32_t id : never) logits[std::size_t(id)] = -std::numeric_limits<float>::infinity();
        return logits;
    };
    const std::vector<std::int32_t> ids = vocab.encode(prompt);
    const std::vector<std::int32_t> out = tn::generate(next, ids, n, sampling, rng);
    if (vocab.kind() == tn::data::VocabularyKind::characters) return std::string(prompt) + vocab.decode(out);
    // Words: decoded together, so that the spacing between prompt and sample is the
    // vocabulary's (none before punctuation); the prompt's unknown words show as <unk>.
    std::vector<std::int32_t> all = ids;
    all.insert(all.end(), out.begin(), out.end());
    return vocab.decode(all);
}

// A GPT's loss over `ids` (the tokens of `characters` characters of text) in nats per
// character: windows of its context that overlap by half, each position predicted
// once with at least half a context before it (data::lm_sliding_windows), the summed
// loss divided by the characters, so models with other tokens compare.
template <class Net>
double gpt_nats_per_character(tn::Model<Net>& model, const std::vector<std::int32_t>& ids, std::size_t characters) {
    constexpr std::size_t T = tn::Model<Net>::max_length;
    const tn::Dataset windows = tn::data::lm_sliding_windows(ids, T, T / 2);
    const tn::Evaluation e = tn::evaluate(model, windows, tn::TokenCrossEntropy{}, 64);
    return double(e.loss) * double(ids.size() - 1) / double(characters);
}

// Text indented by two spaces after every newline, for printing samples.
inline std::string indented(std::string_view text) {
    std::string out = "  ";
    for (char c : text) {
        out += c;
        if (c == '\n') out += "  ";
    }
    return out;
}

}  // namespace lesson
