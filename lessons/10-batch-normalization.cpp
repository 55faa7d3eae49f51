// Lesson 10: batch normalisation
// ==============================
//
// Lesson 09 chose the first weights so that every layer's output keeps a sensible
// spread. But that holds only at the start: as training moves the weights of the early
// layers, the distribution of what every later layer receives moves too, and each layer
// keeps re-adapting to a moving input. Batch normalisation (Ioffe & Szegedy 2015) fixes
// the spread during training as well. For every unit it takes the mean and variance
// over the current batch and standardises,
//
//     x_hat = (x - mean_batch) / sqrt(var_batch + eps),     y = gamma x_hat + beta
//
// with gamma and beta learned, so that the layer can still choose any scale and shift
// (gamma = sqrt(var), beta = mean undoes the normalisation entirely), but it no longer
// *depends* on the scale of the weights below: multiply a Dense layer's weights by 10
// and the BatchNorm after it outputs the same thing. That is why a network with BatchNorm
// tolerates larger learning rates: a step that inflates some weights is absorbed by the
// next normalisation instead of compounding through the layers.
//
// At test time there may be one image, not a batch, and a prediction must not depend
// on which other images happen to share its batch. So during training each BatchNorm
// also keeps running averages of the batch means and variances, and evaluation mode
// normalises with those fixed numbers instead.
//
// This lesson trains the same deep MLP (five hidden layers of 128 units, sigmoid and
// then ReLU) with and without BatchNorm, from the same seed, with plain SGD at three
// learning rates, and counts the steps each needs to bring its training loss down to a
// chosen level. Then it looks at the two modes of a trained BatchNorm network.
//
// Run:  build/release/lessons/10-batch-normalization [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh fashion-mnist). About 15 s of CPU time;
//       --smoke a second or two.
// Plots go to out/10-batch-normalization/: loss-vs-steps.svg, validation-accuracy.svg.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <typenet/data/mnist.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The two networks
// ---------------------------------------------------------------------------------
//
// One template for each, the activation Act and the initialisation scheme S its
// parameters: sigmoid with Xavier/Glorot (the setting of the paper's own MNIST
// experiment), and ReLU with He (lesson 09's best start for ReLU, so the network without
// BatchNorm gets every chance). BatchNorm sits between each Dense and its activation, as
// in the paper. A bias before BatchNorm would be subtracted again with the batch mean,
// so those Dense layers have none (NoBias): BatchNorm's beta is the bias now.
template <class Act, class S>
using PlainNet = Sequential<Input<784>,                                                    //
                            Dense<128, Init<S>>, Act, Dense<128, Init<S>>, Act,            //
                            Dense<128, Init<S>>, Act, Dense<128, Init<S>>, Act,            //
                            Dense<128, Init<S>>, Act,                                      //
                            Dense<10, Init<S>>>;
template <class Act, class S>
using NormalizedNet = Sequential<Input<784>,                                                                //
                                 Dense<128, Init<S>, NoBias>, BatchNorm<>, Act,                             //
                                 Dense<128, Init<S>, NoBias>, BatchNorm<>, Act,                             //
                                 Dense<128, Init<S>, NoBias>, BatchNorm<>, Act,                             //
                                 Dense<128, Init<S>, NoBias>, BatchNorm<>, Act,                             //
                                 Dense<128, Init<S>, NoBias>, BatchNorm<>, Act,                             //
                                 Dense<10, Init<S>>>;
constexpr std::size_t hidden_layers = 5;

// Per hidden layer BatchNorm trades Dense's 128 biases for 128 gammas and 128 betas.
static_assert(NormalizedNet<ReLU, HeNormal>::param_count ==
              PlainNet<ReLU, HeNormal>::param_count + hidden_layers * 128);

using Loss = SoftmaxCrossEntropy;

