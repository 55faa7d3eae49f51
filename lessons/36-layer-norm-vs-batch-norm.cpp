// Lesson 36: layer norm vs batch norm
// ====================================
//
// Lesson 10 normalised each feature with the batch's statistics (BatchNorm). On a
// batch of sentences of different lengths that is awkward: a feature's mean and
// variance are taken over batch x T positions, most of which, here, are padding;
// a sentence's output depends on which other sentences share its batch; and at
// evaluation the running statistics, gathered over those padded batches, stand in.
// LayerNorm normalises each position over its own features instead: nothing crosses
// from one sentence, or one position, to another, and training and evaluation
// compute the same thing.
//
// One sequence model, three times: the review sentences of lesson 30, each word
// embedded, two Dense + ReLU layers per position, the mean over the sentence's real
// words, a two-class Dense; with no normalisation, with BatchNorm after each Dense,
// and with LayerNorm there. The loss curves are plotted and the held-out accuracy of
// 3 seeds printed; then the same trained models show what batch statistics do: one
// sentence's prediction in two different batches, and the held-out accuracy with the
// running statistics against each batch's own.
//
// Run:  build/release/lessons/36-layer-norm-vs-batch-norm [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh sentiment). About a minute on 2 cores.
// Writes: out/36-layer-norm-vs-batch-norm/loss.svg (training and validation loss per
//         epoch, first seed of each model).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include <typenet/data/sentiment.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

constexpr std::size_t T = 64;    // tokens per sentence (lesson 30's)
constexpr std::size_t V = 2000;  // vocabulary ids at most

//   Tokens<64> -> Embedding<2000, 32> -> Dense<64> [norm] ReLU -> Dense<64> [norm] ReLU
//   -> MeanOverTime -> Dense<2>
// Norm... is empty (no normalisation) or one layer, placed after each Dense.
using WordVectors = Embedding<V, 32, PaddingId<0>, Init<Uniform<5, 100>>>;
template <class... Norm>
using SentenceModel = Sequential<Tokens<T>, WordVectors, Dropout<25>, Dense<64>, Norm..., ReLU, Dense<64>, Norm...,
                                 ReLU, MeanOverTime, Dropout<25>, Dense<2>>;
using Plain = SentenceModel<>;
using WithBatchNorm = SentenceModel<BatchNorm<>>;
using WithLayerNorm = SentenceModel<LayerNorm<>>;

struct Result {
    std::vector<float> loss, val_loss;  // per epoch, first seed
    std::vector<float> test_accuracy;   // per seed
};

template <class Net>
void train_one(Model<Net>& model, const Dataset& train, const Dataset& validation, const Dataset& test,
               std::size_t epochs, Result& r) {
    const History h = fit(model, train, SoftmaxCrossEntropy{}, Adam{{.lr = 2e-3f}},
                          {.epochs = epochs, .batch = 32, .validation = validation, .verbosity = Verbosity::Quiet});
    if (r.loss.empty()) r.loss = h.column(&EpochRecord::loss), r.val_loss = h.column(&EpochRecord::val_loss);
    r.test_accuracy.push_back(evaluate(model, test, SoftmaxCrossEntropy{}).accuracy);
}

// The logits of sentence `who` of `data` when it is sample 0 of a training-mode batch
// whose other samples are `mates`: what the model computes for it during training.
// The model's buffers (BatchNorm's running statistics) are put back afterwards.
template <class Net>
std::vector<float> in_batch(Model<Net>& model, const Dataset& data, std::size_t who,
                            const std::vector<std::size_t>& mates) {
    const std::vector<float> saved(model.buffers().begin(), model.buffers().end());
    std::vector<std::size_t> rows{who};
    rows.insert(rows.end(), mates.begin(), mates.end());
    float* x = model.input(rows.size());
    std::uint32_t* lengths = model.lengths(rows.size());
    for (std::size_t b = 0; b < rows.size(); ++b) {
        for (std::size_t t = 0; t < T; ++t) x[b * T + t] = float(data.tokens[rows[b] * T + t]);
        lengths[b] = std::uint32_t(data.length(rows[b], T));
    }
    // Dropout off (rate 0) so that only the normalisation differs between the calls.
    model.set_dropout_rate(0.f);
    const auto y = model.forward(rows.size(), true);
    std::vector<float> first(y.begin(), y.begin() + 2);
    model.clear_dropout_rate();
    std::copy(saved.begin(), saved.end(), model.buffers().begin());
    return first;
}

