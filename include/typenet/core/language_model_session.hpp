// LanguageModelSession: generation with a trained decoder-only model (a GPT: a
// Sequential<Tokens<C>, Embedding, ..., causal attention, ..., Dense<V>>), one token
// at a time, as greedy, beam search and sampling ask: it is a NextTokenModel
// (decode/next_token.hpp).
//
//   tn::LanguageModelSession session(model);
//   const std::int32_t start = session.prompt(ids);   // the prompt's last id
//   auto out = tn::greedy(session, 1, {.start = start, .end = eos, .max_length = 200});
//
// prompt(ids) keeps the prompt: every begin(n) then runs ids[0 .. L-2] once and gives
// every hypothesis the result, and the decoders' first step feeds ids[L-1] (the id
// prompt() returns). Without a prompt the first step feeds `start` at position 0.
//
// Two ways to step, chosen from the model's type, as EncoderDecoderSession does:
// - With a KV cache (state_size > 0: MultiHeadAttention or TransformerEncoderLayer
//   with KVCache<Context>): the network, bound once more to Tokens<1> (the same
//   parameters at the same offsets), runs one position per call with Pass::start =
//   the position; each attention layer appends that position's keys and values to
//   its cache and attends the cached ones, so a step costs O(position). The prompt
//   is run in one call of the whole network (its K and V written into the cache:
//   prefill). reorder() copies the cache rows of the beams.
// - Without: every step runs the whole network over the prefix again and reads its
//   newest position (O(position^2) per step). Right for any causal model.
// At most C positions in all (the prompt included); a step past them throws.
// Its arenas are its own, so generating leaves the model's training state untouched.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/core/aligned_buffer.hpp"
#include "typenet/core/sequential.hpp"
#include "typenet/core/tokens.hpp"
#include "typenet/decode/next_token.hpp"
#include "typenet/model.hpp"

namespace tn {

template <class Net>
class LanguageModelSession;

template <std::size_t C, class... Layers>
class LanguageModelSession<Sequential<Tokens<C>, Layers...>> {
    using Net = Sequential<Tokens<C>, Layers...>;
    using Full = detail::SequentialBound<Tokens<C>, Layers...>;
    using Step = detail::SequentialBound<Tokens<1>, Layers...>;
    static constexpr bool incremental = state_size_of<Full>() > 0;
    using Runner = std::conditional_t<incremental, Step, Full>;
    static constexpr std::size_t positions = incremental ? 1 : C;  // per call of Runner
    static_assert(Full::output_shape::rank == 2 && Full::output_shape::dims[0] == C,
                  "LanguageModelSession: the model must give logits [T, V] at every position (end with Dense<V> "
                  "on the sequence, no pooling)");
    static constexpr std::size_t V = Full::output_shape::dims[1];
    static_assert(Step::param_count == Full::param_count && Step::state_size == Full::state_size,
                  "LanguageModelSession: the model's parameters or state depend on its length; it cannot be "
                  "stepped");

public:
    explicit LanguageModelSession(Model<Net>& model) : model_(model) {}

    static constexpr std::size_t context = C;
    static constexpr bool has_kv_cache = incremental;
    std::size_t vocabulary() const { return V; }
    std::size_t position() const { return position_; }

    // Keeps the prompt (1 to C ids) for every begin(); returns its last id, the one
    // the decoders' first step is to feed.
    std::int32_t prompt(std::span<const std::int32_t> ids) {
        if (ids.empty() || ids.size() > C)
            throw std::invalid_argument("LanguageModelSession::prompt: " + std::to_string(ids.size()) +
                                        " ids; the model reads 1 to " + std::to_string(C));
        for (std::size_t t = 0; t < ids.size(); ++t) check_id(ids[t], "prompt position " + std::to_string(t));
        prompt_.assign(ids.begin(), ids.end());
        return prompt_.back();
    }

    void begin(std::size_t n) {
        if (n == 0) throw std::invalid_argument("LanguageModelSession::begin: no hypothesis");
        hypotheses_ = n;
        position_ = 0;
        state_ = zeros(Full::state_size * n + 1);
        cache_ = AlignedBuffer(Runner::cache_size * n + 1);
        workspace_ = AlignedBuffer(Runner::workspace_size * n + 1);
        input_ = zeros(positions * n);
        output_ = AlignedBuffer(Runner::output_shape::size * n);
        prefix_lengths_.assign(n, 1);
        if (prompt_.size() > 1) prefill(std::span<const std::int32_t>(prompt_).first(prompt_.size() - 1));
    }

