// What lessons 31-33 share: the date task (data/dates.hpp), one encoder, decoders
// with and without attention, training, greedy decoding of the held-out dates and
// their exact-match accuracy by source length, and the alignment heatmaps.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <typenet/data/dates.hpp>
#include <typenet/plot/heatmap.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

namespace dates {

using namespace tn;
constexpr std::size_t S = data::date_source_length, T = data::date_target_length;
constexpr std::size_t Vs = data::date_source_vocabulary, Vt = data::date_target_vocabulary;
constexpr std::size_t E = 32;  // character vectors
constexpr std::size_t H = 64;  // the encoder's and decoder's LSTM state
constexpr std::size_t epochs = 8;

//   The encoder reads the characters; its output at every position is the memory
//   [72, 64] the decoder attends over (or, without attention, whose last real row is
//   the only thing the decoder is given).
using Encoder = Sequential<Tokens<S>, Embedding<Vs, E>, LSTM<H>>;

// Without attention (Cho et al. 2014): the source's last encoder state beside every
// decoder input. The decoder's LSTM is Stateful so that decoding steps one token at
// a time (EncoderDecoder zeroes the state before every training pair).
using FixedDecoder = Sequential<Tokens<T>, Embedding<Vt, E>, FixedContext, LSTM<H, Stateful>, Dense<H>, Tanh, Dense<Vt>>;
// With attention: the decoder state scores every source position; the context and
// the state go through Luong's tanh(W_c [c; h]) to the characters.
template <class Attention>
using AttentionDecoder =
    Sequential<Tokens<T>, Embedding<Vt, E>, LSTM<H, Stateful>, Attention, Dense<H>, Tanh, Dense<Vt>>;

template <class Decoder>
using Seq2Seq = EncoderDecoder<Encoder, Decoder>;

struct Split {
    data::DateTask train, test;
};
inline Split make_split(bool smoke) {
    // Disjoint seeds: the test dates are drawn apart from the training ones (a date
    // may recur in both, written in another format or the same; with 36,524 days and 14
    // formats, about 4% of test pairs also occur in training: listed in the notes).
    return {data::dates({.samples = std::size_t(smoke ? 1500 : 16000), .seed = Seed{31}}),
            data::dates({.samples = std::size_t(smoke ? 300 : 3000), .seed = Seed{1031}})};
}

// The source ids of sample i (without padding).
inline std::vector<std::int32_t> source_of(const Dataset& d, std::size_t i) {
    const std::int32_t* row = d.tokens.data() + i * d.input_width;
    return {row, row + d.lengths[i]};
}

struct Trained {
    History history;
    double seconds = 0;
};

template <class Net>
Trained train(Model<Net>& model, const Split& split, bool smoke, std::size_t epoch_count) {
    const auto start = std::chrono::steady_clock::now();
    Trained t;
    t.history = fit(model, split.train.data, TokenCrossEntropy{}, Adam{{.lr = 3e-3f}},
                    {.epochs = smoke ? 1 : epoch_count, .batch = 64, .clip = ClipNorm{5.0}, .verbosity = Verbosity::EpochLines});
    t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return t;
}

// Greedy decoding of every test source, in batches (the encoder once per batch, the
// decoder one character at a time): the outputs as text.
template <class Net>
std::vector<std::string> decode_all(Model<Net>& model, const data::DateTask& task) {
    EncoderDecoderSession session(model);
    std::vector<std::string> out;
    const std::size_t n = task.data.size(), batch = 256;
    for (std::size_t at = 0; at < n; at += batch) {
        std::vector<std::vector<std::int32_t>> sources;
        for (std::size_t i = at; i < std::min(n, at + batch); ++i) sources.push_back(source_of(task.data, i));
        session.encode(sources);
        const auto ids = greedy(session, sources.size(), {.start = data::date_bos, .end = data::date_eos, .max_length = T});
        for (const auto& y : ids) out.push_back(data::date_target_text(y));
    }
    return out;
}

// Exact match (all ten characters right) by source length, in bins of 10 characters.
struct ByLength {
    std::vector<double> centre, accuracy;
    std::vector<std::size_t> count;
    double overall = 0;
};
inline constexpr std::size_t bin_width = 10;
inline ByLength accuracy_by_length(const data::DateTask& task, const std::vector<std::string>& predicted) {
    const std::size_t bins = (S + bin_width - 1) / bin_width;
    std::vector<std::size_t> right(bins), total(bins);
    std::size_t all_right = 0;
    for (std::size_t i = 0; i < predicted.size(); ++i) {
        const std::size_t b = (task.sources[i].size() - 1) / bin_width;
        ++total[b];
        if (predicted[i] == task.isos[i]) ++right[b], ++all_right;
    }
    ByLength r;
    for (std::size_t b = 0; b < bins; ++b) {
        if (total[b] == 0) continue;
        r.centre.push_back(double(b * bin_width) + bin_width / 2.0 + 0.5);
        r.accuracy.push_back(double(right[b]) / double(total[b]));
        r.count.push_back(total[b]);
    }
    r.overall = double(all_right) / double(predicted.size());
    return r;
}
inline void print_by_length(const char* name, const ByLength& r) {
    std::printf("%-26s", name);
    for (std::size_t i = 0; i < r.centre.size(); ++i) std::printf(" %5.1f%%", 100 * r.accuracy[i]);
    std::printf("   all %.2f%%\n", 100 * r.overall);
}
inline void print_length_header(const ByLength& r) {
    std::printf("%-26s", "source length (chars)");
    for (std::size_t i = 0; i < r.centre.size(); ++i) {
        const std::size_t lo = std::size_t(r.centre[i] - bin_width / 2.0 + 0.5);
        std::printf(" %2zu-%-3zu", lo, lo + bin_width - 1);
    }
    std::printf("\n%-26s", "test pairs");
    for (std::size_t c : r.count) std::printf(" %6zu", c);
    std::printf("\n");
}

// The attention weights of greedy decoding for one source: a heatmap with the
// source characters on the x axis and the generated ones on the y axis.
template <class Net>
plot::Heatmap alignment_map(Model<Net>& model, const std::string& source, const std::string& title) {
    EncoderDecoderSession session(model);
    session.record_alignments = true;
    session.encode(data::date_source_ids(source));
    const auto ids = greedy(session, 1, {.start = data::date_bos, .end = data::date_eos, .max_length = T});
    const auto& a = session.alignments(0);
    const std::size_t steps = std::min(a.size() / S, ids[0].size() + 1), L = source.size();
    plot::Heatmap map;
    map.title = title + ": \"" + source + "\" -> " + data::date_target_text(ids[0]);
    map.x_label = "source character";
    map.y_label = "output character";
    map.rows = steps;
    map.columns = L;
    for (std::size_t r = 0; r < steps; ++r)
        for (std::size_t c = 0; c < L; ++c) map.values.push_back(a[r * S + c]);
    for (char ch : source) map.column_labels.push_back(ch == ' ' ? "_" : std::string(1, ch));
    const std::string out = data::date_target_text(ids[0]);
    for (std::size_t r = 0; r < steps; ++r) map.row_labels.push_back(r < out.size() ? std::string(1, out[r]) : "<eos>");
    map.cell = 14;
    return map;
}

}  // namespace dates
