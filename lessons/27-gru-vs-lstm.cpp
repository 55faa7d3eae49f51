// Lesson 27: GRU vs LSTM
// ======================
//
// The LSTM (Hochreiter and Schmidhuber, 1997) keeps two states, h and a cell c that
// only gates touch, and uses four gate blocks: input, forget, candidate, output.
// The GRU (Cho et al., 2014) merges the cell into h and uses three:
//   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)          reset: how much of h the candidate sees
//   z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)          update: keep the old h or take the new
//   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))       candidate
//   h' = (1 - z) * n + z * h
// so it has 3/4 of the LSTM's recurrent weights and does 3/4 of its work per step.
// Its h' is a mix of the old state and a new one, the same additive path for the
// gradient that the LSTM's cell gives (lesson 25), without the separate cell.
//
// Here both learn lesson 26's task, the next character of Sherlock Holmes, with the
// same embedding, hidden size, data order, optimizer, schedule, number of epochs and
// seed: only the recurrent layer differs.
//
// Run:  build/release/lessons/27-gru-vs-lstm [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh text). About 1 minute on 2 quiet cores.
// Writes: out/27-gru-vs-lstm/curves.svg (both models' training and validation loss
//         per epoch), comparison.csv, samples.txt.

#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <typenet/data/language_model.hpp>
#include <typenet/data/text.hpp>
#include <typenet/data/vocabulary.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"
#include "text_models.hpp"

using namespace tn;

constexpr std::size_t V = 83;  // the book's 81 characters, padding and unknown
constexpr std::size_t T = 64;

// One network per recurrent layer: Embedding, the layer (Stateful, for truncated BPTT
// over 32 streams of the book, as lesson 26), Dense over the characters.
template <class Recurrent>
using CharModel = Sequential<Tokens<T>, Embedding<V, 64>, Recurrent, Dense<V>>;
template <class Recurrent>
using OneStepModel = Sequential<Tokens<1>, Embedding<V, 64>, Recurrent, Dense<V>>;

