// A generated sequence-to-sequence task: write a random string backwards. Its
// information grows with its length (length x log2(symbols) bits), which the dates
// of data/dates.hpp do not (about 15 bits, however long the wording): so it shows the
// fixed-context bottleneck of an encoder-decoder without attention (lesson 31), as
// Cho et al. 2014 saw translation quality fall with sentence length.
//
//   auto task = tn::data::reversal({.samples = 16000, .seed = Seed{1}});
//   // Model<EncoderDecoder<Sequential<Tokens<reversal_max_length>, ...>,
//   //                      Sequential<Tokens<reversal_max_length + 1>, ...>>>
//
// Lengths are uniform in min_length..reversal_max_length, symbols uniform.
// Source ids: 0 padding, 1..symbols. Target ids: 0 <bos>, 1 <eos>, 2..symbols + 1 the
// symbols (symbol k is source id k, target id k + 1). Rows as Dataset::add_pair
// writes them: the source, then <bos> and the reversed symbols (teacher forcing);
// targets the reversed symbols then <eos>, -1 after it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/core/rng.hpp"
#include "typenet/losses/softmax_cross_entropy.hpp"
#include "typenet/train/dataset.hpp"

namespace tn::data {

inline constexpr std::size_t reversal_max_length = 40;
inline constexpr std::size_t reversal_symbols = 20;  // 'a' to 't' in text
inline constexpr std::size_t reversal_source_vocabulary = reversal_symbols + 1;
inline constexpr std::size_t reversal_target_vocabulary = reversal_symbols + 2;
inline constexpr std::size_t reversal_target_length = reversal_max_length + 1;  // + <eos>

struct ReversalOptions {
    std::size_t samples = 10000;
    std::size_t min_length = 4;  // 1 to reversal_max_length
    Seed seed{1};
};

struct ReversalTask {
    Dataset data;
    std::vector<std::string> sources, answers;  // as letters: "cat" -> "tac"
};

inline std::string reversal_text(const std::vector<std::int32_t>& ids, std::int32_t first_symbol) {
    std::string s;
    for (auto id : ids)
        if (id >= first_symbol && id < first_symbol + std::int32_t(reversal_symbols)) s += char('a' + (id - first_symbol));
    return s;
}

inline ReversalTask reversal(const ReversalOptions& o) {
    if (o.min_length < 1 || o.min_length > reversal_max_length)
        throw std::invalid_argument("reversal: min_length must be 1 to " + std::to_string(reversal_max_length) +
                                    ", got " + std::to_string(o.min_length));
    ReversalTask task;
    const std::size_t T = reversal_target_length;
    task.data = Dataset("reversal", reversal_max_length + T, T);
    Rng rng{o.seed};
    std::vector<std::int32_t> source, fed;
    std::vector<float> targets(T);
    for (std::size_t i = 0; i < o.samples; ++i) {
        const std::size_t L = o.min_length + rng.below(reversal_max_length - o.min_length + 1);
        source.resize(L);
        for (auto& s : source) s = std::int32_t(1 + rng.below(reversal_symbols));
        fed.assign(1, 0);  // <bos>, then the answer: position t reads y_t and predicts y_{t+1}
        for (std::size_t t = 0; t < L; ++t) fed.push_back(source[L - 1 - t] + 1);
        std::fill(targets.begin(), targets.end(), float(TokenCrossEntropy::ignore_id));
        for (std::size_t t = 0; t < L; ++t) targets[t] = float(fed[t + 1]);
        targets[L] = 1.f;  // <eos>
        task.data.add_pair(reversal_max_length, source, fed, targets);
        task.sources.push_back(reversal_text(source, 1));
        task.answers.push_back(std::string(task.sources.back().rbegin(), task.sources.back().rend()));
    }
    return task;
}

}  // namespace tn::data
