// Lesson 26: an LSTM that writes like Arthur Conan Doyle
// ========================================================
//
// A character language model reads text one character at a time and, at every
// position, predicts the next one: a softmax over the 83 characters of the book.
// Trained on The Adventures of Sherlock Holmes, it learns spelling, then words,
// punctuation, quotes and line breaks, then a little grammar, and nothing else:
// every one of those comes out of "which character comes next?".
//
// The loss is the cross-entropy of the next character, in nats per character
// (ln 83 = 4.42 for a model that knows nothing; 1.6 is the target here). Sampling
// from the model, one character at a time, each one fed back in, writes new text;
// the temperature sharpens (< 1) or flattens (> 1) the model's distribution.
//
// Training on a book of 506,000 characters: the model cannot read it in one piece,
// so backpropagation through time is truncated at 64 characters. Two ways:
//   - windows: cut the text into windows of 64 (here every 32 characters), each
//     one a sample that starts from a zero state, shuffled;
//   - streams (the default): cut the book into 32 long streams, one per row of the
//     batch, and walk down all of them together, 64 characters per step. With
//     Stateful, the LSTM's state at the end of one batch is where the next batch
//     starts, so the model sees the whole book as context; the gradient still stops
//     at the 64-character boundary (truncated BPTT).
// --windows trains the first way, for comparison (docs/05-rnn.md has both runs).
//
// Run:  build/release/lessons/26-lstm-text [--smoke] [--windows] [--out DIR]
//       (after scripts/fetch-data.sh text). The full run, 8 epochs of the book, took
//       68 s of training on one core of a busy machine, 4.5 minutes on both of its
//       cores (the README says why: OMP_NUM_THREADS=1 there).
// Writes: out/26-lstm-text/curves.svg (loss per epoch), history.csv, samples.txt,
//         char_lstm.safetensors (the weights, PyTorch's names) and chars.vocab.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <typenet/data/language_model.hpp>
#include <typenet/data/text.hpp>
#include <typenet/data/vocabulary.hpp>
#include <typenet/decode/sample.hpp>
#include <typenet/plot/history.hpp>
#include <typenet/train/checkpoint.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"
#include "text_models.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The network
// ---------------------------------------------------------------------------------
//
// 81 distinct characters in the book, plus padding (id 0) and unknown (id 1).
constexpr std::size_t V = 83;
constexpr std::size_t T = 64;  // characters per step of truncated BPTT

//   layer                      output     parameters
//   Tokens<64>                 64 ids
//   Embedding<83, 64>          64 x 64    83 x 64                         =   5,312
//   LSTM<256, Stateful>        64 x 256   4 x 256 x (64 + 256) + 2 x 1024 = 329,728
//   Dense<83>                  64 x 83    256 x 83 + 83                   =  21,331
//
// Dense acts at every position: 64 next-character predictions per window.
template <class... RecurrentOptions>
using CharLSTM = Sequential<Tokens<T>, Embedding<V, 64>, LSTM<256, RecurrentOptions...>, Dense<V>>;
using Streamed = CharLSTM<Stateful>;
using Windowed = CharLSTM<>;
// The same layers one character at a time, for generating text.
using OneStep = Sequential<Tokens<1>, Embedding<V, 64>, LSTM<256, Stateful>, Dense<V>>;

