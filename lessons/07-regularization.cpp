// Lesson 07: regularisation: early stopping, dropout, L1 and L2
// ============================================================
//
// A network with far more weights than training samples can learn the training set by
// heart. Its training loss keeps falling towards 0 while the loss on digits it has
// never seen stops falling and then rises: it *over-fits*. The distance between the
// two curves, the generalisation gap, is what regularisation is about.
//
// This lesson builds that situation on purpose: 1,000 MNIST digits, and an MLP with
// two hidden layers of 512 units, about 670,000 weights, 670 per training digit. It
// then trains five variants from the same starting weights, with the same optimizer,
// batches and epochs, and measures every epoch the loss and accuracy on the training
// digits (in evaluation mode, so that dropout does not blur the comparison) and on
// 5,000 validation digits that training never sees:
//
//   baseline        nothing against over-fitting
//   early stopping  the baseline, stopped once the validation loss has not improved
//                   for 5 epochs, with the weights of its best epoch put back
//   dropout         Dropout<50> after each hidden layer: in training, every hidden unit
//                   is switched off with probability 1/2 at every step
//   L2              l2 * sum(w^2) added to the loss: large weights cost
//   L1              l1 * sum |w| added to the loss: every non-zero weight costs
//
// Then it judges the curves: the baseline's gap must grow; each regulariser must
// narrow it or end with a better validation accuracy; early stopping must stop before
// the last epoch and hand back the best epoch's weights.
//
// Run:  build/release/lessons/07-regularization [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh mnist). About 30 s of CPU time;
//       --smoke a second or two.
// Plots go to out/07-regularization/: one file per variant (train vs validation, loss
// and accuracy) and validation-overlay.svg (every variant's validation curves and gap).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <typenet/data/mnist.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The networks
// ---------------------------------------------------------------------------------
//
// Regularisation in typenet is part of the type where it belongs to a layer, and a run-time
// setting where it belongs to the model:
//
//   Dropout<50>                   a layer: p = 50/100. It has no weights, so the dropout
//                                 network starts from exactly the baseline's weights.
//   Dense<512, L2<1, 1000>>       a layer's own penalty, l2 = 1/1000, on its weights
//   model.set_regularization({.l1 = 1e-4f})   every weight of the model
//
// The lesson uses both spellings of a penalty: L2 in the types, L1 at run time on the
// baseline's type. Penalties apply to weights, never to biases (a bias shifts a unit; it
// does not make the network more complex).
using Baseline = Sequential<Input<784>, Dense<512>, ReLU, Dense<512>, ReLU, Dense<10>>;
using WithDropout = Sequential<Input<784>, Dense<512>, ReLU, Dropout<50>, Dense<512>, ReLU, Dropout<50>, Dense<10>>;
using L2Weights = L2<1, 1000>;  // l2 = 1e-3
using WithL2 = Sequential<Input<784>, Dense<512, L2Weights>, ReLU, Dense<512, L2Weights>, ReLU, Dense<10, L2Weights>>;
constexpr float l1_strength = 1e-4f;

static_assert(Baseline::param_count == (784 * 512 + 512) + (512 * 512 + 512) + (512 * 10 + 10));
static_assert(WithDropout::param_count == Baseline::param_count && WithL2::param_count == Baseline::param_count);

using Loss = SoftmaxCrossEntropy;

namespace {

// ---------------------------------------------------------------------------------
// Watching both sides of the gap
// ---------------------------------------------------------------------------------
//
// fit()'s own training loss is the mean over the epoch's batches, taken while the
// weights were still moving, with dropout switched on, and with the penalty added. None
// of that is the quantity we want to compare with the validation loss. So a callback
// evaluates the training digits again at the end of every epoch, exactly as the validation
// digits are evaluated: evaluation mode (no dropout), data loss only.
template <class Net>
struct TrainSetEvaluation {
    Model<Net>& model;
    const Dataset& train;
    std::vector<double> loss, accuracy;
    void on_epoch_end(FitState&) {
        const Evaluation e = evaluate(model, train, Loss{});
        loss.push_back(e.loss);
        accuracy.push_back(e.accuracy);
    }
};

struct Run {
    std::string name, file;
    std::vector<double> epochs, train_loss, train_accuracy, val_loss, val_accuracy;
    double test_accuracy = 0;
    double near_zero_share = 0;  // of the weights (not biases), |w| < near_zero
    double weight_norm = 0;      // sqrt(sum w^2) over the weights
    double val_loss_after = 0;   // the validation loss of the weights the run ended with
    std::size_t best_epoch = 0;  // the epoch of the best validation accuracy

