// Lesson 05: gradient descent: batch, stochastic, mini-batch
// =========================================================
//
// Lesson 04 computed the gradient of the loss with respect to every weight. Gradient
// descent then takes a step against it:
//
//     w <- w - lr * dL/dw
//
// But *which* loss? The one we care about is the mean over all N training samples,
//
//     L(w) = (1/N) sum_i loss(f(x_i; w), t_i)
//
// and its gradient is the mean of N per-sample gradients. There are three ways to
// spend a budget of arithmetic on it:
//
//   batch (full-batch) gradient descent: average all N gradients, take one exact step.
//       One step per epoch (one pass over the data).
//   stochastic gradient descent (SGD): one sample's gradient, an unbiased but very
//       noisy estimate of the mean, and step at once. N steps per epoch.
//   mini-batch gradient descent: the mean over B samples (B = 64 here), less noisy
//       than one, far cheaper than N. N/B steps per epoch.
//
// This lesson trains the same MLP on MNIST digits with all three, each for the same
// wall-clock budget, and plots the training loss against epochs and against seconds.
// Per epoch, SGD wins: it takes thousands of steps where batch descent takes one.
// Per second, mini-batch wins: a batch of 64 keeps the CPU's vector units and caches
// busy (one matrix-matrix product instead of 64 matrix-vector products), so it
// gets through several times more samples per second than SGD, while each of its
// steps is still much cheaper than a full-batch step.
//
// Run:  build/release/lessons/05-gradient-descent [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh mnist). About 30 s (3 x 8 s of training);
//       --smoke a second or two.
// Plots: out/05-gradient-descent/loss-vs-epochs.svg and loss-vs-seconds.svg.

#include <algorithm>
#include <chrono>
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
// The model: one MLP, three ways to train it
// ---------------------------------------------------------------------------------
//
// 28x28 = 784 grey pixels in, one hidden layer of 128 ReLU units, 10 class scores
// out; softmax cross-entropy turns the scores into a loss. Every method starts from
// the same weights (the same seed), so the curves differ only by how they step.
using Net = Sequential<Input<784>, Dense<128>, ReLU, Dense<10>>;
static_assert(Net::param_count == (784 * 128 + 128) + (128 * 10 + 10));

using Loss = SoftmaxCrossEntropy;
using Clock = std::chrono::steady_clock;

namespace {

struct Method {
    std::string name;
    std::size_t batch;  // 0: the whole training set
    float lr;
};

// What a run records: the training loss (on all the training samples) after a given
// number of epochs and of seconds spent training.
struct Curve {
    std::string name;
    std::vector<double> epochs, seconds, loss;
    std::size_t steps = 0;
    double samples = 0;          // samples whose gradient was computed
    double train_seconds = 0;    // the clock stops while the loss is measured
    double test_accuracy = 0;
    double loss_at(double epoch) const {  // the first measurement at or after `epoch`
        for (std::size_t i = 0; i < epochs.size(); ++i)
            if (epochs[i] >= epoch - 1e-9) return loss[i];
        return NAN;
    }
};

// ---------------------------------------------------------------------------------
// The training loop, written out
// ---------------------------------------------------------------------------------
//
// fit() does this for a fixed number of epochs; here we want a fixed number of
// *seconds*, and the loss on the whole training set measured as we go, so the loop
// is spelled out. It is the same loop for all three methods; only the batch size
// (and the learning rate suited to it) changes:
//
//   each epoch: shuffle the sample order
//     each step: copy the next `batch` samples into the model's input,
//                model.train_step: forward, loss and dL/d(output), backward,
//                and the optimizer's update w -= lr * gradient.
//
// The loss is measured with the clock stopped, so that measuring costs no training
// time: at times that crowd towards the start (t = budget (k/K)^2, k = 0..K), where
// it falls fastest, and after each of the first ten epochs.
Curve train_for(const Method& method, const Dataset& train, const Dataset& test, double budget_seconds,
                std::size_t measurements) {
    Model<Net> model{Seed{5}};
    SGD sgd{{.lr = method.lr}};
    const std::size_t n = train.size();
    const std::size_t batch = method.batch == 0 ? n : method.batch;
    std::vector<std::size_t> order(n);
    std::vector<float> targets(batch);

    Curve c;
    c.name = method.name;
    const auto measure = [&] {
        c.epochs.push_back(c.samples / double(n));
        c.seconds.push_back(c.train_seconds);
        c.loss.push_back(evaluate(model, train, Loss{}).loss);
    };
    measure();  // the starting point, the same for all three
    std::size_t next = 1;
    const auto checkpoint = [&](std::size_t k) {
        const double share = double(k) / double(measurements);
        return budget_seconds * share * share;
    };

    while (c.train_seconds < budget_seconds) {
        for (std::size_t i = 0; i < n; ++i) order[i] = i;
        Rng shuffle = model.rng().split();
        for (std::size_t i = n - 1; i > 0; --i) std::swap(order[i], order[shuffle.below(i + 1)]);

        for (std::size_t done = 0; done < n && c.train_seconds < budget_seconds;) {
            const std::size_t b = std::min(batch, n - done);
            const auto start = Clock::now();
            train.gather({order.data() + done, b}, model.input(b), targets.data());
            model.train_step(b, targets.data(), Loss{}, sgd);
            c.train_seconds += std::chrono::duration<double>(Clock::now() - start).count();
            done += b;
            c.samples += double(b);
            ++c.steps;
            const bool epoch_ends = done == n && c.samples <= 10.0 * double(n);
            if (c.train_seconds >= checkpoint(next) || epoch_ends) {
                measure();
                while (checkpoint(next) <= c.train_seconds) ++next;
            }
        }
    }
    if (c.seconds.back() < c.train_seconds) measure();
    c.test_accuracy = evaluate(model, test, Loss{}).accuracy;
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "05-gradient-descent");
        // One thread. A batch of one sample leaves nothing to share between cores, and
        // on a busy machine a second thread that is not scheduled in time makes every
        // step wait for it: the seconds would measure the machine's load instead of
        // the methods.
        set_threads(1);