static_assert(std::is_same_v<Streamed::output_shape, Shape<T, V>>);
static_assert(Streamed::param_count == 356'371 && OneStep::param_count == Streamed::param_count);

struct Run {
    History history;
    Evaluation validation;  // over the whole validation text, one stream
    double seconds = 0;
};

// Trains one of the two layouts; fills `step` with the trained weights.
template <class Net>
Run train(const data::CorpusSplit& parts, bool streams, bool smoke, Model<OneStep>& step) {
    const std::size_t batch = 32;
    // Windows every 32 characters show each character twice per epoch: half the epochs
    // give both layouts the same number of characters trained on.
    const std::size_t epochs = smoke ? 1 : streams ? 8 : 4;
    Model<Net> net{Seed{26}};
    net.summary();
    // The validation text as the model is trained to see it: streams of 64 in a batch of
    // 256 (fit evaluates in batches of 256), or windows of 64 from a zero state.
    const Dataset train = streams ? data::lm_streams(parts.train, T, batch)
                                  : data::lm_windows(parts.train, T, {.stride = T / 2});
    const Dataset validation = streams ? data::lm_streams(parts.validation, T, 256) : data::lm_windows(parts.validation, T);
    std::printf("training: %zu samples of %zu characters (%s); validation: %zu\n\n", train.size(), T,
                streams ? "32 streams, in order" : "windows every 32 characters, shuffled", validation.size());
    // Adam, gradients clipped to a global norm of 1 (an LSTM's gradient can still spike
    // on an unusual stretch of text), the rate decayed by a cosine from 3e-3 to 1e-4.
    Adam adam{{.lr = 3e-3f}};
    const auto t0 = std::chrono::steady_clock::now();
    Run run;
    run.history = fit(net, train, TokenCrossEntropy{}, adam,
                      {.epochs = epochs, .batch = batch, .validation = validation, .shuffle = !streams,
                       .schedule = schedule::Cosine{.lr = 3e-3f, .period = epochs, .min_lr = 1e-4f},
                       .clip = ClipNorm{1.0}});
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    lesson::copy_parameters(net, step);
    // The honest number: the validation text read once, start to end, as one stream
    // (OneStep carries its state across the whole text), every character predicted from
    // all the text before it.
    Model<OneStep> reader;
    lesson::copy_parameters(net, reader);
    run.validation = evaluate(reader, data::lm_streams(parts.validation, 1, 1), TokenCrossEntropy{}, 1);
    return run;
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        bool windows = false;
        std::vector<char*> args;
        for (int i = 0; i < argc; ++i) {
            if (std::strcmp(argv[i], "--windows") == 0) windows = true;
            else args.push_back(argv[i]);
        }
        const auto opt = lesson::parse(int(args.size()), args.data(), "26-lstm-text");
        if (!opt.smoke)
            std::printf("The full run trains 8 epochs of the book: up to 5 minutes on 2 cores "
                        "(about 70 s on one quiet core).\n\n");

        // -------------------------------------------------------------------------
        // The data: the book as character ids, split by position 90 / 5 / 5
        // -------------------------------------------------------------------------
        std::string book = data::sherlock_holmes();
        const auto vocab = data::Vocabulary::characters(book);
        if (vocab.size() != V)
            throw std::runtime_error("the book has " + std::to_string(vocab.size()) +
                                     " character ids, the network was written for " + std::to_string(V));
        if (opt.smoke) book.resize(40'000);  // a few seconds of training
        const auto ids = vocab.encode(book);
        const auto parts = data::split_corpus(ids);
        std::printf("Sherlock Holmes: %zu characters, %zu ids; train %zu, validation %zu, test %zu\n",
                    ids.size(), vocab.size(), parts.train.size(), parts.validation.size(), parts.test.size());
        std::printf("a model that knows nothing: ln %zu = %.2f nats per character\n\n", V, std::log(double(V)));

        Model<OneStep> step;
        const Run run = windows ? train<Windowed>(parts, false, opt.smoke, step)
                                : train<Streamed>(parts, true, opt.smoke, step);
        plot::curves(run.history, lesson::wrote(opt.out / "curves.svg"),
                     windows ? "Character LSTM on Sherlock Holmes (windows)" : "Character LSTM on Sherlock Holmes");
        run.history.write_csv(lesson::wrote(opt.out / "history.csv"));
        const Evaluation test = evaluate(step, data::lm_streams(parts.test, 1, 1), TokenCrossEntropy{}, 1);
        std::printf("\ntrained in %.0f s\n", run.seconds);
        std::printf("validation (read as one stream): %.3f nats per character, perplexity %.2f, accuracy %.1f%%\n",
                    double(run.validation.loss), double(run.validation.perplexity),
                    100.0 * double(run.validation.accuracy));
        std::printf("test       (read as one stream): %.3f nats per character, perplexity %.2f\n",
                    double(test.loss), double(test.perplexity));

        // -------------------------------------------------------------------------
        // Samples at three temperatures
        // -------------------------------------------------------------------------
        std::string samples;
        Rng rng{Seed{1661}};
        for (const float temperature : {0.5f, 0.8f, 1.0f}) {
            const std::string text = lesson::sample_text(step, vocab, "\"My dear Watson,\" said Holmes, ",
                                                         opt.smoke ? 80 : 400, {.temperature = temperature}, rng);
            char head[64];
            std::snprintf(head, sizeof head, "--- temperature %.1f ---\n", double(temperature));
            samples += head + text + "\n\n";
            std::printf("\n%s%s\n", head, lesson::indented(text).c_str());
        }
        std::ofstream(lesson::wrote(opt.out / "samples.txt")) << samples;

        // -------------------------------------------------------------------------
        // Save: the weights (PyTorch's names) and the vocabulary beside them
        // -------------------------------------------------------------------------
        save_model(opt.out / "char_lstm.safetensors", step);
        lesson::wrote(opt.out / "char_lstm.safetensors");
        vocab.save(opt.out / "chars.vocab");
        lesson::wrote(opt.out / "chars.vocab");

        const bool reached = run.validation.loss <= 1.6f;
        char what[160];
        std::snprintf(what, sizeof what, "validation loss %.3f nats per character (target <= 1.6)",
                      double(run.validation.loss));
        return lesson::report_target(opt, reached, what);
    });
}
