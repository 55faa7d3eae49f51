// Lesson 38: the Transformer decoder
// ===================================
//
// Lessons 31-33 wrote random strings of 4 to 40 letters backwards with LSTMs: without
// attention the long ones failed; with it they recovered. Here the same task (the
// same generator, data/reversal.hpp) is given to a model with no recurrence at all,
// the encoder-decoder Transformer of Vaswani et al. 2017:
//
//   source ids -> Embedding + sinusoidal positions -> 2 x TransformerEncoderLayer  = memory [40, 64]
//   target ids -> Embedding + sinusoidal positions -> 2 x TransformerDecoderLayer -> Dense<22>
//
// Each decoder layer has three sub-blocks. Masked (causal) self-attention: position t
// reads the tokens written at positions <= t only, so teacher forcing trains every
// position at once on exactly what decoding one token at a time will give it.
// Cross-attention: every target position asks the memory where to look, with the
// source's padding masked out (Pass::memory_lengths). A feed-forward per position.
// Writing y_t = x_{L-1-t} needs no memory of the string, only the right address: the
// cross-attention learns to look at source position L-1-t, which the heatmap this
// lesson draws shows as an anti-diagonal.
//
// Training: Adam, a linear warm-up then a cosine decay per step (a post-norm
// Transformer's learning rate must start small), fresh random strings, no dropout
// (no sample is seen twice, so there is nothing to overfit). Evaluation: greedy
// decoding (the encoder once, then the decoder one token at a time; this decoder
// keeps no state, so each step reruns it over the prefix) of held-out strings drawn
// with another seed and none of them in the training set; exact match, by length;
// beam search (width 4) on the first 200 of them beside it.
//
// Run:  build/release/lessons/38-transformer-decoder [--smoke] [--out DIR]   (generated data)
//       About 2.5 minutes on 2 quiet cores (143 s of training and greedy decoding, then beam search).
// Writes: out/38-transformer-decoder/cross_attention_head_{1..4}.png (the last decoder
//         layer's cross-attention, one map per head, for one held-out string),
//         curves.svg, accuracy_by_length.svg

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <typenet/data/reversal.hpp>
#include <typenet/plot/heatmap_png.hpp>
#include <typenet/plot/history.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/train/lr_schedule.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

constexpr std::size_t S = data::reversal_max_length;     // 40 source letters at most
constexpr std::size_t T = data::reversal_target_length;  // 41: the letters, then <eos>
constexpr std::size_t Vs = data::reversal_source_vocabulary, Vt = data::reversal_target_vocabulary;
constexpr std::size_t D = 64, Heads = 4, FF = 128, Layers = 2;

//   part      layer                                                    output     parameters
//   encoder   Tokens<40>, Embedding<21, 64>, SinusoidalPositions        40 x 64        1,344
//             Repeat<2, TransformerEncoderLayer<4, 128>>                40 x 64   2 x 33,472
//   decoder   Tokens<41>, Embedding<22, 64>, SinusoidalPositions        41 x 64        1,408
//             Repeat<2, TransformerDecoderLayer<4, 128>>                41 x 64   2 x 50,240
//             Dense<22>                                                 41 x 22        1,430
using Encoder = Sequential<Tokens<S>, Embedding<Vs, D>, SinusoidalPositions,
                           Repeat<Layers, TransformerEncoderLayer<Heads, FF, BlockDropout<0>>>>;
using Decoder = Sequential<Tokens<T>, Embedding<Vt, D>, SinusoidalPositions,
                           Repeat<Layers, TransformerDecoderLayer<Heads, FF, BlockDropout<0>>>, Dense<Vt>>;
using Net = EncoderDecoder<Encoder, Decoder>;

std::vector<std::int32_t> source_of(const Dataset& d, std::size_t i) {
    const std::int32_t* row = d.tokens.data() + i * d.input_width;
    return {row, row + d.lengths[i]};
}

// Greedy decoding of every held-out source, 256 at a time: the outputs as text.
std::vector<std::string> decode_all(Model<Net>& model, const Dataset& d) {
    EncoderDecoderSession session(model);
    std::vector<std::string> out;
    for (std::size_t at = 0; at < d.size(); at += 256) {
        std::vector<std::vector<std::int32_t>> sources;
        for (std::size_t i = at; i < std::min(d.size(), at + 256); ++i) sources.push_back(source_of(d, i));
        session.encode(sources);
        for (const auto& y : greedy(session, sources.size(), {.start = 0, .end = 1, .max_length = T}))
            out.push_back(data::reversal_text(y, 2));
    }
    return out;
}