    double gap(std::size_t i) const { return val_loss[i] - train_loss[i]; }  // i: 0-based epoch index
    double best_val_accuracy() const { return val_accuracy[best_epoch - 1]; }
};

constexpr double near_zero = 1e-3;

struct Setup {
    const Dataset& train;
    const Dataset& validation;
    const Dataset& test;
    std::size_t epochs;
    float lr;
};

// Everything about the weights after training: how many are (nearly) zero, and how long
// the weight vector is. Biases are left out, as the penalties leave them out.
template <class Net>
void weight_statistics(Model<Net>& model, Run& r) {
    std::size_t count = 0, small = 0;
    double squares = 0;
    for (const auto& t : model.named_parameters()) {
        if (!t.name.ends_with(".weight")) continue;
        for (float w : t.values) {
            count += 1;
            small += std::abs(w) < near_zero;
            squares += double(w) * double(w);
        }
    }
    r.near_zero_share = double(small) / double(count);
    r.weight_norm = std::sqrt(squares);
}

// One variant: the same seed (the same first weights and the same batches), the same
// optimizer, the same epochs. `callbacks` are extra (EarlyStopping).
template <class Net, class... Callbacks>
Run train_variant(const std::string& name, const std::string& file, const Setup& s, Regularization penalty,
                  Callbacks&... callbacks) {
    Model<Net> model{Seed{7}};
    model.set_regularization(penalty);
    TrainSetEvaluation<Net> on_train{model, s.train, {}, {}};
    const History h = fit(model, s.train, Loss{}, Momentum{{.lr = s.lr, .momentum = 0.9f}},
                          {.epochs = s.epochs, .batch = 32, .validation = s.validation, .verbosity = Verbosity::Quiet},
                          on_train, callbacks...);
    Run r{name, file, {}, on_train.loss, on_train.accuracy, {}, {}};
    for (const EpochRecord& e : h.epochs) {
        r.epochs.push_back(double(e.epoch));
        r.val_loss.push_back(e.val_loss);
        r.val_accuracy.push_back(e.val_accuracy);
    }
    r.best_epoch = std::size_t(std::max_element(r.val_accuracy.begin(), r.val_accuracy.end()) -
                               r.val_accuracy.begin()) + 1;
    h.write_csv(file + ".csv");
    // The model as training left it: for early stopping, the restored best epoch.
    r.test_accuracy = evaluate(model, s.test, Loss{}).accuracy;
    r.val_loss_after = evaluate(model, s.validation, Loss{}).loss;
    weight_statistics(model, r);
    return r;
}

// Train and validation curves of one variant: loss | accuracy.
void plot_variant(const Run& r, const std::filesystem::path& path, std::size_t marked_epoch = 0) {
    plot::LineChart loss{.title = "loss (cross-entropy)", .x_label = "epoch", .y_label = "loss (log scale)"};
    loss.log_y = true;
    loss.add("train (eval mode)", r.epochs, r.train_loss);
    loss.add("validation", r.epochs, r.val_loss);
    plot::LineChart acc{.title = "accuracy", .x_label = "epoch", .y_label = "accuracy (%)"};
    const auto percent = [](std::vector<double> v) {
        for (double& x : v) x *= 100;
        return v;
    };
    acc.add("train (eval mode)", r.epochs, percent(r.train_accuracy));
    acc.add("validation", r.epochs, percent(r.val_accuracy));
    if (marked_epoch > 0) {  // a vertical line at the epoch whose weights were kept
        const double x = double(marked_epoch);
        const auto [lo, hi] = std::minmax_element(r.val_loss.begin(), r.val_loss.end());
        const double train_lo = *std::min_element(r.train_loss.begin(), r.train_loss.end());
        loss.add("restored epoch", std::vector<double>{x, x}, std::vector<double>{std::min(*lo, train_lo), *hi})
            .dashed()
            .color(4);
        acc.add("restored epoch", std::vector<double>{x, x}, std::vector<double>{percent(r.val_accuracy).front(), 100})
            .dashed()
            .color(4);
    }
    plot::save_row(path, r.name + ": training vs validation", {&loss, &acc});
    lesson::wrote(path);
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "07-regularization");
        // One thread: the runs are then bit-for-bit reproducible (the early-stopping run
        // retraces the baseline exactly until it stops), and the lesson does not
        // compete for a shared machine's second core.
        set_threads(1);

