// Beam search: keeps the `width` most probable prefixes at every position instead of
// greedy's one, for one source at a time (the model's n hypotheses are the beams).
//
//   session.encode(source);                        // one source, read by every beam
//   auto best = tn::beam_search(session, {.width = 4, .alpha = 0.6f, .start = bos, .end = eos,
//                                         .max_length = 11});
//   best[0].tokens                                 // without start and end
//
// Length normalisation is Wu et al. 2016's (GNMT, eq. 14): a finished hypothesis Y is
// ranked by  log P(Y) / lp(Y),  lp(Y) = ((5 + |Y|) / 6)^alpha, |Y| counting its end
// token; alpha = 0 ranks by log P(Y) itself, which favours short outputs (every token
// multiplies in a probability < 1). (Wu et al.'s coverage penalty is not used.)
//
// Each step expands every live beam by every token, keeps the best 2 x width
// continuations by log P, moves those that end into the finished list and keeps the
// best `width` others as the next beams. It stops when `width` hypotheses finished,
// when no live beam can still beat the best finished one (log P only falls as tokens
// are added, and lp is largest at max_length, so log P / lp(max_length) bounds a live
// beam's best possible score), or at max_length, where live beams join the list
// unfinished. Returns the list best first, at most `width` of it.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "typenet/decode/next_token.hpp"

namespace tn {

struct BeamOptions {
    std::size_t width = 4;
    float alpha = 0.f;            // Wu et al.'s length-normalisation exponent; 0: none
    std::int32_t start = 0;       // <bos>
    std::int32_t end = 1;         // <eos>
    std::size_t max_length = 50;  // tokens generated at most (end included)
};

struct Hypothesis {
    std::vector<std::int32_t> tokens;  // after start, without end
    double log_prob = 0;               // log P of the tokens (and of end when finished)
    double score = 0;                  // log_prob / lp: what the ranking uses
    bool finished = false;             // ended with the end token (not cut at max_length)
};

// Wu et al. 2016's length penalty for a hypothesis of `length` tokens.
inline double length_penalty(std::size_t length, float alpha) {
    return alpha == 0.f ? 1.0 : std::pow((5.0 + double(length)) / 6.0, double(alpha));
}

template <NextTokenModel M>
std::vector<Hypothesis> beam_search(M& model, const BeamOptions& o) {
    if (o.width == 0) throw std::invalid_argument("beam_search: the beam width must be at least 1");
    if (!(o.alpha >= 0.f)) throw std::invalid_argument("beam_search: alpha must be >= 0");
    const std::size_t K = o.width, V = model.vocabulary();
    model.begin(K);
    // All K beams start as the same empty prefix; only beam 0 is live at first, so the
    // first step does not fill the beam with K copies of one continuation.
    std::vector<std::vector<std::int32_t>> tokens(K);
    std::vector<double> log_prob(K, -std::numeric_limits<double>::infinity());
    log_prob[0] = 0;
    std::vector<std::int32_t> last(K, o.start);
    std::vector<float> lp(K * V);
    std::vector<Hypothesis> finished;
    struct Candidate {
        double log_prob;
        std::size_t beam;
        std::int32_t token;
    };
    std::vector<Candidate> candidates;
    candidates.reserve(K * V);
    std::vector<std::size_t> parents(K);
    const double best_lp = length_penalty(o.max_length, o.alpha);
    const auto best_finished = [&] {
        double b = -std::numeric_limits<double>::infinity();
        for (const auto& h : finished) b = std::max(b, h.score);
        return b;
    };
    for (std::size_t t = 0; t < o.max_length; ++t) {
        model.step(last, lp.data());
        candidates.clear();
        for (std::size_t k = 0; k < K; ++k) {
            if (!std::isfinite(log_prob[k])) continue;
            for (std::size_t v = 0; v < V; ++v)
                candidates.push_back({log_prob[k] + double(lp[k * V + v]), k, std::int32_t(v)});
        }
        const std::size_t keep = std::min(candidates.size(), 2 * K);
        std::partial_sort(candidates.begin(), candidates.begin() + std::ptrdiff_t(keep), candidates.end(),
                          [](const Candidate& a, const Candidate& b) {
                              if (a.log_prob != b.log_prob) return a.log_prob > b.log_prob;
                              if (a.beam != b.beam) return a.beam < b.beam;
                              return a.token < b.token;
                          });
        std::vector<std::vector<std::int32_t>> next_tokens;
        std::vector<double> next_log_prob;
        for (std::size_t i = 0; i < keep && next_tokens.size() < K; ++i) {
            const Candidate& c = candidates[i];
            if (c.token == o.end) {
                const std::size_t length = tokens[c.beam].size() + 1;
                finished.push_back({tokens[c.beam], c.log_prob, c.log_prob / length_penalty(length, o.alpha), true});
                continue;
            }
            parents[next_tokens.size()] = c.beam;
            next_tokens.push_back(tokens[c.beam]);
            next_tokens.back().push_back(c.token);
            next_log_prob.push_back(c.log_prob);
        }
        const std::size_t live = next_tokens.size();
        if (finished.size() >= K || live == 0) break;
        for (std::size_t k = live; k < K; ++k) {  // fewer continuations than beams: dead rows
            parents[k] = parents[0];
            next_tokens.push_back(next_tokens[0]);
            next_log_prob.push_back(-std::numeric_limits<double>::infinity());
        }
        tokens = std::move(next_tokens);
        log_prob = std::move(next_log_prob);
        model.reorder(parents);
        for (std::size_t k = 0; k < K; ++k) last[k] = tokens[k].back();
        const double bound = *std::max_element(log_prob.begin(), log_prob.end()) / best_lp;
        if (!finished.empty() && best_finished() >= bound) break;
        if (t + 1 == o.max_length)
            for (std::size_t k = 0; k < K; ++k)
                if (std::isfinite(log_prob[k]))
                    finished.push_back(
                        {tokens[k], log_prob[k], log_prob[k] / length_penalty(tokens[k].size(), o.alpha), false});
    }
    std::stable_sort(finished.begin(), finished.end(),
                     [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
    if (finished.size() > K) finished.resize(K);
    return finished;
}

}  // namespace tn
