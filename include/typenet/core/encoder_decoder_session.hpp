// EncoderDecoderSession: inference with a trained Model<EncoderDecoder<E, D>> that runs
// the encoder once and then the decoder one token at a time, as greedy and beam
// search (decode/) ask: it is a NextTokenModel (decode/next_token.hpp).
//
//   tn::EncoderDecoderSession session(model);
//   session.encode(sources);                          // B sources: B hypotheses
//   auto out = tn::greedy(session, B, {.start = bos, .end = eos, .max_length = 11});
//   session.encode(source);                           // 1 source: any number of beams
//   auto best = tn::beam_search(session, {.width = 4, ...});
//
// Two ways to step, chosen from the decoder's type:
// - The decoder keeps state (state_size > 0: LSTM<H, Stateful>, later a KV cache): the
//   decoder's layers, bound once more to Tokens<1> (same parameters, same offsets), run
//   one position per call with Pass::start = the position; the state arena carries
//   what the position before left, and reorder() copies rows for the beams.
// - It keeps none (an LSTM without Stateful starts every call from zero): each step
//   runs the whole decoder over the prefix again and reads the newest position.
//   Right for any causal decoder, at O(T^2) cost; make the recurrent layer Stateful
//   to step in O(T).
// Its arenas are its own, so decoding leaves the model's training state untouched.
// With one source and n > 1 hypotheses the memory is shared (Pass::memory_stride 0).
//
// alignments(h): hypothesis h's attention weights, one row of S per generated token,
// from the decoder's first attention layer (a top-level layer with alignments()),
// recorded when record_alignments is set; reorder() carries them with the beams.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/core/aligned_buffer.hpp"
#include "typenet/core/encoder_decoder.hpp"
#include "typenet/core/type_list.hpp"
#include "typenet/decode/next_token.hpp"
#include "typenet/model.hpp"

namespace tn {

namespace detail {
template <class B>
consteval bool has_alignments_of() {
    if constexpr (requires { B::has_alignments; }) return B::has_alignments;
    else return false;
}
// The index of a chain's first layer with alignments (count: none).
template <class Chain>
consteval std::size_t first_alignment_layer() {
    return []<std::size_t... I>(std::index_sequence<I...>) {
        std::size_t found = Chain::count;
        ((found == Chain::count && has_alignments_of<at_t<I, typename Chain::layers>>() ? (found = I, 0) : 0), ...);
        return found;
    }(std::make_index_sequence<Chain::count>{});
}
}  // namespace detail

template <class Net>
class EncoderDecoderSession;

template <class Encoder, class Decoder>
class EncoderDecoderSession<EncoderDecoder<Encoder, Decoder>> {
    using ED = EncoderDecoder<Encoder, Decoder>;
    using Full = typename ED::decoder;
    using Step = typename ED::step_decoder;
    static constexpr std::size_t S = ED::S, T = ED::T, M = ED::M;
    static constexpr bool incremental = state_size_of<Full>() > 0;
    using Runner = std::conditional_t<incremental, Step, Full>;
    static constexpr std::size_t positions = incremental ? 1 : T;  // of the decoder per call
    static constexpr std::size_t V = Runner::output_shape::dims[Runner::output_shape::rank - 1];
    static constexpr std::size_t attention = detail::first_alignment_layer<Runner>();
    static_assert(Step::param_count == Full::param_count,
                  "EncoderDecoderSession: the decoder's parameters depend on its length; it cannot be stepped");

public:
    bool record_alignments = false;

    explicit EncoderDecoderSession(Model<ED>& model) : model_(model) {}

    std::size_t vocabulary() const { return V; }
    std::size_t source_length(std::size_t i) const { return source_lengths_.at(i); }

    // Runs the encoder on B sources (each 1 to S ids).
    void encode(std::span<const std::vector<std::int32_t>> sources) {
        const std::size_t B = sources.size();
        if (B == 0) throw std::invalid_argument("EncoderDecoderSession::encode: no source");
        sources_ = B;
        source_lengths_.resize(B);
        AlignedBuffer x(S * B);
        std::fill_n(x.data(), S * B, 0.f);
        for (std::size_t b = 0; b < B; ++b) {
            const auto& s = sources[b];
            if (s.empty() || s.size() > S)
                throw std::invalid_argument("EncoderDecoderSession::encode: source " + std::to_string(b) + " has " +
                                            std::to_string(s.size()) + " ids; the encoder takes 1 to " +
                                            std::to_string(S));
            for (std::size_t t = 0; t < s.size(); ++t) {
                if (s[t] < 0 || (ED::token_limit > 0 && std::size_t(s[t]) >= ED::token_limit))
                    throw std::out_of_range("EncoderDecoderSession::encode: source " + std::to_string(b) +
                                            ", position " + std::to_string(t) + ": token id " +
                                            std::to_string(s[t]) + " is outside the vocabulary");
                x.data()[b * S + t] = float(s[t]);
            }
            source_lengths_[b] = std::uint32_t(s.size());
        }
        memory_ = AlignedBuffer(M * B);
        AlignedBuffer cache(Encoder::cache_size * B + 1), workspace(Encoder::workspace_size * B + 1);
        AlignedBuffer state(ED::state_size * B + 1);
        std::fill_n(state.data(), ED::state_size * B + 1, 0.f);
        Pass p{.batch = B, .training = false, .rng = &model_.rng(), .buffers = model_.buffers().data()};
        p.lengths = source_lengths_.data();
        p.state = state.data();
        p.state_stride = ED::state_size;
        Encoder::forward(p, model_.parameters().data(), x.data(), memory_.data(), cache.data(), workspace.data());
    }
    void encode(std::span<const std::int32_t> source) {
        const std::vector<std::vector<std::int32_t>> one{{source.begin(), source.end()}};
        encode(one);
    }