        // --- Data ------------------------------------------------------------------
        // Three disjoint sets, as always when a choice is made on held-out data:
        // training digits (the first 1,000), validation digits (5,000 from the end of
        // MNIST's training file), used to watch the curves and by early stopping to
        // choose its epoch, and MNIST's test digits, which choose nothing and so give
        // an unbiased final number.
        const auto mnist = data::mnist();
        const std::size_t n_train = opt.smoke ? 200 : 1'000;
        const Dataset train = mnist.train.slice(0, n_train);
        const Dataset validation = mnist.train.slice(55'000, opt.smoke ? 55'500 : 60'000);
        const Dataset test = opt.smoke ? mnist.test.slice(0, 500) : mnist.test;
        const Setup setup{train, validation, test, opt.smoke ? 4u : 60u, 0.01f};
        std::printf("MNIST: %zu training digits, %zu validation digits, %zu test digits\n\n", train.size(),
                    validation.size(), test.size());
        Model<Baseline>{}.summary();
        std::printf("%zu weights for %zu training digits: %.0f per digit.\n", Baseline::param_count, train.size(),
                    double(Baseline::param_count) / double(train.size()));
        std::printf("\nEvery variant: seed 7, SGD with momentum 0.9, lr %.2g, batch 32, %zu epochs.\n",
                    double(setup.lr), setup.epochs);
        // Dropout has no weights and a penalty does not change how weights are drawn, so
        // the three network types start from the same numbers. Checked, not assumed:
        Model<Baseline> first_baseline{Seed{7}};
        Model<WithDropout> first_dropout{Seed{7}};
        Model<WithL2> first_l2{Seed{7}};
        const bool same_start = std::ranges::equal(first_baseline.parameters(), first_dropout.parameters()) &&
                                std::ranges::equal(first_baseline.parameters(), first_l2.parameters());
        std::printf("Same first weights for the baseline, dropout and L2 networks: %s\n\n", same_start ? "yes" : "NO");

        // --- The five variants --------------------------------------------------------
        const auto path = [&](const char* stem) { return (opt.out / stem).string(); };
        Run baseline = train_variant<Baseline>("baseline", path("baseline"), setup, {});

        // Early stopping watches the validation loss; 5 epochs without a new best and it
        // stops, then copies back the parameters (and buffers, had the network any) of
        // the best epoch (restore_best_weights, on by default in typenet).
        EarlyStopping stop{.monitor = "val_loss", .patience = 5};
        Run early = train_variant<Baseline>("early stopping", path("early-stopping"), setup, {}, stop);

        Run dropout = train_variant<WithDropout>("dropout 0.5", path("dropout"), setup, {});
        Run l2 = train_variant<WithL2>("L2 (1e-3)", path("l2"), setup, {});
        Run l1 = train_variant<Baseline>("L1 (1e-4)", path("l1"), setup, {.l1 = l1_strength});
        const std::vector<const Run*> runs = {&baseline, &early, &dropout, &l2, &l1};

        // --- The table --------------------------------------------------------------------
        // gap = validation loss - training loss (both in evaluation mode, data loss only).
        std::printf("%-16s %8s %14s %10s %9s %9s %9s %10s %9s\n", "variant", "epochs", "best val acc", "final val",
                    "gap e5", "gap end", "test acc", "|w|<1e-3", "||w||");
        for (const Run* r : runs) {
            const std::size_t last = r->epochs.size() - 1;
            std::printf("%-16s %8zu %8.2f%% e%-3zu %9.2f%% %9.3f %9.3f %8.2f%% %9.1f%% %9.2f\n", r->name.c_str(),
                        r->epochs.size(), 100 * r->best_val_accuracy(), r->best_epoch, 100 * r->val_accuracy[last],
                        r->gap(std::min<std::size_t>(4, last)), r->gap(last), 100 * r->test_accuracy,
                        100 * r->near_zero_share, r->weight_norm);
        }
        std::printf("(\"final val\" and \"gap end\": the last epoch trained; the test accuracy is of the weights\n"
                    " each run ended with, which for early stopping are those of its best epoch.)\n");
        std::printf("\nEarly stopping: best validation loss %.4f at epoch %zu, stopped at epoch %zu of %zu.\n",
                    double(stop.best), stop.best_epoch, stop.stopped_epoch, setup.epochs);

        // --- Plots --------------------------------------------------------------------------
        plot_variant(baseline, opt.out / "baseline.svg");
        plot_variant(early, opt.out / "early-stopping.svg", stop.best_epoch);
        plot_variant(dropout, opt.out / "dropout.svg");
        plot_variant(l2, opt.out / "l2.svg");
        plot_variant(l1, opt.out / "l1.svg");
        plot::LineChart val_loss{.title = "validation loss", .x_label = "epoch", .y_label = "loss (log scale)"};
        val_loss.log_y = true;
        plot::LineChart val_acc{.title = "validation accuracy", .x_label = "epoch", .y_label = "accuracy (%)"};
        plot::LineChart gap{.title = "generalisation gap", .x_label = "epoch",
                            .y_label = "validation loss - training loss"};
        for (const Run* r : runs) {
            std::vector<double> acc = r->val_accuracy, g;
            for (double& a : acc) a *= 100;
            for (std::size_t i = 0; i < r->epochs.size(); ++i) g.push_back(r->gap(i));
            // Early stopping retraces the baseline until it stops: dashed, so both show.
            const bool dash = r == &early;
            auto& a = val_loss.add(r->name, r->epochs, r->val_loss);
            auto& b = val_acc.add(r->name, r->epochs, acc);
            auto& c = gap.add(r->name, r->epochs, g);
            if (dash) a.dashed(), b.dashed(), c.dashed();
        }
        plot::save_row(opt.out / "validation-overlay.svg", "Five variants on 1,000 MNIST digits",
                       {&val_loss, &val_acc, &gap}, 480, 400);
        lesson::wrote(opt.out / "validation-overlay.svg");
        std::printf("  (and a CSV of every variant's fit() history beside each plot)\n");

        // --- The target -----------------------------------------------------------------------
        // 1. The baseline over-fits: its gap at the end is larger than at the epoch of its
        //    lowest validation loss (where over-fitting, by definition, set in), by half.
        const std::size_t last = baseline.epochs.size() - 1;
        const std::size_t min_val_loss =
            std::size_t(std::min_element(baseline.val_loss.begin(), baseline.val_loss.end()) -
                        baseline.val_loss.begin());
        const bool baseline_gap_grows = baseline.gap(last) > 1.5 * baseline.gap(min_val_loss) &&
                                        baseline.val_loss[last] > baseline.val_loss[min_val_loss];
        std::printf("\nbaseline: gap %.3f at its best validation loss (epoch %zu), %.3f at the end: %s\n",
                    baseline.gap(min_val_loss), min_val_loss + 1, baseline.gap(last),
                    baseline_gap_grows ? "it grows" : "it does NOT grow");
        // 2. Each regulariser narrows the final gap or ends with a better validation accuracy.
        bool all_help = true;
        for (const Run* r : {&dropout, &l2, &l1}) {
            const std::size_t end = r->epochs.size() - 1;
            const bool narrower = r->gap(end) < baseline.gap(last);
            const bool better = r->val_accuracy[end] > baseline.val_accuracy[last];
            all_help = all_help && (narrower || better);
            std::printf("%-16s final gap %.3f vs %.3f (%s), final val acc %.2f%% vs %.2f%% (%s)\n", r->name.c_str(),
                        r->gap(end), baseline.gap(last), narrower ? "narrower" : "NOT narrower",
                        100 * r->val_accuracy[end], 100 * baseline.val_accuracy[last],
                        better ? "better" : "NOT better");
        }
        // 3. Early stopping stops before the last epoch, and the weights it hands back are
        //    the best epoch's: evaluated after fit() returned, they give that epoch's
        //    validation loss, not the last epoch's.
        const bool stopped_early = stop.stopped_epoch > 0 && stop.stopped_epoch < setup.epochs;
        const double best_recorded = stop.best_epoch > 0 ? early.val_loss[stop.best_epoch - 1] : NAN;
        const bool restored = stop.best_epoch > 0 && stop.best_epoch < early.epochs.size() &&
                              std::abs(early.val_loss_after - best_recorded) < 1e-6 &&
                              early.val_loss_after < early.val_loss.back();
        std::printf("early stopping: stopped at epoch %zu (< %zu: %s); the returned weights have validation loss "
                    "%.4f, epoch %zu's was %.4f and the last epoch's %.4f: %s\n",
                    stop.stopped_epoch, setup.epochs, stopped_early ? "yes" : "NO", early.val_loss_after,
                    stop.best_epoch, best_recorded, early.val_loss.back(),
                    restored ? "restored" : "NOT restored");

        char what[240];
        std::snprintf(what, sizeof what,
                      "baseline gap %.3f -> %.3f; final gaps dropout %.3f, L2 %.3f, L1 %.3f; early stopping at "
                      "epoch %zu/%zu restored epoch %zu",
                      baseline.gap(min_val_loss), baseline.gap(last), dropout.gap(dropout.epochs.size() - 1),
                      l2.gap(l2.epochs.size() - 1), l1.gap(l1.epochs.size() - 1), stop.stopped_epoch, setup.epochs,
                      stop.best_epoch);
        return lesson::report_target(opt, same_start && baseline_gap_grows && all_help && stopped_early && restored,
                                     what);
    });
}