// The cross-attention of the last decoder layer for one pair, teacher-forced on the
// model's own answer: the whole network run once on one row with arenas of its own,
// then the layer found in the cache by the types (the decoder's child 2 is the
// Repeat; its last copy is a block of one TransformerDecoderLayer).
std::vector<std::vector<float>> cross_attention_maps(const Model<Net>& model, const std::vector<std::int32_t>& source,
                                                     const std::string& answer) {
    std::vector<float> x(S + T, 0.f), y(Net::output_shape::size);
    for (std::size_t s = 0; s < source.size(); ++s) x[s] = float(source[s]);
    x[S] = 0.f;  // <bos>, then the answer's letters (target ids 2..)
    for (std::size_t t = 0; t < answer.size() && t + 1 < T; ++t) x[S + 1 + t] = float(answer[t] - 'a' + 2);
    const std::uint32_t source_length = std::uint32_t(source.size()), target_length = std::uint32_t(answer.size() + 1);
    std::vector<float> cache(Net::cache_size), workspace(Net::workspace_size);
    Pass p{.batch = 1, .training = false};
    p.lengths = &source_length;
    p.second_lengths = &target_length;
    Net::forward(p, model.parameters().data(), x.data(), y.data(), cache.data(), workspace.data());
    using Stack = at_t<2, Net::decoder::layers>;
    using LastCopy = at_t<Layers - 1, Stack::layers>;
    using Layer = at_t<0, LastCopy::layers>;
    const float* layer_cache = Net::cache_parts(cache.data(), 1).decoder + Net::decoder::cache_offsets[2] +
                               Stack::cache_offsets[Layers - 1] + LastCopy::cache_offsets[0];
    std::vector<std::vector<float>> maps;
    for (std::size_t h = 0; h < Heads; ++h) maps.push_back(Layer::cross_attention_weights(layer_cache, 1, 0, h));
    return maps;
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "38-transformer-decoder");
        const std::size_t n_train = opt.smoke ? 2000 : 40000, n_test = opt.smoke ? 200 : 2000;
        const std::size_t epochs = opt.smoke ? 1 : 6, batch = 64;
        auto train = data::reversal({.samples = n_train, .seed = Seed{38}});
        // Held out: another seed, and any string also in the training set dropped.
        auto drawn = data::reversal({.samples = n_test + n_test / 10, .seed = Seed{1038}});
        const std::set<std::string> seen(train.sources.begin(), train.sources.end());
        data::ReversalTask test{Dataset("reversal held out", S + T, T), {}, {}};
        for (std::size_t i = 0; i < drawn.data.size() && test.sources.size() < n_test; ++i) {
            if (seen.count(drawn.sources[i])) continue;
            const std::int32_t* fed = drawn.data.tokens.data() + i * drawn.data.input_width + S;
            test.data.add_pair(S, source_of(drawn.data, i),
                               std::span<const std::int32_t>(fed, drawn.data.second_lengths[i]), drawn.data.target(i));
            test.sources.push_back(drawn.sources[i]);
            test.answers.push_back(drawn.answers[i]);
        }
        std::printf("reversal: %zu training strings, %zu held out, 4 to %zu letters from %zu\n", train.data.size(),
                    test.data.size(), S, data::reversal_symbols);

        Model<Net> model{Seed{38}};
        model.summary();
        const std::size_t steps = epochs * ((train.data.size() + batch - 1) / batch);
        const std::size_t warmup = std::min<std::size_t>(steps / 10, 400);
        const LrSchedule lr{schedule::LinearWarmup<schedule::Cosine>{
                                .warmup = warmup, .after = {.lr = 2e-3f, .period = steps - warmup, .min_lr = 2e-5f}},
                            Every::step};
        const auto t0 = std::chrono::steady_clock::now();
        const History history = fit(model, train.data, TokenCrossEntropy{}, Adam{{.lr = 2e-3f}},
                                    {.epochs = epochs, .batch = batch, .validation = test.data, .schedule = lr,
                                     .clip = ClipNorm{1.0}, .verbosity = Verbosity::EpochLines});
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("trained in %.0f s\n", seconds);
        plot::curves(history, lesson::wrote(opt.out / "curves.svg"), "Transformer on reversal");

        const auto t1 = std::chrono::steady_clock::now();
        const auto predicted = decode_all(model, test.data);
        std::printf("greedy decoding of %zu held-out strings: %.0f s\n", predicted.size(),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count());
        std::vector<double> centre, accuracy;
        std::size_t right = 0;
        std::printf("exact match by length:");
        for (std::size_t lo = 4; lo <= S; lo += 6) {
            std::size_t n = 0, r = 0;
            for (std::size_t i = 0; i < predicted.size(); ++i)
                if (test.sources[i].size() >= lo && test.sources[i].size() < lo + 6)
                    ++n, r += predicted[i] == test.answers[i];
            if (n == 0) continue;
            centre.push_back(double(lo) + 2.5);
            accuracy.push_back(double(r) / double(n));
            std::printf("  %zu-%zu: %.1f%%", lo, std::min(lo + 5, S), 100.0 * accuracy.back());
        }
        for (std::size_t i = 0; i < predicted.size(); ++i) right += predicted[i] == test.answers[i];
        const double exact = double(right) / double(predicted.size());
        std::printf("\nexact match, all held-out strings: %.2f%%\n", 100 * exact);
        // Beam search (width 4, the beams of one source sharing its memory) on the
        // first held-out strings: with a model this sure of itself it should agree.
        const std::size_t n_beam = std::min<std::size_t>(opt.smoke ? 20 : 200, predicted.size());
        std::size_t beam_right = 0, beam_same = 0;
        {
            const auto t2 = std::chrono::steady_clock::now();
            EncoderDecoderSession session(model);
            for (std::size_t i = 0; i < n_beam; ++i) {
                session.encode(source_of(test.data, i));
                const auto best = beam_search(session, {.width = 4, .start = 0, .end = 1, .max_length = T});
                const std::string text = best.empty() ? "" : data::reversal_text(best[0].tokens, 2);
                beam_right += text == test.answers[i];
                beam_same += text == predicted[i];
            }
            std::printf("beam search (width 4) on %zu held-out strings: %.2f%% exact match, the same output as "
                        "greedy on %zu (%.0f s)\n",
                        n_beam, 100.0 * double(beam_right) / double(n_beam), beam_same,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - t2).count());
        }
        plot::LineChart chart{.title = "Transformer: exact match by source length",
                              .x_label = "source length (letters)", .y_label = "exact match"};
        chart.add("Transformer, greedy", centre, accuracy);
        chart.save(lesson::wrote(opt.out / "accuracy_by_length.svg"));
        for (std::size_t i = 0; i < std::min<std::size_t>(4, predicted.size()); ++i)
            std::printf("  %-42s -> %s%s\n", test.sources[i].c_str(), predicted[i].c_str(),
                        predicted[i] == test.answers[i] ? "" : ("  (truth " + test.answers[i] + ")").c_str());

        // Where the last decoder layer's heads look, for a held-out string of 16 to 24
        // letters: one map per head stacked, output letters down, source letters across.
        std::size_t pick = 0;
        for (std::size_t i = 0; i < test.sources.size(); ++i)
            if (test.sources[i].size() >= 16 && test.sources[i].size() <= 24) { pick = i; break; }
        const auto source = source_of(test.data, pick);
        const std::string& answer = predicted[pick];
        const auto maps = cross_attention_maps(model, source, answer);
        const std::size_t L = source.size(), rows = answer.size() + 1;
        for (std::size_t h = 0; h < Heads; ++h) {
            plot::Heatmap map;
            map.title = "cross-attention, last decoder layer, head " + std::to_string(h + 1) + ": \"" +
                        test.sources[pick] + "\"";
            map.x_label = "source";
            map.y_label = "output";
            map.rows = rows;
            map.columns = L;
            for (std::size_t r = 0; r < rows; ++r) {
                for (std::size_t c = 0; c < L; ++c) map.values.push_back(maps[h][r * S + c]);
                map.row_labels.push_back(r < answer.size() ? std::string(1, answer[r]) : "<eos>");
            }
            for (char ch : test.sources[pick]) map.column_labels.push_back(std::string(1, ch));
            map.cell = 14;
            plot::heatmap_png(map, lesson::wrote(opt.out / ("cross_attention_head_" + std::to_string(h + 1) + ".png")));
        }

        char what[200];
        std::snprintf(what, sizeof what, "%.2f%% exact match on %zu held-out strings of 4-40 letters (target 99%%)",
                      100 * exact, predicted.size());
        return lesson::report_target(opt, exact >= 0.99, what);
    });
}