// Held-out accuracy with the statistics of each batch of 32 (training mode, dropout
// off) instead of the running ones: what the model computed while it trained.
template <class Net>
double accuracy_with_batch_statistics(Model<Net>& model, const Dataset& data) {
    const std::vector<float> saved(model.buffers().begin(), model.buffers().end());
    model.set_dropout_rate(0.f);
    std::size_t right = 0;
    for (std::size_t first = 0; first < data.size(); first += 32) {
        const std::size_t n = std::min<std::size_t>(32, data.size() - first);
        float* x = model.input(n);
        std::uint32_t* lengths = model.lengths(n);
        for (std::size_t b = 0; b < n; ++b) {
            for (std::size_t t = 0; t < T; ++t) x[b * T + t] = float(data.tokens[(first + b) * T + t]);
            lengths[b] = std::uint32_t(data.length(first + b, T));
        }
        const auto y = model.forward(n, true);
        for (std::size_t b = 0; b < n; ++b)
            right += std::size_t((y[2 * b + 1] > y[2 * b]) == (data.targets[first + b] > 0.5f));
    }
    model.clear_dropout_rate();
    std::copy(saved.begin(), saved.end(), model.buffers().begin());
    return double(right) / double(data.size());
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "36-layer-norm-vs-batch-norm");
        const auto data = data::sentiment(data::find("sentiment"),
                                          {.max_length = T, .vocabulary = {.min_count = 2, .max_size = V}});
        const std::size_t n_fit = data.train.size() - 300;
        const Dataset train = data.train.slice(0, opt.smoke ? 400 : n_fit);
        const Dataset validation = data.train.slice(n_fit, data.train.size());
        const Dataset& test = data.test;

        std::size_t real = 0;
        for (std::size_t i = 0; i < train.size(); ++i) real += train.length(i, T);
        const double padding = 1.0 - double(real) / double(train.size() * T);
        std::printf("sentences: %zu training, %zu validation, %zu held out, padded to %zu tokens: %.1f%% of the "
                    "training positions are padding\n\n",
                    train.size(), validation.size(), test.size(), T, 100.0 * padding);

        const std::size_t seeds = opt.smoke ? 1 : 3;
        const std::size_t epochs = opt.smoke ? 2 : 15;
        Result plain, batch_norm, layer_norm;
        Model<WithBatchNorm> bn_first{Seed{36}};
        Model<WithLayerNorm> ln_first{Seed{36}};
        for (std::size_t s = 0; s < seeds; ++s) {
            Model<Plain> p{Seed{36 + s}};
            train_one(p, train, validation, test, epochs, plain);
            Model<WithBatchNorm> b{Seed{36 + s}};
            train_one(b, train, validation, test, epochs, batch_norm);
            Model<WithLayerNorm> l{Seed{36 + s}};
            train_one(l, train, validation, test, epochs, layer_norm);
            std::printf("seed %zu: held-out accuracy none %.2f%%, BatchNorm %.2f%%, LayerNorm %.2f%%\n", 36 + s,
                        100.0 * plain.test_accuracy.back(), 100.0 * batch_norm.test_accuracy.back(),
                        100.0 * layer_norm.test_accuracy.back());
            if (s == 0) {
                std::copy(b.parameters().begin(), b.parameters().end(), bn_first.parameters().begin());
                std::copy(b.buffers().begin(), b.buffers().end(), bn_first.buffers().begin());
                std::copy(l.parameters().begin(), l.parameters().end(), ln_first.parameters().begin());
            }
        }

        plot::LineChart chart{.title = "Review sentences: loss per epoch (dashed: validation)", .x_label = "epoch",
                              .y_label = "cross-entropy"};
        chart.add("none", plain.loss);
        chart.add("BatchNorm", batch_norm.loss);
        chart.add("LayerNorm", layer_norm.loss);
        chart.add("none, validation", plain.val_loss).dashed();
        chart.add("BatchNorm, validation", batch_norm.val_loss).dashed();
        chart.add("LayerNorm, validation", layer_norm.val_loss).dashed();
        chart.save(lesson::wrote(opt.out / "loss.svg"));

        const auto mean = [](const std::vector<float>& v) {
            return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
        };
        const auto best = [](const std::vector<float>& v) { return *std::min_element(v.begin(), v.end()); };
        std::printf("\n%-11s %14s %14s %16s %22s\n", "", "final loss", "best val loss", "final val loss",
                    "held-out accuracy");
        for (const auto& [name, r] : {std::pair<const char*, const Result&>{"none", plain},
                                      {"BatchNorm", batch_norm}, {"LayerNorm", layer_norm}})
            std::printf("%-11s %14.4f %14.4f %16.4f %14.2f%% (%zu seeds)\n", name, double(r.loss.back()),
                        double(best(r.val_loss)), double(r.val_loss.back()), 100.0 * mean(r.test_accuracy), seeds);

        // -------------------------------------------------------------------------
        // One sentence, two batches
        // -------------------------------------------------------------------------
        // Held-out sentence 0 with 7 short sentences, then with 7 long ones: BatchNorm's
        // statistics, and so its output for sentence 0, change with its batch-mates.
        std::vector<std::size_t> by_length(test.size());
        std::iota(by_length.begin(), by_length.end(), std::size_t{1});
        by_length.pop_back();
        std::sort(by_length.begin(), by_length.end(),
                  [&](std::size_t a, std::size_t b) { return test.length(a, T) < test.length(b, T); });
        const std::vector<std::size_t> short_mates(by_length.begin(), by_length.begin() + 7);
        const std::vector<std::size_t> long_mates(by_length.end() - 7, by_length.end());
        const auto bn_short = in_batch(bn_first, test, 0, short_mates), bn_long = in_batch(bn_first, test, 0, long_mates);
        const auto ln_short = in_batch(ln_first, test, 0, short_mates), ln_long = in_batch(ln_first, test, 0, long_mates);
        auto p_positive = [](const std::vector<float>& l) { return 1.0 / (1.0 + std::exp(double(l[0] - l[1]))); };
        std::printf("\n\"%s\" (%zu words), in training mode:\n", data.vocabulary.decode(
                        std::span<const std::int32_t>(test.tokens.data(), test.length(0, T))).c_str(),
                    test.length(0, T));
        std::printf("  with 7 sentences of %zu-%zu words   BatchNorm P(positive) = %.4f   LayerNorm %.4f\n",
                    test.length(short_mates.front(), T), test.length(short_mates.back(), T), p_positive(bn_short),
                    p_positive(ln_short));
        std::printf("  with 7 sentences of %zu-%zu words  BatchNorm P(positive) = %.4f   LayerNorm %.4f\n",
                    test.length(long_mates.front(), T), test.length(long_mates.back(), T), p_positive(bn_long),
                    p_positive(ln_long));
        const bool layer_norm_alone = ln_short == ln_long;
        std::printf("  LayerNorm's logits are %s in the two batches; BatchNorm's differ by %.4f\n",
                    layer_norm_alone ? "bit-identical" : "NOT identical",
                    std::abs(double(bn_short[1] - bn_short[0]) - double(bn_long[1] - bn_long[0])));

        // Evaluation with the running statistics (what evaluate() and predict() use) and
        // with each batch's own: the same for LayerNorm, which has no batch statistics.
        const double bn_running = evaluate(bn_first, test, SoftmaxCrossEntropy{}).accuracy;
        const double ln_eval = evaluate(ln_first, test, SoftmaxCrossEntropy{}).accuracy;
        std::printf("\nheld-out accuracy of the first seed's models, evaluated (running statistics) and with each "
                    "batch of 32's own statistics:\n  BatchNorm %.2f%% and %.2f%%   LayerNorm %.2f%% and %.2f%%\n",
                    100 * bn_running, 100 * accuracy_with_batch_statistics(bn_first, test), 100 * ln_eval,
                    100 * accuracy_with_batch_statistics(ln_first, test));

        char what[200];
        std::snprintf(what, sizeof what,
                      "the comparison: held-out accuracy none %.2f%%, BatchNorm %.2f%%, LayerNorm %.2f%%; LayerNorm "
                      "independent of the batch",
                      100.0 * mean(plain.test_accuracy), 100.0 * mean(batch_norm.test_accuracy),
                      100.0 * mean(layer_norm.test_accuracy));
        return lesson::report_target(opt, layer_norm_alone, what);
    });
}
