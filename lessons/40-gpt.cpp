// Lesson 40: GPT, a Transformer that writes like Arthur Conan Doyle
// ====================================================================
//
// Lesson 26's LSTM read Sherlock Holmes one character at a time, carrying everything
// it had read in one state vector. A GPT (Radford et al. 2018) reads the same text
// with causal self-attention instead: at every position it looks back at each of the
// last T characters directly, through as many heads and layers as it has, and it
// trains on all T positions of a window at once (no recurrence to wait for).
//
//   GPT<Layers, Dim, Heads, Context, Vocab>   (layers/transformer/gpt.hpp)
//     = Tokens<Context>, TiedEmbedding<Vocab, Dim, LearnedPositions<Context>,
//         Repeat<Layers, TransformerEncoderLayer<Heads, 4 Dim, PreNorm, GELU, Causal, KVCache<Context>>>,
//         LayerNorm<>>
//
// The same table turns ids into vectors at the bottom and vectors into logits at the
// top (weight tying). Two GPTs and the LSTM, each trained here for a similar time:
//   - the LSTM of lesson 26 (truncated BPTT on 32 streams, its whole past as context);
//   - a character GPT with a context of 128 characters;
//   - a BPE GPT: the text cut into byte-level BPE tokens of a vocabulary of 512,
//     trained here on the training text (text/bpe_trainer.hpp), so a position holds a
//     piece of a word and a context of 128 tokens covers about 300 characters.
// Tokens differ, so the models are compared in nats per CHARACTER of the validation
// text: the summed loss over its tokens divided by its characters.
// The GPTs are judged with sliding windows (each character predicted with at least
// half a context before it: data::lm_sliding_windows), the LSTM reading the
// validation text as one stream, as in lesson 26.
//
// Generation: LanguageModelSession steps the GPT one token at a time, each
// attention layer appending the new position's keys and values to its KV cache;
// sample_decode draws with a temperature and nucleus (top-p) sampling. Lesson 41
// compares the decoding strategies and times the cache.
//
// Run:  build/release/lessons/40-gpt [--smoke] [--out DIR]   (after scripts/fetch-data.sh text)
// Writes: out/40-gpt/validation.svg (nats per character against training seconds,
//         all three models), history_*.csv, samples.txt, char_gpt.safetensors,
//         chars.vocab (lesson 41 and 43 load them), bpe_gpt.safetensors, bpe/encoder.json, bpe/vocab.bpe

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <typenet/data/language_model.hpp>
#include <typenet/data/text.hpp>
#include <typenet/data/vocabulary.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/train/checkpoint.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"
#include "text_models.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The networks
// ---------------------------------------------------------------------------------
constexpr std::size_t V = 83;   // the book's characters, with padding and unknown
constexpr std::size_t T = 128;  // the GPTs' context

