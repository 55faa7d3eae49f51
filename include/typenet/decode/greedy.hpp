// Greedy decoding: at every position the single most probable next token, for n
// independent hypotheses at once (a batch of sources, each its own sequence).
//
//   session.encode(sources);                       // core/encoder_decoder_session.hpp
//   auto outputs = tn::greedy(session, sources.size(), {.start = bos, .end = eos, .max_length = 11});
//
// Each output is the tokens after `start`, up to and without `end` (or max_length
// tokens when no end came). Ties go to the lower id. The model is anything with
// NextTokenModel's four calls (next_token.hpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "typenet/decode/next_token.hpp"

namespace tn {

struct DecodeOptions {
    std::int32_t start = 0;       // the first token fed (<bos>)
    std::int32_t end = 1;         // the token that ends a hypothesis (<eos>)
    std::size_t max_length = 50;  // at most this many tokens generated (end included)
};

template <NextTokenModel M>
std::vector<std::vector<std::int32_t>> greedy(M& model, std::size_t n, const DecodeOptions& o) {
    const std::size_t V = model.vocabulary();
    model.begin(n);
    std::vector<std::int32_t> last(n, o.start);
    std::vector<float> log_probs(n * V);
    std::vector<std::vector<std::int32_t>> out(n);
    std::vector<bool> done(n, false);
    std::size_t finished = 0;
    for (std::size_t t = 0; t < o.max_length && finished < n; ++t) {
        model.step(last, log_probs.data());
        for (std::size_t h = 0; h < n; ++h) {
            const float* row = log_probs.data() + h * V;
            std::size_t best = 0;
            for (std::size_t v = 1; v < V; ++v)
                if (row[v] > row[best]) best = v;
            last[h] = std::int32_t(best);  // a finished hypothesis keeps stepping, unread
            if (done[h]) continue;
            if (last[h] == o.end) {
                done[h] = true;
                ++finished;
            } else {
                out[h].push_back(last[h]);
            }
        }
    }
    return out;
}

}  // namespace tn