namespace {

// ---------------------------------------------------------------------------------
// Training, step by step
// ---------------------------------------------------------------------------------
//
// A callback, tn::LossEvery (train/callbacks.hpp), records the training loss of every
// step, averaged over windows of `window` steps (one batch's loss is noisy; a window's
// mean is a curve one can read).
struct Run {
    std::string name;
    float lr = 0;
    LossEvery curve;
    std::vector<double> epochs, val_accuracy;
    std::string diverged;  // the NumericError's message, when training blew up
    std::size_t steps_to_level(double level) const {  // 0: never reached
        for (std::size_t i = 0; i < curve.loss.size(); ++i)
            if (curve.loss[i] <= level) return std::size_t(curve.step[i]);
        return 0;
    }
    double final_loss() const { return curve.loss.empty() ? NAN : curve.loss.back(); }
    double final_val_accuracy() const { return val_accuracy.empty() ? NAN : val_accuracy.back(); }
};

struct Setup {
    const Dataset& train;
    const Dataset& validation;
    std::size_t epochs, batch, window;
};

// One run. A learning rate too large for a network makes its loss overflow; train_step
// then throws a NumericError naming the step and the layer (lesson 06), which here is
// a result to report, not a reason to stop the lesson. The model is handed back for
// the look at evaluation mode.
template <class Net>
Run train_run(Model<Net>& model, const std::string& name, float lr, const Setup& s) {
    Run r;
    r.name = name;
    r.lr = lr;
    r.curve.window = s.window;
    try {
        fit(model, s.train, Loss{}, SGD{{.lr = lr}},
            {.epochs = s.epochs,
             .batch = s.batch,
             .validation = s.validation,
             .verbosity = Verbosity::Quiet,
             .on_epoch =
                 [&](const EpochRecord& e) {
                     r.epochs.push_back(double(e.epoch));
                     r.val_accuracy.push_back(e.val_accuracy);
                     return true;
                 }},
            r.curve);
    } catch (const NumericError& e) {
        r.diverged = e.what();
    }
    return r;
}

// ---------------------------------------------------------------------------------
// Evaluation mode and training mode
// ---------------------------------------------------------------------------------
//
// evaluate() runs the network in evaluation mode (running statistics). To see what
// training mode would predict, run forward(n, true) by hand, batch by batch. A training
// forward also moves the running statistics, so they are saved first and put back after.
template <class Net>
double train_mode_accuracy(Model<Net>& model, const Dataset& data, std::size_t batch) {
    const std::vector<float> saved(model.buffers().begin(), model.buffers().end());
    std::vector<std::size_t> idx(batch);
    std::vector<float> targets(batch);
    std::size_t hits = 0, seen = 0;
    for (std::size_t start = 0; start + batch <= data.size(); start += batch) {
        for (std::size_t b = 0; b < batch; ++b) idx[b] = start + b;
        data.gather(idx, model.input(batch), targets.data());
        const auto out = model.forward(batch, true);
        hits += Loss::correct<typename Model<Net>::output_shape>(out.data(), targets.data(), batch);
        seen += batch;
    }
    std::copy(saved.begin(), saved.end(), model.buffers().begin());
    return double(hits) / double(seen);
}

// ---------------------------------------------------------------------------------
// One activation: both networks at every learning rate
// ---------------------------------------------------------------------------------
struct Study {
    std::string activation;
    std::vector<Run> plain, normalized;  // one per learning rate
};

// `keep` receives the BatchNorm network trained at `keep_lr`, for the look at its modes.
template <class Act, class S>
Study study(const Setup& s, const std::vector<float>& rates, float keep_lr,
            std::optional<Model<NormalizedNet<Act, S>>>& keep) {
    Study st{Act::name(), {}, {}};
    for (float lr : rates) {
        char label[80];
        std::snprintf(label, sizeof label, "%s, plain, lr %g", st.activation.c_str(), double(lr));
        Model<PlainNet<Act, S>> p{Seed{10}};
        st.plain.push_back(train_run(p, label, lr, s));
        std::snprintf(label, sizeof label, "%s, BatchNorm, lr %g", st.activation.c_str(), double(lr));
        Model<NormalizedNet<Act, S>> n{Seed{10}};
        st.normalized.push_back(train_run(n, label, lr, s));
        if (lr == keep_lr) keep = n;
    }
    return st;
}

void print_table(const Study& st, double level) {
    for (std::size_t k = 0; k < st.plain.size(); ++k)
        for (const Run* r : {&st.plain[k], &st.normalized[k]}) {
            const std::size_t n = r->steps_to_level(level);
            const std::string steps = n == 0 ? "never" : std::to_string(n);
            if (r->diverged.empty())
                std::printf("%-28s %14s %12.4f %15.2f%%\n", r->name.c_str(), steps.c_str(), r->final_loss(),
                            100 * r->final_val_accuracy());
            else
                std::printf("%-28s %14s %12s %16s   diverged (NumericError)\n", r->name.c_str(), steps.c_str(), "-",
                            "-");
        }
    for (const auto* runs : {&st.plain, &st.normalized})
        for (const Run& r : *runs)
            if (!r.diverged.empty()) std::printf("  %s: %s\n", r.name.c_str(), r.diverged.c_str());
}

// Loss per step and validation accuracy per epoch: one colour per learning rate,
// dashed without BatchNorm, solid with it.
void plot_study(const Study& st, plot::LineChart& loss, plot::LineChart& acc) {
    for (std::size_t k = 0; k < st.plain.size(); ++k)
        for (const Run* r : {&st.plain[k], &st.normalized[k]}) {
            std::vector<double> a = r->val_accuracy;
            for (double& v : a) v *= 100;
            const std::string name = r->name.substr(st.activation.size() + 2);  // without "ReLU, "
            auto& l = loss.add(name, r->curve.step, r->curve.loss).color(k);
            auto& v = acc.add(name, r->epochs, a).color(k);
            if (r == &st.plain[k]) l.dashed(), v.dashed();
        }
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "10-batch-normalization");
        // One thread: reproducible runs, and a fair share of a shared machine.
        set_threads(1);

