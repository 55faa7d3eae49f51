// Lesson 12: hyperparameter tuning
// =================================
//
// Training sets a network's *parameters* (weights and biases) by gradient descent.
// Everything else is a *hyperparameter*, chosen before training starts: the learning
// rate, the batch size, how much dropout, how much weight decay, and the architecture
// itself (how many layers, how wide). Gradient descent cannot choose them: the loss is
// not a differentiable function of "number of layers". So we search: train a model for
// each of several configurations and keep the one that does best on data it was not
// trained on, the *validation* set. Keras Tuner does this for Keras models; typenet's
// tuner (include/typenet/tune/) does it the same way, with one twist: the architecture
// is a C++ type, so the list of candidate architectures is a compile-time list,
//
//     tn::tune::Candidates<MlpSmall, MlpWide, MlpDeep>
//
// and the objective is a generic lambda the compiler instantiates once per candidate.
// The tuner treats the architecture's index as one more searched dimension.
//
// This lesson searches learning rate, batch size, dropout rate and weight decay,
// together with three MLP architectures, on Fashion-MNIST (clothing images: harder
// than digits, where a poor configuration shows), with two strategies:
//
//   1. random search: every trial drawn at random, every trial trained the same
//      number of epochs (Bergstra & Bengio 2012: it beats a grid for the same cost);
//   2. Hyperband (Li et al. 2017): many configurations for 1 epoch, the best third of
//      them for 3, the best third of those for 9... so that most of the budget goes
//      to the configurations that look good early.
//
// Each prints a leaderboard, writes it as CSV and plots it. The winner on validation
// is finally judged once on the test set, which no search decision has seen.
//
// Run:  build/release/lessons/12-hyperparameter-tuning [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh fashion-mnist). A few minutes; --smoke seconds.
// Out:  out/12-hyperparameter-tuning/{random-search,hyperband}.csv and .svg

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <typenet/data/mnist.hpp>
#include <typenet/layers/dropout.hpp>
#include <typenet/plot/scatter_chart.hpp>
#include <typenet/tune/tuner.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The candidate architectures, as types
// ---------------------------------------------------------------------------------
//
// Three MLPs over the 784 pixels, each with dropout after its hidden layers. The
// dropout *rate* written in the type (Dropout<> is 0.5) is only a default: the
// objective sets the searched rate at run time with model.set_dropout_rate(p), so
// the search needs no new type per rate. What must be a type is what changes the
// shapes: the number and width of the layers.
using MlpSmall = Sequential<Input<784>, Dense<64>, ReLU, Dropout<>, Dense<10>>;
using MlpWide = Sequential<Input<784>, Dense<256>, ReLU, Dropout<>, Dense<10>>;
using MlpDeep = Sequential<Input<784>, Dense<256>, ReLU, Dropout<>, Dense<128>, ReLU, Dropout<>, Dense<10>>;
static_assert(MlpSmall::param_count == (784 * 64 + 64) + (64 * 10 + 10));
static_assert(MlpWide::param_count == (784 * 256 + 256) + (256 * 10 + 10));
static_assert(MlpDeep::param_count == (784 * 256 + 256) + (256 * 128 + 128) + (128 * 10 + 10));

using Archs = tune::Candidates<MlpSmall, MlpWide, MlpDeep>;
const std::vector<std::string> architecture_names = {"small 64", "wide 256", "deep 256-128"};

using Loss = SoftmaxCrossEntropy;

// What a trial keeps between Hyperband's rungs: the model and its optimizer (AdamW's
// moment estimates are part of where training stands).
template <class Net>
struct Run {
    Model<Net> model;
    AdamW adamw;
};

// ---------------------------------------------------------------------------------
// Data: a training subset, a validation set, the test set
// ---------------------------------------------------------------------------------
//
// The search compares configurations on the validation set, carved out of the 60,000
// training images (never the test set: choosing by test accuracy would make the test
// accuracy of the winner an optimistic, biased number). 10,000 images to train on keep
// each trial to seconds.
struct Splits {
    Dataset train, validation, test;
};

