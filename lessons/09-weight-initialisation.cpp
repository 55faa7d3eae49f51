// Lesson 09: weight initialisation
// ================================
//
// Training starts from random weights. How random matters more than it seems: in a
// deep network the signal passes through every layer, and each layer multiplies its
// size by some factor. A unit of a Dense layer with n inputs computes
//
//     z = w_1 x_1 + ... + w_n x_n + b,     so  var(z) = n var(w) E[x^2]
//
// when the weights are independent with mean 0. If n var(w) is too small the signal
// shrinks layer after layer towards 0; too large, it grows until tanh saturates (or
// ReLU's outputs explode). The gradients travel the same layers backwards and suffer
// the same fate (lesson 06). The classic answers choose var(w) from the layer's
// fan-in n (and fan-out m) so that the factor is about 1:
//
//   Xavier / Glorot (2010)   var(w) = 2 / (n + m)   for tanh and sigmoid (f'(0) = 1 region)
//   He / Kaiming (2015)      var(w) = 2 / n         for ReLU, which zeroes half its inputs
//   LeCun (1998)             var(w) = 1 / n         for SELU (lesson 08)
//
// and two naive ones fail in instructive ways:
//
//   zeros                    every unit of a layer computes the same thing and gets
//                            the same gradient, forever: the symmetry is never broken
//   small normal N(0, 0.01^2)  n var(w) = 256 x 1e-4 = 0.026: the signal shrinks ~6x
//                            per layer and is gone after a few
//
// In typenet the scheme is part of a layer's type: Dense<256, Init<HeNormal>>
// (core/init.hpp). This lesson builds a deep MLP (eight hidden layers of 256) with
// tanh and with ReLU, under each of four schemes, and measures the mean and standard
// deviation of every layer's output for a batch of Fashion-MNIST images, before any
// training. Then it trains each network briefly and compares accuracy.
//
// Run:  build/release/lessons/09-weight-initialisation [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh fashion-mnist). About a minute of CPU time;
//       --smoke a second or two.
// Plots go to out/09-weight-initialisation/.

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
// The networks: the scheme S and the activation Act are template parameters
// ---------------------------------------------------------------------------------
template <class S, class Act>
using Deep = Sequential<Input<784>,                                                                    //
                        Dense<256, Init<S>>, Act, Dense<256, Init<S>>, Act, Dense<256, Init<S>>, Act,  //
                        Dense<256, Init<S>>, Act, Dense<256, Init<S>>, Act, Dense<256, Init<S>>, Act,  //
                        Dense<256, Init<S>>, Act, Dense<256, Init<S>>, Act,                            //
                        Dense<10, Init<S>>>;
constexpr std::size_t hidden_layers = 8;

using SmallNormal = Normal<1, 100>;  // N(0, 0.01^2): a common "small random numbers" choice

static_assert(Deep<HeNormal, ReLU>::param_count == (784 * 256 + 256) + 7 * (256 * 256 + 256) + (256 * 10 + 10));

using Loss = SoftmaxCrossEntropy;