using LstmNet = CharModel<LSTM<256, Stateful>>;
using GruNet = CharModel<GRU<256, Stateful>>;
// LSTM: 4 x 256 x (64 + 256) weights and 2 x 4 x 256 biases; GRU: 3 of each.
static_assert(LstmNet::param_count == 5'312 + 329'728 + 21'331);
static_assert(GruNet::param_count == 5'312 + 247'296 + 21'331);

struct Result {
    std::string name;
    std::size_t params = 0;
    double seconds = 0, cpu_seconds = 0;  // wall time; CPU time of the process (all threads)
    Evaluation validation;
    History history;
    std::string sample;
};

template <class Recurrent>
Result run(const std::string& name, const data::CorpusSplit& parts, const data::Vocabulary& vocab, bool smoke) {
    using Net = CharModel<Recurrent>;
    const std::size_t batch = 32, epochs = smoke ? 1 : 6;
    Model<Net> net{Seed{27}};
    std::printf("\n=== %s ===\n", name.c_str());
    net.summary();
    const Dataset train = data::lm_streams(parts.train, T, batch);
    const Dataset validation = data::lm_streams(parts.validation, T, 256);
    Adam adam{{.lr = 3e-3f}};
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    Result r;
    r.name = name;
    r.params = Net::param_count;
    r.history = fit(net, train, TokenCrossEntropy{}, adam,
                    {.epochs = epochs, .batch = batch, .validation = validation, .shuffle = false,
                     .schedule = schedule::Cosine{.lr = 3e-3f, .period = epochs, .min_lr = 1e-4f},
                     .clip = ClipNorm{1.0}});
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.cpu_seconds = double(std::clock() - c0) / CLOCKS_PER_SEC;
    // Lesson 26's measure: the validation text read once as one stream.
    Model<OneStepModel<Recurrent>> step;
    lesson::copy_parameters(net, step);
    r.validation = evaluate(step, data::lm_streams(parts.validation, 1, 1), TokenCrossEntropy{}, 1);
    Rng rng{Seed{1661}};
    r.sample = lesson::sample_text(step, vocab, "\"Come, Watson,\" said he, ", smoke ? 60 : 300,
                                   {.temperature = 0.7f}, rng);
    return r;
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "27-gru-vs-lstm");
        std::string book = data::sherlock_holmes();
        const auto vocab = data::Vocabulary::characters(book);
        if (vocab.size() != V)
            throw std::runtime_error("the book has " + std::to_string(vocab.size()) +
                                     " character ids, the networks were written for " + std::to_string(V));
        if (opt.smoke) book.resize(30'000);
        const auto parts = data::split_corpus(vocab.encode(book));
        std::printf("Sherlock Holmes: train %zu, validation %zu characters; the same budget for both: %s\n",
                    parts.train.size(), parts.validation.size(),
                    opt.smoke ? "1 epoch" : "6 epochs, batch 32 x 64 steps, Adam 3e-3 -> 1e-4, seed 27");

        const Result results[] = {run<LSTM<256, Stateful>>("LSTM<256>", parts, vocab, opt.smoke),
                                  run<GRU<256, Stateful>>("GRU<256>", parts, vocab, opt.smoke)};

        // -------------------------------------------------------------------------
        // The comparison
        // -------------------------------------------------------------------------
        std::printf("\n%-10s %10s %9s %9s %11s %14s %14s\n", "model", "parameters", "seconds", "CPU s", "chars/s",
                    "val nats/char", "val perplexity");
        std::ofstream csv(opt.out / "comparison.csv");
        csv << "model,parameters,seconds,cpu_seconds,val_loss,val_perplexity,val_accuracy\n";
        for (const auto& r : results) {
            const double chars = double(parts.train.size()) * double(r.history.epochs.size());
            std::printf("%-10s %10zu %9.1f %9.1f %11.0f %14.3f %14.2f\n", r.name.c_str(), r.params, r.seconds,
                        r.cpu_seconds, chars / r.seconds, double(r.validation.loss), double(r.validation.perplexity));
            csv << r.name << ',' << r.params << ',' << r.seconds << ',' << r.cpu_seconds << ',' << r.validation.loss
                << ',' << r.validation.perplexity << ',' << r.validation.accuracy << '\n';
        }
        lesson::wrote(opt.out / "comparison.csv");
        std::printf("(seconds: wall time, on a machine shared with other work; CPU s: the process's CPU time, the\n"
                    " fairer measure there with one thread; with more, it also counts threads waiting at barriers)\n");

        std::ofstream samples(opt.out / "samples.txt");
        for (const auto& r : results) {
            std::printf("\n--- %s, temperature 0.7 ---\n%s\n", r.name.c_str(), lesson::indented(r.sample).c_str());
            samples << "--- " << r.name << ", temperature 0.7 ---\n" << r.sample << "\n\n";
        }
        lesson::wrote(opt.out / "samples.txt");

        plot::LineChart chart{.title = "GRU vs LSTM on Sherlock Holmes, same budget", .x_label = "epoch",
                              .y_label = "cross-entropy (nats per character)"};
        for (std::size_t i = 0; i < 2; ++i) {
            const auto& h = results[i].history;
            std::vector<double> epochs;
            for (const auto& e : h.epochs) epochs.push_back(double(e.epoch));
            chart.add(results[i].name + " validation", epochs, h.column(&EpochRecord::val_loss)).color(i);
            chart.add(results[i].name + " training", epochs, h.column(&EpochRecord::loss)).color(i).dashed();
        }
        chart.save(lesson::wrote(opt.out / "curves.svg"));

        const double gap = double(results[1].validation.loss) - double(results[0].validation.loss);
        std::printf("\nGRU - LSTM: %+.3f nats per character with %.0f%% of the parameters in %.0f%% of the CPU time\n",
                    gap, 100.0 * double(results[1].params) / double(results[0].params),
                    100.0 * results[1].cpu_seconds / results[0].cpu_seconds);
        const bool reached = std::isfinite(gap) && results[0].validation.loss <= 1.6f &&
                             results[1].validation.loss <= 1.6f;
        char what[200];
        std::snprintf(what, sizeof what,
                      "comparison table of both models trained alike (LSTM %.3f, GRU %.3f nats/char; both <= 1.6)",
                      double(results[0].validation.loss), double(results[1].validation.loss));
        return lesson::report_target(opt, reached, what);
    });
}
