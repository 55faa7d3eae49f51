// The bodies of eval/bleu.hpp.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <unordered_map>

#include "typenet/eval/bleu.hpp"

namespace tn {

namespace bleu_detail {

// How often each n-gram occurs in `tokens`. An ordered map of small vectors: BLEU runs
// once per evaluation on sentences of tens of tokens, so clarity wins over speed here.
inline std::map<std::vector<std::int32_t>, std::size_t> ngram_counts(std::span<const std::int32_t> tokens,
                                                                   std::size_t n) {
    std::map<std::vector<std::int32_t>, std::size_t> counts;
    for (std::size_t i = 0; i + n <= tokens.size(); ++i) ++counts[std::vector<std::int32_t>(tokens.begin() + i, tokens.begin() + i + n)];
    return counts;
}

// Words as ids, the same id for the same word across a whole corpus, so the id-based
// counting serves both.
struct Interner {
    std::unordered_map<std::string, std::int32_t> ids;
    TokenIds operator()(const Words& words) {
        TokenIds out;
        out.reserve(words.size());
        for (const std::string& w : words) out.push_back(ids.try_emplace(w, std::int32_t(ids.size())).first->second);
        return out;
    }
};

inline void check_order(std::size_t max_order) {
    if (max_order == 0) throw std::invalid_argument("BLEU: max_order must be at least 1");
}

}  // namespace bleu_detail

TYPENET_INLINE BleuCounts& BleuCounts::operator+=(const BleuCounts& other) {
    if (matches.empty() && totals.empty()) {
        matches.assign(other.matches.size(), 0);
        totals.assign(other.totals.size(), 0);
    }
    if (other.matches.size() != matches.size() || other.totals.size() != totals.size())
        throw std::invalid_argument("BLEU: adding counts of " + std::to_string(other.matches.size()) +
                                    " n-gram orders to counts of " + std::to_string(matches.size()));
    for (std::size_t k = 0; k < matches.size(); ++k) {
        matches[k] += other.matches[k];
        totals[k] += other.totals[k];
    }
    hypothesis_length += other.hypothesis_length;
    reference_length += other.reference_length;
    return *this;
}

TYPENET_INLINE BleuCounts bleu_counts(std::span<const TokenIds> references, std::span<const std::int32_t> hypothesis,
                                      std::size_t max_order) {
    bleu_detail::check_order(max_order);
    if (references.empty()) throw std::invalid_argument("BLEU: a hypothesis needs at least one reference");
    BleuCounts counts;
    counts.matches.assign(max_order, 0);
    counts.totals.assign(max_order, 0);
    for (std::size_t n = 1; n <= max_order; ++n) {
        const auto hyp = bleu_detail::ngram_counts(hypothesis, n);
        // For each of the hypothesis's n-grams, the most times any one reference has it.
        std::map<std::vector<std::int32_t>, std::size_t> most;
        for (const TokenIds& reference : references) {
            const auto ref = bleu_detail::ngram_counts(reference, n);
            for (const auto& [ngram, count] : hyp) {
                (void)count;
                if (const auto it = ref.find(ngram); it != ref.end())
                    most[ngram] = std::max(most[ngram], it->second);
            }
        }
        std::size_t matched = 0, total = 0;
        for (const auto& [ngram, count] : hyp) {
            total += count;
            if (const auto it = most.find(ngram); it != most.end()) matched += std::min(count, it->second);
        }
        counts.matches[n - 1] = matched;
        // NLTK's max(1, ...): a hypothesis too short for n-grams of order n still counts
        // one, unmatched, so that it is not rewarded for having none.
        counts.totals[n - 1] = std::max<std::size_t>(total, 1);
    }
    // The reference closest in length; on a tie the shorter (Papineni et al.'s "best
    // match length", as NLTK and mteval-v13a.pl take it).
    const std::size_t c = hypothesis.size();
    std::size_t best = references[0].size();
    for (const TokenIds& reference : references) {
        const std::size_t r = reference.size();
        const auto distance = [c](std::size_t len) { return len > c ? len - c : c - len; };
        if (distance(r) < distance(best) || (distance(r) == distance(best) && r < best)) best = r;
    }
    counts.hypothesis_length = c;
    counts.reference_length = best;
    return counts;
}

TYPENET_INLINE BleuScore bleu_from_counts(const BleuCounts& counts, const BleuOptions& options) {
    bleu_detail::check_order(options.max_order);
    if (counts.matches.size() != options.max_order || counts.totals.size() != options.max_order)
        throw std::invalid_argument("BLEU: counts of " + std::to_string(counts.matches.size()) +
                                    " n-gram orders for BLEU-" + std::to_string(options.max_order));
    if (counts.totals[0] == 0) throw std::invalid_argument("BLEU: no hypothesis to score (an empty corpus)");
    if (options.smoothing == BleuSmoothing::epsilon && !(options.epsilon > 0))
        throw std::invalid_argument("BLEU: the smoothing epsilon must be above 0, got " + std::to_string(options.epsilon));
    BleuScore score;
    score.hypothesis_length = counts.hypothesis_length;
    score.reference_length = counts.reference_length;
    const double c = double(counts.hypothesis_length), r = double(counts.reference_length);
    score.brevity_penalty = counts.hypothesis_length > counts.reference_length ? 1.0
                            : counts.hypothesis_length == 0                    ? 0.0
                                                                               : std::exp(1.0 - r / c);
    bool zero = counts.matches[0] == 0;  // no unigram in common: 0 whatever the smoothing
    double log_sum = 0;
    for (std::size_t k = 0; k < options.max_order; ++k) {
        double p = double(counts.matches[k]) / double(counts.totals[k]);
        if (counts.matches[k] == 0) {
            if (options.smoothing == BleuSmoothing::epsilon)
                p = options.epsilon / double(counts.totals[k]);
            else
                zero = true;
        }
        score.precisions.push_back(p);
        if (p > 0) log_sum += std::log(p);
    }
    // A sum of logs then one exp (the weighted geometric mean), as NLTK computes it, so
    // the two agree to the last bits rather than to a product's rounding.
    score.bleu = zero ? 0.0 : score.brevity_penalty * std::exp(log_sum / double(options.max_order));
    return score;
}

TYPENET_INLINE BleuScore corpus_bleu(std::span<const std::vector<TokenIds>> references,
                                     std::span<const TokenIds> hypotheses, const BleuOptions& options) {
    if (references.size() != hypotheses.size())
        throw std::invalid_argument("BLEU: " + std::to_string(hypotheses.size()) + " hypotheses but " +
                                    std::to_string(references.size()) + " sets of references");
    BleuCounts total;
    for (std::size_t i = 0; i < hypotheses.size(); ++i) {
        if (references[i].empty())
            throw std::invalid_argument("BLEU: hypothesis " + std::to_string(i) + " has no reference");
        total += bleu_counts(references[i], hypotheses[i], options.max_order);
    }
    if (hypotheses.empty()) throw std::invalid_argument("BLEU: no hypothesis to score (an empty corpus)");
    return bleu_from_counts(total, options);
}

TYPENET_INLINE BleuScore corpus_bleu(std::span<const std::vector<Words>> references, std::span<const Words> hypotheses,
                                     const BleuOptions& options) {
    if (references.size() != hypotheses.size())
        throw std::invalid_argument("BLEU: " + std::to_string(hypotheses.size()) + " hypotheses but " +
                                    std::to_string(references.size()) + " sets of references");
    bleu_detail::Interner intern;
    std::vector<std::vector<TokenIds>> ref_ids(references.size());
    std::vector<TokenIds> hyp_ids(hypotheses.size());
    for (std::size_t i = 0; i < hypotheses.size(); ++i) {
        hyp_ids[i] = intern(hypotheses[i]);
        for (const Words& r : references[i]) ref_ids[i].push_back(intern(r));
    }
    return corpus_bleu(std::span<const std::vector<TokenIds>>(ref_ids), std::span<const TokenIds>(hyp_ids), options);
}

TYPENET_INLINE BleuScore sentence_bleu(std::span<const TokenIds> references, std::span<const std::int32_t> hypothesis,
                                       const BleuOptions& options) {
    return bleu_from_counts(bleu_counts(references, hypothesis, options.max_order), options);
}

TYPENET_INLINE BleuScore sentence_bleu(std::span<const Words> references, const Words& hypothesis,
                                       const BleuOptions& options) {
    const std::vector<std::vector<Words>> refs{std::vector<Words>(references.begin(), references.end())};
    const std::vector<Words> hyps{hypothesis};
    return corpus_bleu(std::span<const std::vector<Words>>(refs), std::span<const Words>(hyps), options);
}

}  // namespace tn