namespace {

// ---------------------------------------------------------------------------------
// 1. Looking inside: the statistics of every layer's output
// ---------------------------------------------------------------------------------
//
// model.forward(n) runs a batch; model.for_each_layer_output then shows each layer's
// output for that batch, in order (index, name, values). The activation layers are
// the odd indices 1, 3, ..., 15. (A Dense fused with its activation never stores the
// pre-activation, so Dense's entry shows the activation's output too.)
struct LayerStats {
    std::vector<double> mean, stddev;
};

// Every scheme's network has the same layers; only its starting weights differ. So
// the scheme's own type makes the weights (Init<S> at construction), and they are
// measured and trained in one network type per activation, Deep<XavierUniform, Act>,
// which then starts from exactly those weights (and the same random generator): the
// program compiles the forward, backward and training of two networks instead of
// eight, and computes the same numbers.
template <class Act>
using Trainable = Model<Deep<XavierUniform, Act>>;

template <class S, class Act>
void start_from(Trainable<Act>& model) {
    Model<Deep<S, Act>> scheme{Seed{9}};
    std::ranges::copy(scheme.parameters(), model.parameters().begin());
    model.rng() = scheme.rng();
}

template <class S, class Act>
LayerStats activation_stats(const Dataset& images, std::size_t n) {
    Trainable<Act> model;
    start_from<S, Act>(model);
    std::vector<std::size_t> idx(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = i;
    std::vector<float> targets(n);
    images.gather(idx, model.input(n), targets.data());
    model.forward(n);
    LayerStats st;
    model.for_each_layer_output([&](std::size_t i, const std::string&, std::span<const float> v) {
        if (i % 2 == 0) return;  // Dense layers (and the final scores): skip
        double sum = 0, squares = 0;
        for (float x : v) sum += x, squares += double(x) * double(x);
        const double m = sum / double(v.size());
        st.mean.push_back(m);
        st.stddev.push_back(std::sqrt(std::max(0.0, squares / double(v.size()) - m * m)));
    });
    return st;
}

// ---------------------------------------------------------------------------------
// 2. A short training
// ---------------------------------------------------------------------------------
// A callback, tn::LossEvery (train/callbacks.hpp): the training loss averaged over
// every `window` steps, to see the first epochs in detail.
struct Trained {
    History history;
    LossEvery curve;
    float test_accuracy = 0;
};

struct Setup {
    const Dataset& train;
    const Dataset& test;
    std::size_t probe, epochs, window;
    float lr;
};

template <class S, class Act>
Trained train_briefly(const Setup& s) {
    Trainable<Act> model;
    start_from<S, Act>(model);
    Trained t;
    t.curve.window = s.window;
    t.history = fit(model, s.train, Loss{}, SGD{{.lr = s.lr}},
                    {.epochs = s.epochs, .batch = 64, .validation = s.test, .verbosity = Verbosity::Quiet},
                    t.curve);
    t.test_accuracy = t.history.epochs.back().val_accuracy;
    return t;
}

// One activation under the four schemes: statistics and training, printed as they come.
struct Study {
    std::string activation;
    std::vector<std::string> schemes;
    std::vector<LayerStats> stats;
    std::vector<Trained> trained;
};

template <class Act, class... Schemes>
Study study(const Setup& s, std::vector<std::string> names) {
    Study st{Act::name(), std::move(names), {activation_stats<Schemes, Act>(s.test, s.probe)...}, {}};
    std::printf("\n%s: standard deviation of each hidden layer's output at initialisation (%zu test images)\n",
                st.activation.c_str(), s.probe);
    std::printf("  %-14s", "layer");
    for (std::size_t l = 1; l <= hidden_layers; ++l) std::printf(" %9zu", l);
    std::printf("\n");
    for (std::size_t k = 0; k < st.stats.size(); ++k) {
        std::printf("  %-14s", st.schemes[k].c_str());
        for (double v : st.stats[k].stddev) std::printf(" %9.2e", v);
        std::printf("\n");
    }
    std::printf("  and the mean:\n");
    for (std::size_t k = 0; k < st.stats.size(); ++k) {
        std::printf("  %-14s", st.schemes[k].c_str());
        for (double v : st.stats[k].mean) std::printf(" %9.2e", v);
        std::printf("\n");
    }
    std::printf("  training %zu epochs (SGD lr %.2g, batch 64):\n", s.epochs, double(s.lr));
    st.trained = {train_briefly<Schemes, Act>(s)...};
    for (std::size_t k = 0; k < st.trained.size(); ++k)
        std::printf("    %-14s final training loss %.4f   test accuracy %6.2f%%\n", st.schemes[k].c_str(),
                    double(st.trained[k].history.epochs.back().loss), 100.0 * double(st.trained[k].test_accuracy));
    return st;
}

// The std (log scale) and mean of every layer, one curve per scheme.
void plot_stats(const Study& st, plot::LineChart& stddev, plot::LineChart& mean) {
    std::vector<double> layers;
    for (std::size_t l = 1; l <= hidden_layers; ++l) layers.push_back(double(l));
    for (std::size_t k = 0; k < st.stats.size(); ++k) {
        // A log axis cannot show 0: the zeros scheme leaves a gap, and says so.
        std::vector<double> sd = st.stats[k].stddev;
        bool all_zero = true;
        for (double& v : sd)
            if (v > 0) all_zero = false;
            else v = NAN;
        stddev.add(st.schemes[k] + (all_zero ? " (all exactly 0)" : ""), layers, sd);
        mean.add(st.schemes[k], layers, st.stats[k].mean);
    }
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "09-weight-initialisation");
        const auto fashion = data::fashion_mnist();
        const Dataset train = opt.smoke ? fashion.train.slice(0, 1'000) : fashion.train;
        const Dataset test = opt.smoke ? fashion.test.slice(0, 500) : fashion.test;
        const Setup setup{train, test, opt.smoke ? 200u : 1'000u, opt.smoke ? 1u : 2u, opt.smoke ? 4u : 100u, 0.01f};
        std::printf("A deep MLP, 784 -> 8 x 256 -> 10, on Fashion-MNIST (%zu training, %zu test images):\n\n",
                    train.size(), test.size());
        Model<Deep<HeNormal, ReLU>>{}.summary();

        const std::vector<std::string> names = {"zeros", "N(0, 0.01^2)", "Xavier/Glorot", "He"};
        enum { zeros, small, xavier, he };  // their order
        const Study tanh_study = study<Tanh, Zeros, SmallNormal, XavierUniform, HeNormal>(setup, names);
        const Study relu_study = study<ReLU, Zeros, SmallNormal, XavierUniform, HeNormal>(setup, names);

        // --- Plots ------------------------------------------------------------------------
        plot::LineChart tanh_sd{.title = "tanh: std of each layer's output", .x_label = "hidden layer",
                                .y_label = "standard deviation (log scale)"};
        plot::LineChart relu_sd{.title = "ReLU: std of each layer's output", .x_label = "hidden layer",
                                .y_label = "standard deviation (log scale)"};
        plot::LineChart tanh_mean{.title = "tanh: mean of each layer's output", .x_label = "hidden layer",
                                  .y_label = "mean"};
        plot::LineChart relu_mean{.title = "ReLU: mean of each layer's output", .x_label = "hidden layer",
                                  .y_label = "mean (log scale)"};
        tanh_sd.log_y = relu_sd.log_y = true;
        plot_stats(tanh_study, tanh_sd, tanh_mean);
        plot_stats(relu_study, relu_sd, relu_mean);
        plot::save_row(opt.out / "activation-std.svg", "Activation spread per layer at initialisation",
                       {&tanh_sd, &relu_sd}, 560, 420);
        lesson::wrote(opt.out / "activation-std.svg");
        // ReLU's outputs are >= 0, so their mean is > 0 unless they are all 0: log scale
        // for ReLU, with the zeros scheme's gap again.
        for (auto& s : relu_mean.series)
            for (double& v : s.y)
                if (!(v > 0)) v = NAN;
        relu_mean.log_y = true;
        plot::save_row(opt.out / "activation-mean.svg", "Activation mean per layer at initialisation",
                       {&tanh_mean, &relu_mean}, 560, 420);
        lesson::wrote(opt.out / "activation-mean.svg");

        const std::string loss_label = "training loss (mean of " + std::to_string(setup.window) + " steps)";
        plot::LineChart tanh_loss{.title = "tanh", .x_label = "step", .y_label = loss_label};
        plot::LineChart relu_loss{.title = "ReLU", .x_label = "step", .y_label = loss_label};
        for (std::size_t k = 0; k < names.size(); ++k) {
            const auto& t = tanh_study.trained[k].curve;
            const auto& r = relu_study.trained[k].curve;
            // Zeros and N(0, 0.01^2) lie on the same line: dash one so both show.
            auto& ts = tanh_loss.add(names[k], t.step, t.loss);
            auto& rs = relu_loss.add(names[k], r.step, r.loss);
            if (k == small) ts.dashed(), rs.dashed();
        }
        plot::save_row(opt.out / "training-loss.svg", "Training loss per initialisation", {&tanh_loss, &relu_loss},
                       560, 420);
        lesson::wrote(opt.out / "training-loss.svg");

        // --- The target ---------------------------------------------------------------------
        // "Activation statistics per layer plotted", and what they should show. The
        // growth factor of a scheme is the std of the last hidden layer over the first.
        const auto growth = [](const Study& st, std::size_t k) {
            return st.stats[k].stddev.back() / st.stats[k].stddev.front();
        };
        const bool zeros_dead = tanh_study.stats[zeros].stddev.back() == 0 &&
                                relu_study.stats[zeros].stddev.back() == 0 &&
                                tanh_study.trained[zeros].test_accuracy < 0.2f &&
                                relu_study.trained[zeros].test_accuracy < 0.2f;
        const bool small_vanishes = growth(tanh_study, small) < 1e-3 && growth(relu_study, small) < 1e-3;
        const bool xavier_keeps_tanh = growth(tanh_study, xavier) > 0.2 && growth(tanh_study, xavier) < 5;
        const bool he_keeps_relu = growth(relu_study, he) > 0.5 && growth(relu_study, he) < 2;
        std::printf("\nStd of hidden layer 8 / hidden layer 1 at initialisation:\n");
        std::printf("  %-14s %10s %10s\n", "", "tanh", "ReLU");
        for (std::size_t k = 0; k < names.size(); ++k) {
            if (k == zeros) {
                std::printf("  %-14s %10s %10s\n", names[k].c_str(), "all 0", "all 0");
                continue;
            }
            std::printf("  %-14s %10.3g %10.3g\n", names[k].c_str(), growth(tanh_study, k), growth(relu_study, k));
        }
        std::printf("\n  zeros: every output 0, accuracy at chance (< 20%%): %s\n", zeros_dead ? "yes" : "NO");
        std::printf("  N(0, 0.01^2): the signal shrinks over 1000x by layer 8: %s\n", small_vanishes ? "yes" : "NO");
        std::printf("  Xavier keeps tanh's spread (ratio between 0.2 and 5): %s\n", xavier_keeps_tanh ? "yes" : "NO");
        std::printf("  He keeps ReLU's spread (ratio between 0.5 and 2): %s\n", he_keeps_relu ? "yes" : "NO");
        char what[200];
        std::snprintf(what, sizeof what,
                      "activation statistics per layer plotted; layer 8 / layer 1 std: Xavier+tanh %.2f, He+ReLU "
                      "%.2f, N(0,0.01^2) %.1e / %.1e, zeros 0",
                      growth(tanh_study, xavier), growth(relu_study, he), growth(tanh_study, small),
                      growth(relu_study, small));
        return lesson::report_target(opt, zeros_dead && small_vanishes && xavier_keeps_tanh && he_keeps_relu, what);
    });
}
