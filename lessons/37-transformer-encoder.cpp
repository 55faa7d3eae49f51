// Lesson 37: a Transformer encoder classifier
// ============================================
//
// The sentiment sentences of lesson 30 (3,000 one-sentence reviews of films,
// restaurants and products, UCI "Sentiment Labelled Sentences"), classified by a
// Transformer encoder instead of a BiLSTM. No recurrence: each block lets every word
// read every other word of its sentence at once (self-attention), then transforms
// each position on its own (the feed-forward), each sub-block inside a residual sum
// and a LayerNorm:
//
//   word ids -> Embedding + sinusoidal positions -> 2 x TransformerEncoderLayer
//            -> mean over the sentence's real words -> Dense<2>
//
// Attention is blind to order, so the positions are added to the word vectors
// (layers/positional_encoding.hpp); the key-padding mask comes from each sentence's
// length (Pass::lengths), so padding changes nothing, and MeanOverTime averages the
// real words only (a masked mean).
//
// 2,100 training sentences are very few for a Transformer: it is trained the way
// small Transformers are (Adam with a linear warm-up, then a cosine decay per step;
// dropout in every block, on the word vectors and on the sentence vector), 5 seeds,
// the epoch chosen by early stopping on 300 validation sentences; the 600 held-out
// sentences are scored once per model at the end. Lesson 30's BiLSTM is trained
// beside it with the same seeds, for reference.
//
// Run:  build/release/lessons/37-transformer-encoder [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh sentiment). About 2 minutes on 2 cores (116 s on a busy one).
// Writes: out/37-transformer-encoder/curves.svg (loss and accuracy of seed 37's
//         Transformer per epoch), curves.csv, confusion.svg.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include <typenet/data/sentiment.hpp>
#include <typenet/plot/confusion_matrix.hpp>
#include <typenet/plot/history.hpp>
#include <typenet/train/callbacks.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// Tokens per sentence: 99 of the 3,000 are longer and cut. Lesson 30 reads 64; every
// Dense and LayerNorm of the encoder runs at all T positions, padded or not, so 32
// halves the work for 3% of the sentences losing their ends.
constexpr std::size_t T = 32;
constexpr std::size_t V = 2000;  // vocabulary ids at most (words seen twice in training)
constexpr std::size_t D = 64;    // model width

//   layer                                        output    parameters
//   Tokens<32>                                   32 ids
//   Embedding<2000, 64, PaddingId<0>, ...>       32 x 64   2000 x 64                        = 128,000
//   Dropout<30>, SinusoidalPositions             32 x 64
//   Repeat<2, TransformerEncoderLayer<4, 128>>   32 x 64   2 x (16,640 + 16,576 + 256)      =  66,944
//     self_attn: in_proj 3 x 64 x 64 + 192, out_proj 64 x 64 + 64                          (16,640)
//     linear1 64 x 128 + 128, linear2 128 x 64 + 64                                          (16,576)
//     norm1, norm2: 2 x (64 + 64)                                                            (   256)
//   MeanOverTime                                 64
//   Dropout<50>, Dense<2>                        2         64 x 2 + 2                       =     130
//
// The embedding starts small, U(-0.05, 0.05), as in lesson 30 (a rare word's random
// start is then too small to mislead), which leaves the positions (|PE| <= 1) the
// larger part of the first block's input at the start; training grows the words.
using WordVectors = Embedding<V, D, PaddingId<0>, Init<Uniform<5, 100>>>;
using Encoder = Repeat<2, TransformerEncoderLayer<4, 128, BlockDropout<10>>>;
using TransformerClassifier = Sequential<Tokens<T>, WordVectors, Dropout<30>, SinusoidalPositions, Encoder,
                                         MeanOverTime, Dropout<50>, Dense<2>>;
static_assert(TransformerClassifier::param_count == 128'000 + 66'944 + 130);

// Lesson 30's model, reading the same 32 tokens, for the comparison.
using BiLSTM = Sequential<Tokens<T>, Embedding<V, 32, PaddingId<0>, Init<Uniform<5, 100>>>, Dropout<50>,
                          Bidirectional<LSTM<32>>, MeanOverTime, Dropout<50>, Dense<2>>;

struct Trained {
    float test_accuracy = 0;
    std::size_t best_epoch = 0;
    double seconds = 0;
    History history;
};

constexpr std::size_t batch = 32;

template <class Net>
Trained train_model(Model<Net>& net, const Dataset& train, const Dataset& validation, const Dataset& test,
                    bool transformer, bool smoke) {
    EarlyStopping stop{.monitor = "val_accuracy", .patience = std::size_t(4)};
    const std::size_t epochs = smoke ? 1 : transformer ? 16 : 20;
    const std::size_t steps_per_epoch = (train.size() + batch - 1) / batch;
    // The Transformer: warm-up over the first 2 epochs' steps, then half a cosine to
    // the end of the epoch budget. The BiLSTM: lesson 30's constant rate.
    const std::size_t warmup_epochs = std::min<std::size_t>(2, epochs - 1);
    LrSchedule lr;
    if (transformer)
        lr = LrSchedule{schedule::LinearWarmup<schedule::Cosine>{
                            .warmup = warmup_epochs * steps_per_epoch,
                            .after = {.lr = 1e-3f, .period = (epochs - warmup_epochs) * steps_per_epoch,
                                      .min_lr = 1e-5f}},
                        Every::step};
    Trained t;
    const auto t0 = std::chrono::steady_clock::now();
    t.history = fit(net, train, SoftmaxCrossEntropy{}, Adam{{.lr = transformer ? 1e-3f : 2e-3f}},
                    {.epochs = epochs, .batch = batch, .validation = validation, .schedule = lr,
                     .clip = ClipNorm{5.0}, .verbosity = Verbosity::Quiet},
                    stop);
    t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    t.best_epoch = stop.best_epoch;
    t.test_accuracy = evaluate(net, test, SoftmaxCrossEntropy{}).accuracy;
    return t;
}

