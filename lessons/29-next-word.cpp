// Lesson 29: a next-word predictor (project)
// ===========================================
//
// The keyboard of a phone suggests the next word. Here an LSTM learns to do that
// from The Adventures of Sherlock Holmes: its tokens are words (lower-cased) and
// punctuation, the 4,000 most frequent of the training text; every other word is
// <unk>. At each position the model gives a probability to each of the 4,000
// possible next tokens, and the suggestions are the five most probable.
//
// How good is it? Perplexity: exp of the mean cross-entropy per word on text it has
// not seen, "as uncertain as a fair choice among that many words". A model is
// only good next to a simpler one on the same words, so beside it stands the
// classic n-gram model: the bigram P(w | previous word) = (count(prev, w) + 1) /
// (count(prev) + V), counted on the training text, with add-one (Laplace)
// smoothing so that no unseen pair has probability 0. Same vocabulary, same <unk>,
// same predictions (every test token after the first).
//
// Run:  build/release/lessons/29-next-word [--smoke] [--interactive] [--out DIR]
//       (after scripts/fetch-data.sh text). About 2 minutes on 2 cores.
//       --interactive: type a few words, get the five most likely next ones (uses
//       the model the last default run saved; trains one first when there is none).
// Writes: out/29-next-word/curves.svg, history.csv, word_lstm.safetensors, words.vocab.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include <typenet/data/language_model.hpp>
#include <typenet/data/text.hpp>
#include <typenet/data/text_tokenizer.hpp>
#include <typenet/data/vocabulary.hpp>
#include <typenet/plot/history.hpp>
#include <typenet/train/callbacks.hpp>
#include <typenet/train/checkpoint.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"
#include "text_models.hpp"

using namespace tn;

constexpr std::size_t V = 4000;  // padding, <unk> and the 3,998 most frequent tokens
constexpr std::size_t T = 32;    // words per step of truncated BPTT

//   layer                   output      parameters
//   Tokens<32>              32 ids
//   Embedding<4000, 128>    32 x 128    4000 x 128                        =   512,000
//   Dropout<30>             32 x 128
//   LSTM<256, Stateful>     32 x 256    4 x 256 x (128 + 256) + 2 x 1024  =   395,264
//   Dropout<30>             32 x 256
//   Dense<4000>             32 x 4000   256 x 4000 + 4000                 = 1,028,000
//
// 120,000 training words are few for 1.9 million parameters: dropout before and
// after the LSTM, and the epoch with the best validation perplexity is kept.
template <std::size_t Steps>
using WordLSTM = Sequential<Tokens<Steps>, Embedding<V, 128>, Dropout<30>, LSTM<256, Stateful>, Dropout<30>, Dense<V>>;
using Net = WordLSTM<T>;
using OneStep = WordLSTM<1>;
static_assert(Net::param_count == 512'000 + 395'264 + 1'028'000 && OneStep::param_count == Net::param_count);

// The add-one bigram model over the same ids.
struct Bigram {
    std::vector<std::size_t> unigram;                    // count(prev) as a context
    std::map<std::pair<std::int32_t, std::int32_t>, std::size_t> pairs;
    explicit Bigram(std::span<const std::int32_t> ids) : unigram(V, 0) {
        for (std::size_t i = 1; i < ids.size(); ++i) {
            ++unigram[std::size_t(ids[i - 1])];
            ++pairs[{ids[i - 1], ids[i]}];
        }
    }
    double log_p(std::int32_t prev, std::int32_t w) const {
        const auto it = pairs.find({prev, w});
        const double c = it == pairs.end() ? 0.0 : double(it->second);
        return std::log((c + 1.0) / (double(unigram[std::size_t(prev)]) + double(V)));
    }
    double perplexity(std::span<const std::int32_t> ids) const {
        double nll = 0;
        for (std::size_t i = 1; i < ids.size(); ++i) nll -= log_p(ids[i - 1], ids[i]);
        return std::exp(nll / double(ids.size() - 1));
    }
};