        // --- Data ------------------------------------------------------------------
        // MNIST: 60,000 training digits. A full batch is held in memory at once (its
        // activations and gradients for every sample), and a full batch of 60,000
        // would need about 600 MB for this network; so all three methods train on the
        // same 10,000 digits (the first 10,000; MNIST's order is already mixed).
        const auto mnist = data::mnist();
        const std::size_t n_train = opt.smoke ? 1'000 : 10'000;
        const Dataset train = mnist.train.slice(0, n_train);
        const Dataset test = mnist.test.slice(0, opt.smoke ? 1'000 : 10'000);
        std::printf("MNIST: training on %zu of its %zu training digits, testing on %zu\n\n", train.size(),
                    mnist.train.size(), test.size());
        Model<Net>{}.summary();

        // --- The three methods -------------------------------------------------------
        // Each gets the learning rate that suits it. The exact full-batch gradient
        // allows a large step; the single-sample gradient is so noisy that a large
        // step would throw away what the previous steps learned.
        const std::vector<Method> methods = {
            {"batch GD (all " + std::to_string(train.size()) + " per step)", 0, 0.3f},
            {"SGD (1 per step)", 1, 0.01f},
            {"mini-batch (64 per step)", 64, 0.1f},
        };
        const double budget = opt.smoke ? 0.3 : 8.0;
        std::printf("\nEach method trains for %.1f seconds of wall-clock time (the loss is measured with the\n"
                    "clock stopped).\n\n",
                    budget);
        std::vector<Curve> curves;
        for (const Method& m : methods) {
            curves.push_back(train_for(m, train, test, budget, opt.smoke ? 8 : 40));
            const Curve& c = curves.back();
            std::printf("  %-30s lr %-5.3g %7zu steps  %6.2f epochs  %8.0f samples/s  training loss %.4f"
                        "  test accuracy %.2f%%\n",
                        m.name.c_str(), double(m.lr), c.steps, c.epochs.back(), c.samples / c.train_seconds,
                        c.loss.back(), 100 * c.test_accuracy);
        }
        const Curve& full = curves[0];
        const Curve& sgd = curves[1];
        const Curve& mini = curves[2];

        // --- Per epoch and per second --------------------------------------------------
        // After one pass over the data batch GD has taken one step; SGD has taken
        // 10,000. Per epoch (per gradient computed), the many small steps win.
        std::printf("\nTraining loss after one epoch (each sample's gradient computed once):\n");
        for (const Curve& c : curves) std::printf("  %-30s %.4f\n", c.name.c_str(), c.loss_at(1.0));
        // Per second the picture changes: SGD computes its gradients one sample at a
        // time (matrix-vector products, which leave most of the CPU idle).
        std::printf("\nThroughput: mini-batch computes %.1fx as many per-sample gradients per second as SGD,\n"
                    "and batch GD %.1fx as many; but batch GD takes one step per %zu of them.\n",
                    (mini.samples / mini.train_seconds) / (sgd.samples / sgd.train_seconds),
                    (full.samples / full.train_seconds) / (sgd.samples / sgd.train_seconds), train.size());

        // --- Plots -------------------------------------------------------------------
        plot::LineChart by_epoch{.title = "MNIST MLP: training loss per epoch", .x_label = "epochs (passes over the data)",
                                 .y_label = "training loss (cross-entropy)"};
        by_epoch.log_y = true;
        plot::LineChart by_time{.title = "MNIST MLP: training loss per second", .x_label = "seconds of training",
                                .y_label = "training loss (cross-entropy)"};
        by_time.log_y = true;
        for (const Curve& c : curves) {
            by_epoch.add(c.name, c.epochs, c.loss);
            by_time.add(c.name, c.seconds, c.loss);
        }
        // Batch GD runs many epochs; the interesting part of the per-epoch view is the
        // first few, where the three methods differ most.
        by_epoch.x_max = std::min(10.0, std::max({full.epochs.back(), sgd.epochs.back(), mini.epochs.back()}));
        by_epoch.save(lesson::wrote(opt.out / "loss-vs-epochs.svg"));
        by_time.save(lesson::wrote(opt.out / "loss-vs-seconds.svg"));

        // --- The target ----------------------------------------------------------------
        // "Loss vs epochs and vs seconds plotted", and what the plots should show: in
        // the same wall-clock time, mini-batch descent reaches a lower training loss
        // than full-batch descent.
        const bool mini_beats_full = mini.loss.back() < full.loss.back();
        std::printf("\nAfter %.1f s: mini-batch training loss %.4f, batch GD %.4f, SGD %.4f\n", budget,
                    mini.loss.back(), full.loss.back(), sgd.loss.back());
        char what[200];
        std::snprintf(what, sizeof what,
                      "both plots written; in the same %.3g s mini-batch reaches training loss %.4f, below "
                      "full-batch's %.4f",
                      budget, mini.loss.back(), full.loss.back());
        return lesson::report_target(opt, mini_beats_full, what);
    });
}
