// What lessons 31-33 share: the date and reversal tasks (data/dates.hpp,
// data/reversal.hpp), one encoder, decoders
// with and without attention, training, greedy decoding of the held-out dates and
// their exact-match accuracy by source length, and the alignment heatmaps.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <typenet/data/dates.hpp>
#include <typenet/data/reversal.hpp>
#include <typenet/plot/heatmap.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

namespace dates {

using namespace tn;
constexpr std::size_t E = 32;  // token vectors
constexpr std::size_t H = 64;  // the encoder's and decoder's LSTM state

// The two generated tasks: sizes, and how a target is read back as text.
struct Dates {
    static constexpr const char* name = "dates";
    static constexpr std::size_t S = data::date_source_length, T = data::date_target_length;
    static constexpr std::size_t Vs = data::date_source_vocabulary, Vt = data::date_target_vocabulary;
    static constexpr std::size_t bin_width = 10, epochs = 6;
    static std::string text(const std::vector<std::int32_t>& ids) { return data::date_target_text(ids); }
};
struct Reversal {
    static constexpr const char* name = "reversal";
    static constexpr std::size_t S = data::reversal_max_length, T = data::reversal_target_length;
    static constexpr std::size_t Vs = data::reversal_source_vocabulary, Vt = data::reversal_target_vocabulary;
    // Attention must learn to align by position alone (the letters are random): it
    // needs more epochs than the dates.
    static constexpr std::size_t bin_width = 4, epochs = 10;
    static std::string text(const std::vector<std::int32_t>& ids) { return data::reversal_text(ids, 2); }
};

//   The encoder reads the source; its output at every position is the memory [S, 64]
//   the decoder attends over (or, without attention, whose last real row is the only
//   thing the decoder is given).
template <class K>
using Encoder = Sequential<Tokens<K::S>, Embedding<K::Vs, E>, LSTM<H>>;
// Without attention (Cho et al. 2014): the source's last encoder state beside every
// decoder input. The decoder's LSTM is Stateful so that decoding steps one token at
// a time (EncoderDecoder zeroes the state before every training pair).
template <class K>
using FixedDecoder = Sequential<Tokens<K::T>, Embedding<K::Vt, E>, FixedContext, LSTM<H, Stateful>, Dense<H>, Tanh,
                                Dense<K::Vt>>;
// With attention: the decoder state scores every source position; the context and
// the state go through Luong's tanh(W_c [c; h]) to the output tokens.
template <class K, class Attention>
using AttentionDecoder =
    Sequential<Tokens<K::T>, Embedding<K::Vt, E>, LSTM<H, Stateful>, Attention, Dense<H>, Tanh, Dense<K::Vt>>;

template <class K>
using NoAttention = EncoderDecoder<Encoder<K>, FixedDecoder<K>>;
// With attention the encoder is bidirectional, as Bahdanau et al.'s: each output k_s
// (32 numbers from each direction) describes the source around s from both sides,
// including how far s is from the end, which is what reversing needs to align by.
// The same width (64) as the LSTM<64> without attention, so the Dot score applies.
template <class K>
using BidirectionalEncoder = Sequential<Tokens<K::S>, Embedding<K::Vs, E>, Bidirectional<LSTM<H / 2>>>;
template <class K, class Attention>
using WithAttention = EncoderDecoder<BidirectionalEncoder<K>, AttentionDecoder<K, Attention>>;

// Pairs of one task: the rows, and each source and answer as text.
struct Pairs {
    Dataset data;
    std::vector<std::string> sources, answers;
};
struct Split {
    Pairs train, test;
};
template <class K>
Split make_split(bool smoke) {
    // Disjoint seeds: the test pairs are drawn apart from the training ones.
    const std::size_t n_train = smoke ? 1500 : 12000, n_test = smoke ? 300 : 2000;
    if constexpr (std::is_same_v<K, Dates>) {
        auto train = data::dates({.samples = n_train, .seed = Seed{31}});
        auto test = data::dates({.samples = n_test, .seed = Seed{1031}});
        return {{std::move(train.data), std::move(train.sources), std::move(train.isos)},
                {std::move(test.data), std::move(test.sources), std::move(test.isos)}};
    } else {
        auto train = data::reversal({.samples = n_train, .seed = Seed{31}});
        auto test = data::reversal({.samples = n_test, .seed = Seed{1031}});
        return {{std::move(train.data), std::move(train.sources), std::move(train.answers)},
                {std::move(test.data), std::move(test.sources), std::move(test.answers)}};
    }
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

template <class K, class Net>
Trained train(Model<Net>& model, const Split& split, bool smoke, std::size_t epoch_count = K::epochs) {
    const auto start = std::chrono::steady_clock::now();
    Trained t;
    // Adam at 3e-3, decayed along a cosine to 1e-4 by the last step: the small late
    // steps are what turn "almost every character right" into whole strings right.
    const std::size_t epochs = smoke ? 1 : epoch_count, batch = 64;
    const std::size_t steps = epochs * ((split.train.data.size() + batch - 1) / batch);
    t.history = fit(model, split.train.data, TokenCrossEntropy{}, Adam{{.lr = 3e-3f}},
                    {.epochs = epochs, .batch = batch,
                     .schedule = {schedule::Cosine{.lr = 3e-3f, .period = steps, .min_lr = 1e-4f}, Every::step},
                     .clip = ClipNorm{5.0}, .verbosity = Verbosity::EpochLines});
    t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return t;
}

// Greedy decoding of every test source, in batches (the encoder once per batch, the
// decoder one token at a time): the outputs as text.
template <class K, class Net>
std::vector<std::string> decode_all(Model<Net>& model, const Pairs& pairs) {
    EncoderDecoderSession session(model);
    std::vector<std::string> out;
    const std::size_t n = pairs.data.size(), batch = 256;
    for (std::size_t at = 0; at < n; at += batch) {
        std::vector<std::vector<std::int32_t>> sources;
        for (std::size_t i = at; i < std::min(n, at + batch); ++i) sources.push_back(source_of(pairs.data, i));
        session.encode(sources);
        const auto ids = greedy(session, sources.size(), {.start = 0, .end = 1, .max_length = K::T});
        for (const auto& y : ids) out.push_back(K::text(y));
    }
    return out;
}

// Exact match (every output token right, and no more) by source length, in bins.
struct ByLength {
    std::vector<double> centre, accuracy;
    std::vector<std::size_t> count, low;
    double overall = 0;
    double accuracy_in(std::size_t from, std::size_t to) const {  // pairs with source length in [from, to]
        double right = 0, n = 0;
        for (std::size_t i = 0; i < low.size(); ++i)
            if (low[i] >= from && low[i] <= to) right += accuracy[i] * double(count[i]), n += double(count[i]);
        return n > 0 ? right / n : 0;
    }
};
template <class K>
ByLength accuracy_by_length(const Pairs& pairs, const std::vector<std::string>& predicted) {
    const std::size_t bins = (K::S + K::bin_width - 1) / K::bin_width;
    std::vector<std::size_t> right(bins), total(bins);
    std::size_t all_right = 0;
    for (std::size_t i = 0; i < predicted.size(); ++i) {
        const std::size_t b = (pairs.sources[i].size() - 1) / K::bin_width;
        ++total[b];
        if (predicted[i] == pairs.answers[i]) ++right[b], ++all_right;
    }
    ByLength r;
    for (std::size_t b = 0; b < bins; ++b) {
        if (total[b] == 0) continue;
        r.low.push_back(b * K::bin_width + 1);
        r.centre.push_back(double(b * K::bin_width) + double(K::bin_width + 1) / 2.0);
        r.accuracy.push_back(double(right[b]) / double(total[b]));
        r.count.push_back(total[b]);
    }
    r.overall = double(all_right) / double(predicted.size());
    return r;
}
template <class K>
void print_length_header(const ByLength& r) {
    std::printf("%-24s", "source length");
    for (std::size_t lo : r.low) std::printf(" %2zu-%-3zu", lo, lo + K::bin_width - 1);
    std::printf("\n%-24s", "test pairs");
    for (std::size_t c : r.count) std::printf(" %6zu", c);
    std::printf("\n");
}
inline void print_by_length(const char* name, const ByLength& r) {
    std::printf("%-24s", name);
    for (double a : r.accuracy) std::printf(" %5.1f%%", 100 * a);
    std::printf("   all %.2f%%\n", 100 * r.overall);
}
inline void write_csv(const std::filesystem::path& path, const ByLength& r) {
    std::FILE* f = std::fopen(path.string().c_str(), "w");
    if (!f) throw std::runtime_error("cannot write " + path.string());
    std::fprintf(f, "length_bin_centre,pairs,exact_match\n");
    for (std::size_t i = 0; i < r.centre.size(); ++i) std::fprintf(f, "%g,%zu,%g\n", r.centre[i], r.count[i], r.accuracy[i]);
    std::fclose(f);
}
// Reads a curve write_csv wrote (empty when the file is not there).
inline std::pair<std::vector<double>, std::vector<double>> read_csv(const std::filesystem::path& path) {
    std::pair<std::vector<double>, std::vector<double>> xy;
    std::FILE* f = std::fopen(path.string().c_str(), "r");
    if (!f) return xy;
    char line[256];
    if (std::fgets(line, sizeof line, f))
        while (std::fgets(line, sizeof line, f)) {
            double c = 0, a = 0;
            std::size_t n = 0;
            if (std::sscanf(line, "%lf,%zu,%lf", &c, &n, &a) == 3) xy.first.push_back(c), xy.second.push_back(a);
        }
    std::fclose(f);
    return xy;
}

// The attention weights of greedy decoding for one source: a heatmap with the
// source tokens on the x axis and the generated ones on the y axis.
template <class K, class Net>
plot::Heatmap alignment_map(Model<Net>& model, const std::vector<std::int32_t>& source, const std::string& source_text,
                            const std::string& title) {
    EncoderDecoderSession session(model);
    session.record_alignments = true;
    session.encode(source);
    const auto ids = greedy(session, 1, {.start = 0, .end = 1, .max_length = K::T});
    const auto& a = session.alignments(0);
    const std::string out = K::text(ids[0]);
    const std::size_t steps = std::min(a.size() / K::S, ids[0].size() + 1), L = source.size();
    plot::Heatmap map;
    map.title = title + ": \"" + source_text + "\" -> " + out;
    map.x_label = "source";
    map.y_label = "output";
    map.rows = steps;
    map.columns = L;
    for (std::size_t r = 0; r < steps; ++r)
        for (std::size_t c = 0; c < L; ++c) map.values.push_back(a[r * K::S + c]);
    for (char ch : source_text) map.column_labels.push_back(ch == ' ' ? "_" : std::string(1, ch));
    for (std::size_t r = 0; r < steps; ++r) map.row_labels.push_back(r < out.size() ? std::string(1, out[r]) : "<eos>");
    map.cell = 14;
    return map;
}

}  // namespace dates