        // --- Data ------------------------------------------------------------------
        const auto fashion = data::fashion_mnist();
        const Dataset train = fashion.train.slice(0, opt.smoke ? 1'000 : 20'000);
        const Dataset validation = opt.smoke ? fashion.test.slice(0, 500) : fashion.test;
        const Setup setup{train, validation, opt.smoke ? 1u : 5u, 64, opt.smoke ? 4u : 25u};
        const std::size_t total_steps = setup.epochs * ((train.size() + setup.batch - 1) / setup.batch);
        std::printf("Fashion-MNIST: %zu training images, %zu validation images; batch %zu, %zu epochs (%zu steps)\n\n",
                    train.size(), validation.size(), setup.batch, setup.epochs, total_steps);
        std::printf("Without BatchNorm:\n");
        Model<PlainNet<ReLU, HeNormal>>{}.summary();
        std::printf("\nWith BatchNorm:\n");
        Model<NormalizedNet<ReLU, HeNormal>>{}.summary();

        // --- Twelve runs: two activations, two networks, three learning rates ------------
        // Plain SGD (no momentum, no schedule), so that nothing but the normalisation
        // differs. 0.01 is a careful rate for the plain networks; 0.1 is ten times that;
        // 1.0 is a rate no one would try without BatchNorm.
        const std::vector<float> rates = {0.01f, 0.1f, 1.0f};
        std::optional<Model<NormalizedNet<Sigmoid, XavierUniform>>> unused;
        std::optional<Model<NormalizedNet<ReLU, HeNormal>>> keep;  // ReLU with BatchNorm at lr 0.1, for later
        const Study sigmoid = study<Sigmoid, XavierUniform>(setup, rates, 0.f, unused);
        const Study relu = study<ReLU, HeNormal>(setup, rates, 0.1f, keep);

        // --- The table ----------------------------------------------------------------
        // The level: a training loss of 0.5 (mean over a window of steps). At the start
        // every network sits near ln 10 = 2.30, a uniform guess over ten classes.
        const double level = 0.5;
        std::printf("\nSteps until the training loss (mean of %zu steps) first reaches %.2f (never: not within "
                    "the %zu steps).\n\n",
                    setup.window, level, total_steps);
        std::printf("%-28s %14s %12s %16s\n", "run", "steps to 0.5", "final loss", "final val acc");
        print_table(sigmoid, level);
        print_table(relu, level);

        // --- Plots --------------------------------------------------------------------
        const std::string loss_label = "training loss (mean of " + std::to_string(setup.window) + " steps)";
        plot::LineChart sigmoid_loss{.title = "sigmoid (Xavier)", .x_label = "step", .y_label = loss_label};
        plot::LineChart relu_loss{.title = "ReLU (He)", .x_label = "step", .y_label = loss_label};
        sigmoid_loss.log_y = relu_loss.log_y = true;
        plot::LineChart sigmoid_acc{.title = "sigmoid (Xavier)", .x_label = "epoch", .y_label = "validation accuracy (%)"};
        plot::LineChart relu_acc{.title = "ReLU (He)", .x_label = "epoch", .y_label = "validation accuracy (%)"};
        plot_study(sigmoid, sigmoid_loss, sigmoid_acc);
        plot_study(relu, relu_loss, relu_acc);
        for (plot::LineChart* c : {&sigmoid_loss, &relu_loss}) {  // the level the table counts steps to
            c->add("level " + std::to_string(level).substr(0, 3), std::vector<double>{0, double(total_steps)},
                   std::vector<double>{level, level})
                .dotted()
                .color(6)
                .line_width(1.5)
                .with_markers(plot::Markers::never);
            c->x_max = double(total_steps);
        }
        plot::save_row(opt.out / "loss-vs-steps.svg", "Training loss: dashed without BatchNorm, solid with it",
                       {&sigmoid_loss, &relu_loss}, 560, 420);
        lesson::wrote(opt.out / "loss-vs-steps.svg");
        plot::save_row(opt.out / "validation-accuracy.svg",
                       "Validation accuracy: dashed without BatchNorm, solid with it", {&sigmoid_acc, &relu_acc}, 560,
                       420);
        lesson::wrote(opt.out / "validation-accuracy.svg");