//   layer                                       output      parameters
//   Tokens<128>                                 128 ids
//   TiedEmbedding<83, 128>  table               128 x 83    83 x 128                 =    10,624
//     LearnedPositions<128>                     128 x 128   128 x 128                =    16,384
//     Repeat<4, TransformerEncoderLayer<4, 512, PreNorm, GELU, Causal, KVCache<128>>>
//                                               128 x 128   4 x 198,272              =   793,088
//     LayerNorm<>                               128 x 128   2 x 128                  =       256
// 820,352 parameters; without the tie the output layer alone would add 10,707.
using CharGPT = GPT<4, 128, 4, T, V, BlockDropout<0>>;
static_assert(CharGPT::param_count == 820'352);

// Lesson 26's LSTM, for the comparison: 64 characters per step of truncated BPTT.
using CharLSTM = Sequential<Tokens<64>, Embedding<V, 64>, LSTM<256, Stateful>, Dense<V>>;
using LSTMReader = Sequential<Tokens<1>, Embedding<V, 64>, LSTM<256, Stateful>, Dense<V>>;

struct Result {
    std::string name;
    std::vector<double> seconds, nats_per_char;  // after each epoch
    double total_seconds = 0;
    double final_nats_per_char = 0;
};

// A callback: after each epoch, the validation loss in nats per character, with the
// training seconds so far (validation time not counted).
template <class Evaluate>
struct PerCharacter {
    Result* result;
    Evaluate evaluate_now;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    double paused = 0;
    void on_epoch_end(FitState&) {
        const auto t0 = std::chrono::steady_clock::now();
        const double trained = std::chrono::duration<double>(t0 - start).count() - paused;
        const double npc = evaluate_now();
        result->seconds.push_back(trained);
        result->nats_per_char.push_back(npc);
        std::printf("    %s: %.0f s of training, validation %.3f nats per character\n", result->name.c_str(), trained,
                    npc);
        paused += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
};
template <class Evaluate>
PerCharacter(Result*, Evaluate) -> PerCharacter<Evaluate>;

// Nats per character of a GPT over `ids` (the tokens of `characters` characters).
template <class Net>
double gpt_nats_per_character(Model<Net>& model, const std::vector<std::int32_t>& ids, std::size_t characters) {
    const Dataset windows = data::lm_sliding_windows(ids, T, T / 2);
    const Evaluation e = evaluate(model, windows, TokenCrossEntropy{}, 64);
    return double(e.loss) * double(ids.size() - 1) / double(characters);
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "40-gpt");
        if (!opt.smoke) std::printf("The full run trains three models, about 7 minutes on 2 cores.\n\n");

        // -------------------------------------------------------------------------
        // The data: the book as characters, split by position 90 / 5 / 5
        // -------------------------------------------------------------------------
        std::string book = data::sherlock_holmes();
        const auto vocab = data::Vocabulary::characters(book);
        if (vocab.size() != V)
            throw std::runtime_error("the book has " + std::to_string(vocab.size()) + " character ids, the network "
                                     "was written for " + std::to_string(V));
        if (opt.smoke) book.resize(30'000);
        const auto ids = vocab.encode(book);
        const auto parts = data::split_corpus(ids);
        const std::size_t val_chars = parts.validation.size() - 1;  // characters predicted
        std::printf("Sherlock Holmes: %zu characters; train %zu, validation %zu\n\n", ids.size(), parts.train.size(),
                    parts.validation.size());

        std::vector<Result> results;

        // -------------------------------------------------------------------------
        // 1. Lesson 26's LSTM
        // -------------------------------------------------------------------------
        {
            std::printf("1. the LSTM of lesson 26\n");
            Result r;
            r.name = "LSTM";
            const std::size_t epochs = opt.smoke ? 1 : 8;
            Model<CharLSTM> net{Seed{26}};
            Model<LSTMReader> reader;
            const Dataset train = data::lm_streams(parts.train, 64, 32);
            const Dataset one_stream = data::lm_streams(parts.validation, 1, 1);
            PerCharacter per_char{&r, [&] {
                lesson::copy_parameters(net, reader);
                return double(evaluate(reader, one_stream, TokenCrossEntropy{}, 1).loss);
            }};
            Adam adam{{.lr = 3e-3f}};
            const auto history =
                fit(net, train, TokenCrossEntropy{}, adam,
                    {.epochs = epochs, .batch = 32, .shuffle = false,
                     .schedule = schedule::Cosine{.lr = 3e-3f, .period = epochs, .min_lr = 1e-4f},
                     .clip = ClipNorm{1.0}, .verbosity = Verbosity::Quiet},
                    per_char);
            history.write_csv(lesson::wrote(opt.out / "history_lstm.csv"));
            r.total_seconds = r.seconds.back();
            r.final_nats_per_char = r.nats_per_char.back();
            results.push_back(r);
        }

        // -------------------------------------------------------------------------
        // 2. The character GPT
        // -------------------------------------------------------------------------
        Model<CharGPT> gpt{Seed{40}};
        {
            std::printf("\n2. a character GPT\n");
            gpt.summary();
            Result r;
            r.name = "character GPT";
            const std::size_t epochs = opt.smoke ? 1 : 4;
            const Dataset train = data::lm_windows(parts.train, T, {.stride = T / 2});
            PerCharacter per_char{&r, [&] { return gpt_nats_per_character(gpt, parts.validation, val_chars); }};
            const std::size_t steps = epochs * ((train.size() + 31) / 32);
            Adam adam{{.lr = 1e-3f}};
            const auto history = fit(gpt, train, TokenCrossEntropy{}, adam,
                                     {.epochs = epochs, .batch = 32,
                                      .schedule = {schedule::LinearWarmup<schedule::Cosine>{
                                                       .warmup = steps / 20,
                                                       .after = {.lr = 1e-3f, .period = steps - steps / 20,
                                                                 .min_lr = 1e-4f}},
                                                   Every::step},
                                      .clip = ClipNorm{1.0}, .verbosity = Verbosity::Quiet},
                                     per_char);
            history.write_csv(lesson::wrote(opt.out / "history_char_gpt.csv"));
            r.total_seconds = r.seconds.back();
            r.final_nats_per_char = r.nats_per_char.back();
            results.push_back(r);
            save_model(opt.out / "char_gpt.safetensors", gpt);
            lesson::wrote(opt.out / "char_gpt.safetensors");
            vocab.save(opt.out / "chars.vocab");
            lesson::wrote(opt.out / "chars.vocab");
        }

        // -------------------------------------------------------------------------
        // The comparison, and samples through the KV cache
        // -------------------------------------------------------------------------
        plot::LineChart chart{.title = "Sherlock Holmes: validation loss against training time",
                              .x_label = "seconds of training", .y_label = "nats per character"};
        std::printf("\n%-16s %10s %22s\n", "model", "seconds", "nats per character");
        for (const Result& r : results) {
            chart.add(r.name, r.seconds, r.nats_per_char);
            std::printf("%-16s %10.0f %22.3f\n", r.name.c_str(), r.total_seconds, r.final_nats_per_char);
        }
        chart.save(lesson::wrote(opt.out / "validation.svg"));

        std::string samples;
        LanguageModelSession session(gpt);
        Rng rng{Seed{1661}};
        const std::string prompt = "\"My dear Watson,\" said Holmes, ";
        const std::int32_t start = session.prompt(vocab.encode(prompt));
        for (const float temperature : {0.5f, 0.8f}) {
            const auto out = sample_decode(session,
                                           {.sampling = {.temperature = temperature, .top_p = 0.95f},
                                            .start = start, .max_length = opt.smoke ? 60 : T - prompt.size()},
                                           rng);
            char head[96];
            std::snprintf(head, sizeof head, "--- character GPT, temperature %.1f, top-p 0.95 ---\n", double(temperature));
            const std::string text = prompt + vocab.decode(out);
            samples += head + text + "\n\n";
            std::printf("\n%s%s\n", head, lesson::indented(text).c_str());
        }
        std::ofstream(lesson::wrote(opt.out / "samples.txt")) << samples;

        const Result& lstm = results[0];
        const Result& char_gpt = results[1];
        const bool reached = char_gpt.final_nats_per_char < lstm.final_nats_per_char &&
                             char_gpt.total_seconds <= 1.1 * lstm.total_seconds;
        char what[200];
        std::snprintf(what, sizeof what,
                      "character GPT %.3f vs LSTM %.3f nats per character, trained %.0f s vs %.0f s",
                      char_gpt.final_nats_per_char, lstm.final_nats_per_char, char_gpt.total_seconds,
                      lstm.total_seconds);
        return lesson::report_target(opt, reached, what);
    });
}