Splits load(const lesson::Options& opt) {
    const auto fashion = data::fashion_mnist();
    const std::size_t n_train = opt.smoke ? 1000 : 10000, n_validation = opt.smoke ? 500 : 5000;
    Splits s{fashion.train.slice(0, n_train), fashion.train.slice(n_train, n_train + n_validation),
             opt.smoke ? fashion.test.slice(0, 1000) : fashion.test};
    s.train.name = "Fashion-MNIST train subset";
    s.validation.name = "Fashion-MNIST validation";
    std::printf("Fashion-MNIST: %zu training, %zu validation, %zu test images\n", s.train.size(), s.validation.size(),
                s.test.size());
    return s;
}

// ---------------------------------------------------------------------------------
// The search space and the objective
// ---------------------------------------------------------------------------------
//
// Learning rate and weight decay act by orders of magnitude, so they are drawn
// log-uniformly: 1e-4..1e-3 is as likely as 1e-2..1e-1. Dropout acts linearly on
// the fraction of units dropped. Batch size is a short list of the usual powers of 2.
// The learning-rate range deliberately reaches rates that are too large for Adam:
// part of what a search shows is where training falls apart.
tune::Space search_space() {
    tune::Space space;
    space.log_uniform("lr", 1e-4, 1e-1)
        .choice("batch", {32, 64, 128, 256})
        .uniform("dropout", 0.0, 0.5)
        .log_uniform("weight_decay", 1e-5, 1e-1);
    return space;
}

// The objective trains one configuration for the budget it is given and returns its
// validation accuracy. It is called with the architecture as template argument. It
// keeps its model in the trial, so when Hyperband promotes a trial from 3 to 9 epochs
// it trains 6 more instead of 9 from scratch (Keras Tuner reloads a checkpoint to do
// the same), and the tuner can hand back the best trial's trained model at the end.
auto make_objective(const Splits& data) {
    return [&data]<class Net>(tune::Trial& t, tune::Budget b) {
        Run<Net>& run = t.keep([&] {
            return Run<Net>{Model<Net>{t.seed()},
                            AdamW{{.lr = t.get<float>("lr"), .weight_decay = t.get<float>("weight_decay")}}};
        });
        run.model.set_dropout_rate(t.get<float>("dropout"));
        fit(run.model, data.train, Loss{}, run.adamw,
            {.epochs = b.epochs - b.trained, .batch = t.get<std::size_t>("batch"), .verbosity = Verbosity::Quiet});
        return evaluate(run.model, data.validation, Loss{}).accuracy;
    };
}

// ---------------------------------------------------------------------------------
// Running a search, showing its leaderboard
// ---------------------------------------------------------------------------------

struct SearchResult {
    std::string name;
    tune::Leaderboard board;
    double best_score = 0, worst_score = 0;
    std::size_t trials = 0, epochs = 0;
    double seconds = 0;
    float test_accuracy = 0;  // of this search's best trial, measured after the search
    std::string best{};       // "trial 17, deep 256-128, lr=..."
};