        // --- Evaluation mode vs training mode ---------------------------------------------
        auto& model = *keep;
        const double eval_acc = evaluate(model, validation, Loss{}).accuracy;
        std::printf("\nThe ReLU network with BatchNorm, trained at lr 0.1, on the %zu validation images:\n", validation.size());
        std::printf("  %-44s %6.2f%%\n", "evaluation mode (running statistics):", 100 * eval_acc);
        // Evaluation mode normalises every image with the same fixed numbers, so the
        // batch it is evaluated in makes no difference.
        std::printf("  %-44s %6.2f%%\n", "evaluation mode, in batches of 2:",
                    100 * evaluate(model, validation, Loss{}, 2).accuracy);
        // Training mode normalises with the statistics of whatever batch the image is in.
        for (std::size_t b : {std::size_t(256), std::size_t(16), std::size_t(2)})
            std::printf("  %-44s %6.2f%%\n", ("training mode, statistics of batches of " + std::to_string(b) + ":").c_str(),
                        100 * train_mode_accuracy(model, validation, b));
        // Without running statistics: what the network would do if evaluation used the
        // initial values (mean 0, variance 1), i.e. had they never been tracked.
        const std::vector<float> saved(model.buffers().begin(), model.buffers().end());
        for (auto& t : model.named_buffers())
            std::fill(t.values.begin(), t.values.end(), t.name.ends_with("running_var") ? 1.f : 0.f);
        const double untracked_acc = evaluate(model, validation, Loss{}).accuracy;
        std::copy(saved.begin(), saved.end(), model.buffers().begin());
        std::printf("  %-44s %6.2f%%\n", "evaluation mode, initial statistics (0, 1):", 100 * untracked_acc);
        const auto first_bn = model.named_buffers().front();
        std::printf("  (%s after training: %.3f %.3f %.3f ...; it started at 0)\n", first_bn.name.c_str(),
                    double(first_bn.values[0]), double(first_bn.values[1]), double(first_bn.values[2]));

        // --- The target -------------------------------------------------------------------
        // "Faster convergence shown": for both activations and at every learning rate
        // where either network gets its loss down to the level, the BatchNorm network
        // gets there first (a plain network that never does counts as infinitely slow).
        // And at lr 1.0 both BatchNorm networks still train: no divergence, level reached.
        bool faster = true, tolerates = true;
        std::printf("\nSteps to loss %.2f, without -> with BatchNorm:\n", level);
        const auto steps = [](std::size_t n) { return n == 0 ? std::string("never") : std::to_string(n); };
        for (const Study* st : {&sigmoid, &relu}) {
            for (std::size_t k = 0; k < rates.size(); ++k) {
                const Run& p = st->plain[k];
                const std::size_t ps = p.steps_to_level(level), ns = st->normalized[k].steps_to_level(level);
                std::string verdict;
                if (ps == 0 && ns == 0) {
                    verdict = "neither reaches it";
                } else if (ns > 0 && ps == 0) {
                    verdict = p.diverged.empty() ? "only with BatchNorm" : "only with BatchNorm (plain diverged)";
                } else if (ns > 0 && ns < ps) {
                    char ratio[32];
                    std::snprintf(ratio, sizeof ratio, "%.2fx fewer steps", double(ps) / double(ns));
                    verdict = ratio;
                } else {
                    verdict = "NOT faster with BatchNorm";
                    faster = false;
                }
                std::printf("  %-8s lr %-5g %6s -> %-6s  %s\n", st->activation.c_str(), double(rates[k]),
                            steps(ps).c_str(), steps(ns).c_str(), verdict.c_str());
            }
            const Run& large = st->normalized.back();
            tolerates = tolerates && large.diverged.empty() && large.steps_to_level(level) > 0;
        }
        std::printf("BatchNorm at lr 1.0: %s\n", tolerates ? "both networks train" : "does NOT train");
        char what[240];
        std::snprintf(what, sizeof what,
                      "steps to loss %.2f at lr 0.1 without -> with BatchNorm: sigmoid %s -> %s, ReLU %s -> %s; "
                      "BatchNorm %s at lr 1.0",
                      level, steps(sigmoid.plain[1].steps_to_level(level)).c_str(),
                      steps(sigmoid.normalized[1].steps_to_level(level)).c_str(),
                      steps(relu.plain[1].steps_to_level(level)).c_str(),
                      steps(relu.normalized[1].steps_to_level(level)).c_str(), tolerates ? "trains" : "fails");
        return lesson::report_target(opt, faster && tolerates, what);
    });
}