// The five most likely next tokens after `prompt`, <pad> and <unk> left out (a
// suggestion of "<unk>" helps nobody), with their probabilities.
//
// The prompt is read after a full stop. Trained on streams, the LSTM almost never
// starts from a zero state (only at each epoch's first batch), and from one it is
// lost: after "my dear" alone it gave "fellow" 1%; after ". my dear", 15% (and
// "watson" 10%). One token of context puts its state where it has been before.
std::vector<std::pair<std::string, double>> suggest(Model<OneStep>& step, const data::Vocabulary& vocab,
                                                    const std::string& prompt, std::size_t k = 5) {
    step.reset_state();
    std::vector<float> logits;
    const auto ids = vocab.encode(". " + prompt);
    for (const std::int32_t id : ids) logits = step.predict(std::span<const std::int32_t>(&id, 1));
    const float top = *std::max_element(logits.begin(), logits.end());
    double z = 0;
    for (float l : logits) z += std::exp(double(l - top));
    std::vector<std::int32_t> order(V);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(k + 2), order.end(),
                      [&](std::int32_t a, std::int32_t b) { return logits[std::size_t(a)] > logits[std::size_t(b)]; });
    std::vector<std::pair<std::string, double>> out;
    for (std::size_t i = 0; i < k + 2 && out.size() < k; ++i) {
        const std::int32_t id = order[i];
        if (id == data::Vocabulary::pad_id || id == data::Vocabulary::unknown_id) continue;
        out.emplace_back(vocab.token(id), std::exp(double(logits[std::size_t(id)] - top)) / z);
    }
    return out;
}

// One line of standard input without its newline; false at the end of input or an
// empty line. (std::fgets, not <iostream>: it keeps the lesson's compile time down.)
bool read_line(std::string& line) {
    std::printf("> ");
    std::fflush(stdout);
    char buffer[1024];
    if (!std::fgets(buffer, sizeof buffer, stdin)) return false;
    line = buffer;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    return !line.empty();
}

