// Lesson 28: stacked and bidirectional RNNs
// ==========================================
//
// A task where the answer depends on what comes next: take Sherlock Holmes, remove
// every space and line break,
//
//   tobesherlockholmesshealwaysthewoman.ihaveseldomheardhimmentionherunderanyothername.
//
// and ask, for every character, "did a space come before this one?" (it starts a
// word). Reading left to right, at the "s" of "tobes..." a model has seen "tobe" and
// cannot know whether "s" starts a word ("to be sherlock") or continues one
// ("to bes..."): the answer is in the characters after it. A unidirectional RNN
// never sees them; a bidirectional one runs a second RNN from the end of the text
// back to the start and gives every position both states, the past and the future.
//
// Stacking is the other way to make an RNN more powerful: a second recurrent layer
// reads the first one's states, so the higher layer works on features of features.
// It adds depth but not the future: a stacked unidirectional model is still blind
// to the right.
//
// Four models, the same data, budget and seed: one LSTM, two stacked LSTMs, a
// bidirectional LSTM and a bidirectional GRU, each 128 states wide. (Two stacked
// bidirectional LSTMs reached F1 0.9737 against the single one's 0.9676; each model
// costs about 1.5 s of compile time, so the lesson leaves that one out.) Scored on held-out text (the last 5% of the book): the
// per-character accuracy, and precision, recall and F1 of "starts a word".
//
// Run:  build/release/lessons/28-bidirectional [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh text). About 3 minutes on 2 cores.
// Writes: out/28-bidirectional/curves.svg (validation loss per epoch of every model),
//         results.csv, segmented.txt (held-out text re-segmented by each model).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <typenet/data/text.hpp>
#include <typenet/data/vocabulary.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

constexpr std::size_t V = 81;  // the book's characters other than space and newline, padding, unknown
constexpr std::size_t T = 64;  // characters per sample

// Every model: characters -> Embedding -> recurrent layers -> Dense<2> at each
// position (starts a word or not), trained with TokenCrossEntropy.
template <class... Recurrent>
using Tagger = Sequential<Tokens<T>, Embedding<V, 32>, Recurrent..., Dense<2>>;

using Unidirectional = Tagger<LSTM<128>>;
using Stacked = Tagger<LSTM<128>, LSTM<128>>;
using BiLSTM = Tagger<Bidirectional<LSTM<64>>>;
using BiGRU = Tagger<Bidirectional<GRU<64>>>;
static_assert(std::is_same_v<BiLSTM::output_shape, Shape<T, 2>>);

// The stripped text and, per character, whether white space came before it.
struct Segmentation {
    std::string text;
    std::vector<std::int32_t> ids;
    std::vector<float> starts;  // 1: a word starts here
};

Segmentation strip(const std::string& book) {
    Segmentation s;
    bool after_space = true;
    for (char c : book) {
        if (c == ' ' || c == '\n') {
            after_space = true;
            continue;
        }
        s.text += c;
        // A UTF-8 continuation byte belongs to the character before it.
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
            s.starts.push_back(after_space ? 1.f : 0.f);
            after_space = false;
        }
    }
    return s;
}

// Windows of T characters every `stride`, the targets their labels.
Dataset windows(const Segmentation& s, std::size_t from, std::size_t to, std::size_t stride, const std::string& name) {
    Dataset d(name, T, T);
    std::vector<float> targets(T);
    for (std::size_t at = from; at < to; at += stride) {
        const std::size_t n = std::min(T, to - at);
        // Past a short last window's length the targets are TokenCrossEntropy's ignore id.
        std::fill(targets.begin(), targets.end(), float(TokenCrossEntropy::ignore_id));
        std::copy_n(s.starts.begin() + std::ptrdiff_t(at), n, targets.begin());
        d.add_sequence(std::span(s.ids).subspan(at, n), targets);
        if (n < T) break;
    }
    return d;
}

struct Result {
    std::string name;
    std::size_t params = 0;
    double seconds = 0, accuracy = 0, precision = 0, recall = 0, f1 = 0;
    std::vector<float> val_loss;
    std::string segmented;
};