std::span<const std::int32_t> ids_of(const Dataset& d, std::size_t i) {
    return {d.tokens.data() + i * d.input_width, d.length(i, d.input_width)};
}

std::pair<double, double> mean_sd(const std::vector<float>& v) {
    double m = 0, q = 0;
    for (float x : v) m += x;
    m /= double(v.size());
    for (float x : v) q += (x - m) * (x - m);
    return {m, v.size() > 1 ? std::sqrt(q / double(v.size() - 1)) : 0.0};
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "37-transformer-encoder");
        const auto data = data::sentiment(data::find("sentiment"),
                                          {.max_length = T, .vocabulary = {.min_count = 2, .max_size = V}});
        // Lesson 30's split: the last 300 training sentences choose the epoch.
        const std::size_t n_fit = data.train.size() - 300;
        const Dataset train = data.train.slice(0, opt.smoke ? 400 : n_fit);
        const Dataset validation = data.train.slice(n_fit, data.train.size());
        const Dataset& test = data.test;
        std::printf("sentences: %zu training, %zu validation, %zu held out; vocabulary %zu words; %zu cut at %zu "
                    "tokens\n\n",
                    train.size(), validation.size(), test.size(), data.vocabulary.size(), data.truncated, T);

        Model<TransformerClassifier> first{Seed{37}};
        first.summary();
        const std::size_t seeds = opt.smoke ? 1 : 5;
        std::vector<float> tr_acc, bi_acc;
        History first_history;
        double tr_seconds = 0, bi_seconds = 0;
        for (std::size_t s = 0; s < seeds; ++s) {
            Model<TransformerClassifier> tr{Seed{37 + s}};
            Model<BiLSTM> bi{Seed{37 + s}};
            const Trained a = train_model(tr, train, validation, test, true, opt.smoke);
            const Trained b = train_model(bi, train, validation, test, false, opt.smoke);
            std::printf("seed %zu: Transformer %.2f%% (best epoch %zu, %.0f s), BiLSTM %.2f%% (best epoch %zu, %.0f s)\n",
                        37 + s, 100.0 * double(a.test_accuracy), a.best_epoch, a.seconds,
                        100.0 * double(b.test_accuracy), b.best_epoch, b.seconds);
            std::fflush(stdout);
            tr_acc.push_back(a.test_accuracy);
            bi_acc.push_back(b.test_accuracy);
            tr_seconds += a.seconds, bi_seconds += b.seconds;
            if (s == 0) {
                std::copy(tr.parameters().begin(), tr.parameters().end(), first.parameters().begin());
                first_history = a.history;
            }
        }
        const auto [tr_mean, tr_sd] = mean_sd(tr_acc);
        const auto [bi_mean, bi_sd] = mean_sd(bi_acc);
        std::printf("\nheld-out accuracy over %zu seeds: Transformer %.2f%% +- %.2f (%.0f s in all), "
                    "BiLSTM (lesson 30) %.2f%% +- %.2f (%.0f s)\n",
                    seeds, 100 * tr_mean, 100 * tr_sd, tr_seconds, 100 * bi_mean, 100 * bi_sd, bi_seconds);

        plot::curves(first_history, lesson::wrote(opt.out / "curves.svg"),
                     "Transformer encoder on the sentiment sentences, seed 37");
        first_history.write_csv(lesson::wrote(opt.out / "curves.csv"));

        // The first seed's Transformer on the held-out sentences.
        std::vector<std::size_t> predicted, labels;
        for (std::size_t i = 0; i < test.size(); ++i) {
            const auto logits = first.predict(ids_of(test, i));
            predicted.push_back(logits[1] > logits[0] ? 1 : 0);
            labels.push_back(std::size_t(test.targets[i]));
        }
        const auto m = plot::confusion_matrix(predicted, labels, 2);
        std::printf("\nconfusion matrix of seed 37's Transformer (rows: truth, columns: predicted)\n%12s %9s %9s\n", "",
                    "negative", "positive");
        for (std::size_t r = 0; r < 2; ++r)
            std::printf("%12s %9zu %9zu\n", data.class_names[r].c_str(), m.at(r, 0), m.at(r, 1));
        plot::confusion_matrix_svg(lesson::wrote(opt.out / "confusion.svg"), m,
                                   {.title = "Transformer encoder on held-out review sentences",
                                    .class_names = data.class_names});

        std::printf("\nsentences of our own (P = the model's probability of positive):\n");
        for (const char* s : {"The food was great and the staff were friendly.", "Not good at all.",
                              "I would not recommend this phone to anyone.", "Not bad, actually quite good.",
                              "The plot was boring but the acting was excellent.", "Waste of money."}) {
            auto ids = data.vocabulary.encode(s);
            if (ids.size() > T) ids.resize(T);
            const auto logits = first.predict(ids);
            const double p = 1.0 / (1.0 + std::exp(double(logits[0] - logits[1])));
            std::printf("  P = %.2f  %-9s %s\n", p, p > 0.5 ? "positive" : "negative", s);
        }

        const bool reached = tr_mean >= 0.78;
        char what[200];
        std::snprintf(what, sizeof what,
                      "Transformer held-out accuracy %.2f%% (mean of %zu seeds; target >= 78%%), "
                      "lesson 30's BiLSTM %.2f%%",
                      100 * tr_mean, seeds, 100 * bi_mean);
        return lesson::report_target(opt, reached, what);
    });
}