void print_suggestions(Model<OneStep>& step, const data::Vocabulary& vocab, const std::string& prompt) {
    std::printf("  %-28s ->", ("\"" + prompt + "\"").c_str());
    for (const auto& [word, p] : suggest(step, vocab, prompt)) std::printf("  %s (%.0f%%)", word.c_str(), 100 * p);
    std::printf("\n");
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        bool interactive = false;
        std::vector<char*> args;
        for (int i = 0; i < argc; ++i) {
            if (std::strcmp(argv[i], "--interactive") == 0) interactive = true;
            else args.push_back(argv[i]);
        }
        const auto opt = lesson::parse(int(args.size()), args.data(), "29-next-word");
        const auto model_file = opt.out / "word_lstm.safetensors";
        const auto vocab_file = opt.out / "words.vocab";

        Model<OneStep> step;
        if (interactive && std::filesystem::exists(model_file) && std::filesystem::exists(vocab_file)) {
            const auto vocab = data::Vocabulary::load(vocab_file);
            load_model(model_file, step);
            std::printf("loaded %s; type a few words (an empty line or Ctrl-D ends)\n", model_file.string().c_str());
            for (std::string line; read_line(line);)
                print_suggestions(step, vocab, line);
            return 0;
        }

        // -------------------------------------------------------------------------
        // The data: words of the book, split by position 90 / 5 / 5
        // -------------------------------------------------------------------------
        const std::string book = data::sherlock_holmes();
        std::vector<std::string> tokens = data::split_words(book);
        if (opt.smoke) tokens.resize(8'000);
        const std::size_t n_val = tokens.size() / 20, n_train = tokens.size() - 2 * n_val;
        const auto join = [&](std::size_t from, std::size_t to) {
            std::string s;
            for (std::size_t i = from; i < to; ++i) (s += tokens[i]) += ' ';
            return s;
        };
        // The vocabulary from the training words only: the test text has words it never saw.
        const std::string train_text = join(0, n_train);
        const auto vocab = data::Vocabulary::words(train_text, {.max_size = V});
        const auto train_ids = vocab.encode(train_text);
        const auto val_ids = vocab.encode(join(n_train, n_train + n_val));
        const auto test_ids = vocab.encode(join(n_train + n_val, tokens.size()));
        const auto unknown = [](const std::vector<std::int32_t>& ids) {
            return 100.0 * double(std::count(ids.begin(), ids.end(), data::Vocabulary::unknown_id)) / double(ids.size());
        };
        std::printf("Sherlock Holmes: %zu tokens (words and punctuation); train %zu, validation %zu, test %zu\n",
                    tokens.size(), train_ids.size(), val_ids.size(), test_ids.size());
        std::printf("vocabulary: the %zu most frequent training tokens; <unk> is %.1f%% of training, %.1f%% of test\n\n",
                    vocab.size() - 2, unknown(train_ids), unknown(test_ids));

        // -------------------------------------------------------------------------
        // The bigram baseline
        // -------------------------------------------------------------------------
        const Bigram bigram(train_ids);
        const double bigram_val = bigram.perplexity(val_ids), bigram_test = bigram.perplexity(test_ids);
        std::printf("add-one bigram: validation perplexity %.1f, test %.1f\n\n", bigram_val, bigram_test);

        // -------------------------------------------------------------------------
        // The LSTM, by truncated BPTT over 16 streams of the book
        // -------------------------------------------------------------------------
        Model<Net> net{Seed{29}};
        net.summary();
        const std::size_t batch = 16, epochs = opt.smoke ? 1 : 10;
        const Dataset train = data::lm_streams(train_ids, T, batch);
        const Dataset validation = data::lm_streams(val_ids, T, 256);
        EarlyStopping stop{.monitor = "val_loss", .patience = 2};
        Adam adam{{.lr = 2e-3f}};
        const History history =
            fit(net, train, TokenCrossEntropy{}, adam,
                {.epochs = epochs, .batch = batch, .validation = validation, .shuffle = false,
                 .schedule = schedule::Cosine{.lr = 2e-3f, .period = epochs, .min_lr = 1e-4f}, .clip = ClipNorm{1.0}},
                stop);
        plot::curves(history, lesson::wrote(opt.out / "curves.svg"), "Word LSTM on Sherlock Holmes");
        history.write_csv(lesson::wrote(opt.out / "history.csv"));
        lesson::copy_parameters(net, step);
        // Each text read once as one stream, every word predicted from all before it.
        const Evaluation val = evaluate(step, data::lm_streams(val_ids, 1, 1), TokenCrossEntropy{}, 1);
        const Evaluation test = evaluate(step, data::lm_streams(test_ids, 1, 1), TokenCrossEntropy{}, 1);
        std::printf("\nbest epoch %zu of %zu\n", stop.best_epoch, history.epochs.size());
        std::printf("\n%-16s %22s %16s\n", "model", "validation perplexity", "test perplexity");
        std::printf("%-16s %22.1f %16.1f\n", "add-one bigram", bigram_val, bigram_test);
        std::printf("%-16s %22.1f %16.1f\n", "LSTM", double(val.perplexity), double(test.perplexity));
        std::printf("(the same %zu test predictions; next-word accuracy of the LSTM: %.1f%%)\n", test_ids.size() - 1,
                    100.0 * double(test.accuracy));

        std::printf("\nsuggestions:\n");
        for (const char* prompt : {"i have no", "it was a", "my dear", "sherlock", "what do you", "there was a",
                                   "he opened the", "the"})
            print_suggestions(step, vocab, prompt);
        // Sampled, one word after another, <pad> and <unk> never drawn (as in the suggestions).
        Rng rng{Seed{221}};
        const std::int32_t never[] = {data::Vocabulary::pad_id, data::Vocabulary::unknown_id};
        std::printf("\nand sampled at temperature 0.7, one word after another (<unk> never drawn):\n%s\n",
                    lesson::indented(lesson::sample_text(step, vocab, ". it was a", opt.smoke ? 10 : 40,
                                                         {.temperature = 0.7f}, rng, never))
                        .c_str());

        save_model(model_file, step);
        lesson::wrote(model_file);
        vocab.save(vocab_file);
        lesson::wrote(vocab_file);
        std::printf("(run with --interactive to try your own words)\n");

        if (interactive) {
            std::printf("type a few words (an empty line or Ctrl-D ends)\n");
            for (std::string line; read_line(line);)
                print_suggestions(step, vocab, line);
        }
        const bool reached = std::isfinite(test.perplexity) && double(test.perplexity) < bigram_test;
        char what[200];
        std::snprintf(what, sizeof what, "test perplexity %.1f, below the add-one bigram's %.1f", double(test.perplexity),
                      bigram_test);
        return lesson::report_target(opt, reached, what);
    });
}