template <class Net>
Result run(const std::string& name, const Dataset& train, const Dataset& validation, const Dataset& test,
           const data::Vocabulary& vocab, bool smoke) {
    Model<Net> net{Seed{28}};
    std::printf("\n=== %s ===\n", name.c_str());
    net.summary();
    const std::size_t epochs = smoke ? 1 : 3;
    Adam adam{{.lr = 3e-3f}};
    const auto t0 = std::chrono::steady_clock::now();
    const History h = fit(net, train, TokenCrossEntropy{}, adam,
                          {.epochs = epochs, .batch = 32, .validation = validation,
                           .schedule = schedule::Cosine{.lr = 3e-3f, .period = epochs, .min_lr = 3e-4f},
                           .clip = ClipNorm{1.0}});
    Result r;
    r.name = name;
    r.params = Net::param_count;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.val_loss = h.column(&EpochRecord::val_loss);
    // Every held-out character, and "starts a word" as the positive class.
    std::size_t tp = 0, fp = 0, fn = 0, right = 0, total = 0;
    for (std::size_t i = 0; i < test.size(); ++i) {
        const std::size_t n = test.length(i, T);
        const std::span<const std::int32_t> ids(test.tokens.data() + i * T, n);
        const auto out = net.predict(ids);
        for (std::size_t t = 0; t < n; ++t) {
            const bool predicted = out[2 * t + 1] > out[2 * t];
            const bool truth = test.targets[i * T + t] > 0.5f;
            right += predicted == truth;
            ++total;
            tp += predicted && truth;
            fp += predicted && !truth;
            fn += !predicted && truth;
            // The first 3 windows, re-segmented as the model sees them.
            if (i < 3) {
                if (predicted && !(i == 0 && t == 0)) r.segmented += ' ';
                r.segmented += vocab.decode(ids.subspan(t, 1));
            }
        }
    }
    r.accuracy = double(right) / double(total);
    r.precision = tp + fp ? double(tp) / double(tp + fp) : 0.0;
    r.recall = tp + fn ? double(tp) / double(tp + fn) : 0.0;
    r.f1 = r.precision + r.recall > 0 ? 2 * r.precision * r.recall / (r.precision + r.recall) : 0.0;
    return r;
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "28-bidirectional");
        Segmentation s = strip(data::sherlock_holmes());
        const auto vocab = data::Vocabulary::characters(s.text);
        if (vocab.size() != V)
            throw std::runtime_error("the stripped book has " + std::to_string(vocab.size()) +
                                     " character ids, the networks were written for " + std::to_string(V));
        s.ids = vocab.encode(s.text);
        const std::size_t n = opt.smoke ? 30'000 : s.ids.size();
        const std::size_t n_val = n / 20, n_train = n - 2 * n_val;
        const Dataset train = windows(s, 0, n_train, T / 2, "train");
        const Dataset validation = windows(s, n_train, n_train + n_val, T, "validation");
        const Dataset test = windows(s, n_train + n_val, n, T, "test");
        double starts = 0;
        for (std::size_t i = n_train + n_val; i < n; ++i) starts += s.starts[i];
        std::printf("Sherlock Holmes without spaces: %zu characters; train %zu, validation %zu, test %zu\n", n,
                    n_train, n_val, n - n_train - n_val);
        std::printf("in the held-out text %.1f%% of characters start a word (always \"no\" scores %.1f%%)\n",
                    100 * starts / double(n - n_train - n_val), 100 - 100 * starts / double(n - n_train - n_val));
        std::printf("e.g. %s\n", s.text.substr(s.text.size() / 2, 80).c_str());

        const Result results[] = {
            run<Unidirectional>("LSTM<128>", train, validation, test, vocab, opt.smoke),
            run<Stacked>("LSTM<128> x 2 (stacked)", train, validation, test, vocab, opt.smoke),
            run<BiLSTM>("Bidirectional<LSTM<64>>", train, validation, test, vocab, opt.smoke),
            run<BiGRU>("Bidirectional<GRU<64>>", train, validation, test, vocab, opt.smoke),
        };

        std::printf("\n%-28s %10s %8s %9s %10s %8s %7s\n", "model", "parameters", "seconds", "accuracy",
                    "precision", "recall", "F1");
        std::ofstream csv(opt.out / "results.csv");
        csv << "model,parameters,seconds,accuracy,precision,recall,f1\n";
        for (const auto& r : results) {
            std::printf("%-28s %10zu %8.1f %8.2f%% %9.2f%% %7.2f%% %7.4f\n", r.name.c_str(), r.params, r.seconds,
                        100 * r.accuracy, 100 * r.precision, 100 * r.recall, r.f1);
            csv << '"' << r.name << "\"," << r.params << ',' << r.seconds << ',' << r.accuracy << ',' << r.precision
                << ',' << r.recall << ',' << r.f1 << '\n';
        }
        lesson::wrote(opt.out / "results.csv");

        std::ofstream seg(opt.out / "segmented.txt");
        std::printf("\nheld-out text, spaces put back by each model:\n");
        for (const auto& r : results) {
            std::printf("  %-28s %.110s\n", r.name.c_str(), r.segmented.c_str());
            seg << r.name << ":\n" << r.segmented << "\n\n";
        }
        lesson::wrote(opt.out / "segmented.txt");

        plot::LineChart chart{.title = "Word starts in Sherlock Holmes without spaces", .x_label = "epoch",
                              .y_label = "validation cross-entropy (nats per character)"};
        for (const auto& r : results) {
            std::vector<double> epochs;
            for (std::size_t e = 1; e <= r.val_loss.size(); ++e) epochs.push_back(double(e));
            chart.add(r.name, epochs, r.val_loss);
        }
        chart.save(lesson::wrote(opt.out / "curves.svg"));

        const Result& uni = results[0];
        const Result& bi = results[2];
        std::printf("\nbidirectional vs unidirectional LSTM: F1 %+.4f (%.4f vs %.4f), accuracy %+.2f points; "
                    "errors %.0f%% fewer\n",
                    bi.f1 - uni.f1, bi.f1, uni.f1, 100 * (bi.accuracy - uni.accuracy),
                    100 * (1 - (1 - bi.accuracy) / (1 - uni.accuracy)));
        const bool reached = bi.f1 > uni.f1 && bi.accuracy > uni.accuracy;
        char what[200];
        std::snprintf(what, sizeof what, "bidirectional beats unidirectional: F1 %.4f vs %.4f, accuracy %.2f%% vs %.2f%%",
                      bi.f1, uni.f1, 100 * bi.accuracy, 100 * uni.accuracy);
        return lesson::report_target(opt, reached, what);
    });
}
