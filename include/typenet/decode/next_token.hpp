// What greedy decoding and beam search (greedy.hpp, beam_search.hpp) need of a model:
// the log-probabilities of the next token of each hypothesis, one position at a time.
// Written against this rather than against a network type, so the encoder-decoder
// (core/encoder_decoder_session.hpp), a GPT with its KV cache, or a hand-made table
// (PrefixModel below, the tests) all decode with the same code.
//
//   m.vocabulary()            the number of token ids
//   m.begin(n)                n hypotheses, each from the start (fresh state)
//   m.step(last, log_probs)   last[h]: hypothesis h's newest token; writes
//                             log_probs [n, vocabulary()]: log P(next | its prefix)
//   m.reorder(parents)        hypothesis h continues what hypothesis parents[h] was
//                             (beam search keeps the best continuations; a model
//                             with state copies its rows, a KV cache its cache)
#pragma once
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace tn {

template <class M>
concept NextTokenModel = requires(M& m, std::span<const std::int32_t> last, float* log_probs,
                                  std::span<const std::size_t> parents) {
    { m.vocabulary() } -> std::convertible_to<std::size_t>;
    m.begin(std::size_t{1});
    m.step(last, log_probs);
    m.reorder(parents);
};

// A model given as a function of the whole prefix (the first token included):
// log-probabilities of the next token. It keeps each hypothesis's prefix, so it has
// no state of its own to reorder; it costs a call per hypothesis per step.
class PrefixModel {
public:
    using Function = std::function<std::vector<float>(std::span<const std::int32_t> prefix)>;
    PrefixModel(std::size_t vocabulary, Function f) : vocabulary_(vocabulary), f_(std::move(f)) {}

    std::size_t vocabulary() const { return vocabulary_; }
    void begin(std::size_t n) { prefixes_.assign(n, {}); }
    void step(std::span<const std::int32_t> last, float* log_probs) {
        if (last.size() != prefixes_.size())
            throw std::invalid_argument("PrefixModel::step: " + std::to_string(last.size()) + " tokens for " +
                                        std::to_string(prefixes_.size()) + " hypotheses");
        for (std::size_t h = 0; h < last.size(); ++h) {
            prefixes_[h].push_back(last[h]);
            const std::vector<float> lp = f_(prefixes_[h]);
            if (lp.size() != vocabulary_)
                throw std::invalid_argument("PrefixModel: the function returned " + std::to_string(lp.size()) +
                                            " log-probabilities for a vocabulary of " + std::to_string(vocabulary_));
            std::copy(lp.begin(), lp.end(), log_probs + h * vocabulary_);
        }
    }
    void reorder(std::span<const std::size_t> parents) {
        std::vector<std::vector<std::int32_t>> next;
        next.reserve(parents.size());
        for (std::size_t p : parents) next.push_back(prefixes_.at(p));
        prefixes_ = std::move(next);
    }

private:
    std::size_t vocabulary_;
    Function f_;
    std::vector<std::vector<std::int32_t>> prefixes_;
};

// log-softmax of n rows of v logits, in place (the max subtracted first).
inline void log_softmax_rows(float* x, std::size_t n, std::size_t v) {
    for (std::size_t r = 0; r < n; ++r) {
        float* row = x + r * v;
        float top = row[0];
        for (std::size_t i = 1; i < v; ++i) top = std::max(top, row[i]);
        double total = 0;
        for (std::size_t i = 0; i < v; ++i) total += std::exp(double(row[i] - top));
        const float shift = top + float(std::log(total));
        for (std::size_t i = 0; i < v; ++i) row[i] -= shift;
    }
}

}  // namespace tn