    // n hypotheses from the start: n == B (one per source), or any n for one source.
    void begin(std::size_t n) {
        if (sources_ == 0) throw std::logic_error("EncoderDecoderSession::begin: encode a source first");
        if (n != sources_ && sources_ != 1)
            throw std::invalid_argument("EncoderDecoderSession::begin: " + std::to_string(n) + " hypotheses for " +
                                        std::to_string(sources_) + " sources; give one per source, or encode one "
                                        "source for many");
        hypotheses_ = n;
        position_ = 0;
        memory_lengths_.resize(n);
        for (std::size_t h = 0; h < n; ++h) memory_lengths_[h] = source_lengths_[sources_ == 1 ? 0 : h];
        state_ = AlignedBuffer(ED::state_size * n + 1);
        std::fill_n(state_.data(), ED::state_size * n + 1, 0.f);
        cache_ = AlignedBuffer(Runner::cache_size * n + 1);
        workspace_ = AlignedBuffer(Runner::workspace_size * n + 1);
        input_ = AlignedBuffer(positions * n);
        std::fill_n(input_.data(), positions * n, 0.f);
        output_ = AlignedBuffer(Runner::output_shape::size * n);
        prefix_lengths_.assign(n, 1);
        alignments_.assign(n, {});
    }

    void step(std::span<const std::int32_t> last, float* log_probs) {
        const std::size_t n = hypotheses_;
        if (last.size() != n)
            throw std::invalid_argument("EncoderDecoderSession::step: " + std::to_string(last.size()) +
                                        " tokens for " + std::to_string(n) + " hypotheses");
        if (!incremental && position_ >= T)
            throw std::out_of_range("EncoderDecoderSession::step: the decoder reads at most " + std::to_string(T) +
                                    " positions");
        const std::size_t at = incremental ? 0 : position_;
        for (std::size_t h = 0; h < n; ++h) {
            if (last[h] < 0 || (ED::token_limit > 0 && std::size_t(last[h]) >= ED::token_limit))
                throw std::out_of_range("EncoderDecoderSession::step: token id " + std::to_string(last[h]) +
                                        " is outside the vocabulary");
            input_.data()[h * positions + at] = float(last[h]);
            prefix_lengths_[h] = std::uint32_t(at + 1);
        }
        Pass p{.batch = n, .training = false, .rng = &model_.rng(),
               .buffers = model_.buffers().data() + ED::encoder_buffers};
        p.lengths = incremental ? nullptr : prefix_lengths_.data();
        p.state = state_.data() + ED::encoder_state;
        p.state_stride = ED::state_size;
        // A stepped decoder's one position is at position_; a rerun prefix starts at 0
        // (positional encodings read Pass::start).
        p.start = incremental ? position_ : 0;
        p.memory = memory_.data();
        p.memory_stride = sources_ == 1 ? 0 : M;
        p.memory_lengths = memory_lengths_.data();
        Runner::forward(p, model_.parameters().data() + ED::encoder_params, input_.data(), output_.data(),
                        cache_.data(), workspace_.data());
        for (std::size_t h = 0; h < n; ++h)
            std::copy_n(output_.data() + (h * positions + at) * V, V, log_probs + h * V);
        log_softmax_rows(log_probs, n, V);
        if constexpr (attention < Runner::count) {
            if (record_alignments) {
                using A = at_t<attention, typename Runner::layers>;
                const float* layer_cache = cache_.data() + Runner::cache_offsets[attention] * n;
                for (std::size_t h = 0; h < n; ++h) {
                    const float* row = A::alignments(layer_cache, h) + at * A::keys;
                    alignments_[h].insert(alignments_[h].end(), row, row + A::keys);
                }
            }
        }
        ++position_;
    }

    void reorder(std::span<const std::size_t> parents) {
        const std::size_t n = hypotheses_;
        if (parents.size() != n)
            throw std::invalid_argument("EncoderDecoderSession::reorder: " + std::to_string(parents.size()) +
                                        " parents for " + std::to_string(n) + " hypotheses");
        AlignedBuffer state(ED::state_size * n + 1), input(positions * n);
        std::vector<std::vector<float>> alignments(n);
        for (std::size_t h = 0; h < n; ++h) {
            const std::size_t from = parents[h];
            if (from >= n) throw std::out_of_range("EncoderDecoderSession::reorder: no hypothesis " + std::to_string(from));
            std::copy_n(state_.data() + from * ED::state_size, ED::state_size, state.data() + h * ED::state_size);
            std::copy_n(input_.data() + from * positions, positions, input.data() + h * positions);
            alignments[h] = alignments_[from];
        }
        state_ = std::move(state);
        input_ = std::move(input);
        alignments_ = std::move(alignments);
        // One source (the beams): every row's memory length is the same already.
    }

    // Hypothesis h's weights so far: one row of S per step (empty unless recorded).
    const std::vector<float>& alignments(std::size_t h) const { return alignments_.at(h); }
    static constexpr std::size_t memory_positions = S;

private:
    Model<ED>& model_;
    std::size_t sources_ = 0, hypotheses_ = 0, position_ = 0;
    std::vector<std::uint32_t> source_lengths_, memory_lengths_, prefix_lengths_;
    AlignedBuffer memory_, state_, cache_, workspace_, input_, output_;
    std::vector<std::vector<float>> alignments_;
};

template <class Net>
EncoderDecoderSession(Model<Net>&) -> EncoderDecoderSession<Net>;

}  // namespace tn