    void step(std::span<const std::int32_t> last, float* log_probs) {
        const std::size_t n = hypotheses_;
        if (last.size() != n)
            throw std::invalid_argument("LanguageModelSession::step: " + std::to_string(last.size()) +
                                        " tokens for " + std::to_string(n) + " hypotheses");
        if (position_ >= C)
            throw std::out_of_range("LanguageModelSession::step: position " + std::to_string(position_) +
                                    " is past the model's context of " + std::to_string(C) + " positions");
        const std::size_t at = incremental ? 0 : position_;
        for (std::size_t h = 0; h < n; ++h) {
            check_id(last[h], "step at position " + std::to_string(position_));
            input_.data()[h * positions + at] = float(last[h]);
            prefix_lengths_[h] = std::uint32_t(at + 1);
        }
        Pass p = pass(n);
        p.lengths = incremental ? nullptr : prefix_lengths_.data();
        p.start = incremental ? position_ : 0;  // a rerun prefix starts at 0
        Runner::forward(p, model_.parameters().data(), input_.data(), output_.data(), cache_.data(),
                        workspace_.data());
        for (std::size_t h = 0; h < n; ++h)
            std::copy_n(output_.data() + (h * positions + at) * V, V, log_probs + h * V);
        log_softmax_rows(log_probs, n, V);
        ++position_;
    }

    void reorder(std::span<const std::size_t> parents) {
        const std::size_t n = hypotheses_;
        if (parents.size() != n)
            throw std::invalid_argument("LanguageModelSession::reorder: " + std::to_string(parents.size()) +
                                        " parents for " + std::to_string(n) + " hypotheses");
        AlignedBuffer state(Full::state_size * n + 1), input(positions * n);
        for (std::size_t h = 0; h < n; ++h) {
            const std::size_t from = parents[h];
            if (from >= n) throw std::out_of_range("LanguageModelSession::reorder: no hypothesis " + std::to_string(from));
            std::copy_n(state_.data() + from * Full::state_size, Full::state_size, state.data() + h * Full::state_size);
            std::copy_n(input_.data() + from * positions, positions, input.data() + h * positions);
        }
        state_ = std::move(state);
        input_ = std::move(input);
    }

private:
    static AlignedBuffer zeros(std::size_t n) {
        AlignedBuffer b(n);
        std::fill_n(b.data(), n, 0.f);
        return b;
    }
    void check_id(std::int32_t id, const std::string& where) const {
        if (id < 0 || (Full::token_limit > 0 && std::size_t(id) >= Full::token_limit))
            throw std::out_of_range("LanguageModelSession: " + where + ": token id " + std::to_string(id) +
                                    " is outside the vocabulary of " + std::to_string(Full::token_limit));
    }
    Pass pass(std::size_t n) {
        Pass p{.batch = n, .training = false, .rng = &model_.rng(), .buffers = model_.buffers().data()};
        p.state = incremental ? state_.data() : nullptr;
        p.state_stride = Full::state_size;
        return p;
    }

    // The ids before the prompt's last: with a cache, one call of the whole network
    // for hypothesis 0 (its K and V of every position into the cache), whose state
    // every other hypothesis then copies; without one, the ids become every
    // hypothesis's prefix.
    void prefill(std::span<const std::int32_t> ids) {
        const std::size_t n = hypotheses_, L = ids.size();
        if constexpr (incremental) {
            AlignedBuffer x = zeros(C), y(Full::output_shape::size), cache(Full::cache_size + 1),
                          workspace(Full::workspace_size + 1);
            for (std::size_t t = 0; t < L; ++t) x.data()[t] = float(ids[t]);
            const std::uint32_t length = std::uint32_t(L);
            Pass p = pass(1);
            p.lengths = &length;
            Full::forward(p, model_.parameters().data(), x.data(), y.data(), cache.data(), workspace.data());
            for (std::size_t h = 1; h < n; ++h)
                std::copy_n(state_.data(), Full::state_size, state_.data() + h * Full::state_size);
        } else {
            for (std::size_t h = 0; h < n; ++h)
                for (std::size_t t = 0; t < L; ++t) input_.data()[h * positions + t] = float(ids[t]);
        }
        position_ = L;
    }

    Model<Net>& model_;
    std::size_t hypotheses_ = 0, position_ = 0;
    std::vector<std::int32_t> prompt_;
    std::vector<std::uint32_t> prefix_lengths_;
    AlignedBuffer state_, cache_, workspace_, input_, output_;
};

template <class Net>
LanguageModelSession(Model<Net>&) -> LanguageModelSession<Net>;

}  // namespace tn
