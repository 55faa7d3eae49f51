// BLEU (Papineni, Roukos, Ward & Zhu, ACL 2002): how much of a translation's wording
// is found in reference translations, the usual score of machine translation.
//
//   std::vector<std::vector<tn::Words>> references = {{{"the", "cat", "sat"}}, ...};
//   std::vector<tn::Words> hypotheses = {{"the", "cat", "sat"}, ...};
//   tn::BleuScore s = tn::corpus_bleu(references, hypotheses);   // s.bleu in [0, 1]
//   tn::BleuScore one = tn::sentence_bleu(references[0], hypotheses[0], {.smoothing = tn::BleuSmoothing::epsilon});
//
// Corpus BLEU-N (N = max_order, 4 by default) is
//     BP * exp( sum_n 1/N log p_n ),
// where p_n, the modified n-gram precision, is micro-averaged over the corpus: the
// hypotheses' n-grams found in a reference, each counted at most as often as it occurs
// in the one reference that has it most often ("clipped"), summed over all sentences,
// over all the hypotheses' n-grams. The brevity penalty BP = exp(1 - r / c) when the
// summed hypothesis length c is at most the summed reference length r, else 1; r adds,
// for each hypothesis, the length of its reference closest in length (on a tie, the
// shorter one). Summing before dividing is what makes corpus BLEU differ from the mean
// of the sentence scores: a short sentence weighs less than a long one.
//
// The numbers are NLTK's (nltk.translate.bleu_score.corpus_bleu, checked to 1e-12 by
// tests/unit/bleu_test.cpp on tests/reference/bleu_nltk.json, made by
// tests/reference/make_bleu.py with Debian's python3-nltk), including its two conventions:
// - a hypothesis with fewer than n tokens still counts one n-gram (with no match) towards
//   p_n's denominator, so a one-word answer cannot score well on bigrams by having none;
// - with no unigram match at all BLEU is 0, smoothed or not.
// And one difference: when an order has no match and there is no smoothing, BLEU here is
// exactly 0 (a geometric mean with a zero factor), where NLTK gives about 1e-78 (it takes
// the smallest double for the zero precision).
//
// Smoothing (Chen & Cherry 2014, "A systematic comparison of smoothing techniques for
// sentence-level BLEU"): BleuSmoothing::epsilon is NLTK's method1, a precision with no
// match becomes epsilon / (its n-gram count). It matters for single sentences, where a
// missing 4-gram is common and would make the score 0; a test set's corpus BLEU rarely
// needs it.
//
// Tokens are compared exactly: tokenise hypotheses and references the same way (for the
// verse pairs, with the vocabulary's split(), data/verse_pairs.hpp), and score words rather
// than vocabulary ids when the vocabulary maps rare words to <unk>, which would otherwise
// match each other.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "typenet/config.hpp"

namespace tn {

using Words = std::vector<std::string>;        // a sentence as tokens
using TokenIds = std::vector<std::int32_t>;    // or as ids

enum class BleuSmoothing {
    none,     // Papineni et al.'s BLEU: 0 when any order has no match
    epsilon,  // NLTK's method1: a zero count of matches becomes `epsilon`
};

struct BleuOptions {
    std::size_t max_order = 4;  // N of BLEU-N: n-grams 1..N, weighted 1/N each
    BleuSmoothing smoothing = BleuSmoothing::none;
    double epsilon = 0.1;  // for BleuSmoothing::epsilon (NLTK's default)
};

// What BLEU is computed from: counts that add up over sentences, so a corpus's score
// is that of the summed counts (operator+=), and a test set can be scored in parts.
struct BleuCounts {
    std::vector<std::size_t> matches;  // [n - 1]: clipped n-gram matches
    std::vector<std::size_t> totals;   // [n - 1]: the hypotheses' n-grams (at least 1 a sentence)
    std::size_t hypothesis_length = 0;  // c: tokens in the hypotheses
    std::size_t reference_length = 0;   // r: the closest references' lengths, summed
    TYPENET_INLINE BleuCounts& operator+=(const BleuCounts& other);  // same max_order
};

struct BleuScore {
    double bleu = 0;             // 0 to 1 (multiply by 100 for the usual "BLEU points")
    double brevity_penalty = 0;  // BP
    std::vector<double> precisions;  // p_1 .. p_N as used (after smoothing)
    std::size_t hypothesis_length = 0, reference_length = 0;
};

// One hypothesis against its references (at least one; they may differ in length).
TYPENET_INLINE BleuCounts bleu_counts(std::span<const TokenIds> references, std::span<const std::int32_t> hypothesis,
                                      std::size_t max_order = 4);
// The score of summed counts. Throws std::invalid_argument when they do not fit the
// options (another max_order) or hold no hypothesis n-gram at all (an empty corpus).
TYPENET_INLINE BleuScore bleu_from_counts(const BleuCounts& counts, const BleuOptions& options = {});

// references[i] are the reference translations of hypotheses[i]. A count mismatch, or
// a hypothesis without a reference, is a std::invalid_argument naming the index.
TYPENET_INLINE BleuScore corpus_bleu(std::span<const std::vector<TokenIds>> references,
                                     std::span<const TokenIds> hypotheses, const BleuOptions& options = {});
TYPENET_INLINE BleuScore corpus_bleu(std::span<const std::vector<Words>> references, std::span<const Words> hypotheses,
                                     const BleuOptions& options = {});
// A corpus of one: NLTK's sentence_bleu.
TYPENET_INLINE BleuScore sentence_bleu(std::span<const TokenIds> references, std::span<const std::int32_t> hypothesis,
                                       const BleuOptions& options = {});
TYPENET_INLINE BleuScore sentence_bleu(std::span<const Words> references, const Words& hypothesis,
                                       const BleuOptions& options = {});

}  // namespace tn

#if TYPENET_DEFINE_BODIES
#include "typenet/eval/bleu.ipp"
#endif