template <class Strategy, class Objective>
SearchResult run_search(const std::string& name, Strategy strategy, Objective& objective, const Splits& data,
                        const lesson::Options& opt, const std::string& file, bool epochs_on_x) {
    std::printf("\n== %s\n", name.c_str());
    tune::Tuner<Archs> tuner{search_space(), strategy,
                             {.seed = Seed{12}, .score_name = "val_accuracy", .architecture_names = architecture_names}};
    const auto start = std::chrono::steady_clock::now();
    SearchResult r{name, tuner.search(objective)};
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.trials = tuner.study().trials().size();
    r.epochs = tuner.study().epochs_trained();

    std::printf("\nleaderboard (top 10 of %zu):\n", r.board.size());
    r.board.print(10);
    r.board.write_csv((opt.out / (file + ".csv")).string());
    lesson::wrote(opt.out / (file + ".csv"));

    const auto& best = r.board.best();
    r.best_score = best.score;
    r.worst_score = best.score;
    for (const auto& row : r.board)
        if (!row.failed) r.worst_score = std::min(r.worst_score, row.score);
    const tune::Trial& winner = tuner.best_trial();
    r.best = "trial " + std::to_string(winner.id()) + ", " + winner.architecture_name() + ", " + winner.describe() +
             ", " + std::to_string(winner.budget().epochs) + (winner.budget().epochs == 1 ? " epoch" : " epochs");

    // The winner's own trained model, kept in its trial, judged once on the test set.
    r.test_accuracy = tuner.with_best([&]<class Net>(tune::Trial& t) {
        Run<Net>* run = t.kept<Run<Net>>();
        if (!run) throw std::logic_error("the best trial kept no model");
        return evaluate(run->model, data.test, Loss{}).accuracy;
    });

    // The plot: random search against the learning rate (the dimension that matters
    // most), Hyperband against the epochs each evaluation had (its rungs).
    plot::ScatterChart chart{.title = name + ": validation accuracy of every " +
                                      (epochs_on_x ? std::string("evaluation") : std::string("trial")),
                             .x_label = epochs_on_x ? "epochs trained (log scale)" : "learning rate (log scale)",
                             .y_label = "validation accuracy"};
    chart.log_x = true;
    for (std::size_t a = 0; a < architecture_names.size(); ++a) {
        std::vector<double> xs, ys;
        for (const auto& e : tuner.study().evaluations()) {
            const tune::Trial& t = tuner.study().trials()[e.trial - 1];
            if (t.architecture() != a || e.failed) continue;
            xs.push_back(epochs_on_x ? double(e.budget.epochs) : t.get<double>("lr"));
            ys.push_back(e.score);
        }
        chart.add(architecture_names[a], xs, ys);
    }
    chart.mark(epochs_on_x ? double(winner.budget().epochs) : winner.get<double>("lr"), winner.score(),
               "best: trial " + std::to_string(winner.id()));
    chart.save(opt.out / (file + ".svg"));
    lesson::wrote(opt.out / (file + ".svg"));

    std::printf("%s: %zu trials, %zu epochs of training, %.0f s\n", name.c_str(), r.trials, r.epochs, r.seconds);
    std::printf("  best: %s\n  validation accuracy %.2f%% (worst successful trial %.2f%%), test accuracy %.2f%%\n",
                r.best.c_str(), 100 * r.best_score, 100 * r.worst_score, 100.0 * r.test_accuracy);
    return r;
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "12-hyperparameter-tuning");
        const Splits data = load(opt);
        auto objective = make_objective(data);

        // Random search: every trial gets the full budget. Hyperband: R = 27 epochs at
        // most, eta = 3; its four brackets try 49 configurations. With a budget that
        // continues promoted trials it trains 357 epochs in all; random search gets a
        // comparable budget (13 trials of 27 epochs = 351).
        const tune::RandomSearch random{.trials = opt.smoke ? 4u : 13u, .epochs = opt.smoke ? 1u : 27u};
        const tune::Hyperband hyperband{.max_epochs = opt.smoke ? 3u : 27u, .factor = 3};

        const SearchResult r = run_search("Random search", random, objective, data, opt, "random-search", false);
        const SearchResult h = run_search("Hyperband", hyperband, objective, data, opt, "hyperband", true);

        // What to take away: the spread between the best and the worst configuration
        // of the *same* three architectures is far larger than the differences among
        // the good ones. Much of that spread is the learning rate. Hyperband reaches a
        // good configuration after looking at several times as many candidates for
        // the same number of epochs, because it stops the hopeless ones after 1 or 3.
        const SearchResult& winner = h.best_score >= r.best_score ? h : r;
        std::printf("\n== The winner\n  %s found it: %s\n  validation accuracy %.2f%%, test accuracy %.2f%%\n",
                    winner.name.c_str(), winner.best.c_str(), 100 * winner.best_score, 100.0 * winner.test_accuracy);

        const double margin = std::min(r.best_score - r.worst_score, h.best_score - h.worst_score);
        const bool reached = margin >= 0.05 && winner.test_accuracy >= 0.85f;
        char what[240];
        std::snprintf(what, sizeof what,
                      "leaderboards of %zu + %zu trials; the best beats the worst by %.1f points or more; the "
                      "winner's test accuracy %.2f%% (target: margin >= 5 points, test >= 85%%)",
                      r.trials, h.trials, 100 * margin, 100.0 * winner.test_accuracy);
        return lesson::report_target(opt, reached, what);
    });
}
