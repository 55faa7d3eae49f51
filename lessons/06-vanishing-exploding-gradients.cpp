// Lesson 06: vanishing and exploding gradients
// ============================================
//
// Backpropagation (lesson 04) carries the gradient from the loss back to the first
// layer one layer at a time. Through a Dense layer and its activation f it becomes
//
//     g_in = (g_out * f'(z)) W        (* element by element)
//
// so by the time it reaches layer 1 of a network with L layers, it has been
// multiplied by L weight matrices and L activation derivatives. A product of many
// factors is a knife edge: if the typical factor is below 1 the gradient shrinks
// geometrically on its way down (it *vanishes*), and the first layers stop
// learning; above 1 it grows geometrically (it *explodes*), and one update can
// throw the weights so far that the next forward pass overflows.
//
// This lesson builds three networks of the same depth (ten Dense layers, nine
// hidden layers of 64 units) on MNIST and measures the gradient of every layer:
//
//   1. sigmoid, Glorot initialisation: sigmoid'(z) is at most 1/4, so each layer
//      shrinks the gradient: it vanishes;
//   2. ReLU, He initialisation: ReLU'(z) is 0 or 1 and He's weights keep the
//      signal's size from layer to layer: the gradient arrives intact;
//   3. ReLU with weights drawn too large: each layer grows the gradient; without a
//      guard, training blows up within a few steps. Clipping the gradient's norm
//      (Pascanu et al. 2013) caps every step's length and training goes on.
//
// Run:  build/release/lessons/06-vanishing-exploding-gradients [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh mnist). Under 15 s of CPU time;
//       --smoke about a second.
// Plots go to out/06-vanishing-exploding-gradients/.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <typenet/data/mnist.hpp>
#include <typenet/optim/clip.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The networks: one template, three types
// ---------------------------------------------------------------------------------
//
// Ten Dense layers; every one draws its weights with the scheme S (core/init.hpp).
// Written out rather than with Repeat<> so that each Dense is its own entry of
// named_parameters(): 0.weight, 2.weight, ..., 18.weight.
template <class Act, class S>
using Deep = Sequential<Input<784>,                                                        //
                        Dense<64, Init<S>>, Act, Dense<64, Init<S>>, Act, Dense<64, Init<S>>, Act,  //
                        Dense<64, Init<S>>, Act, Dense<64, Init<S>>, Act, Dense<64, Init<S>>, Act,  //
                        Dense<64, Init<S>>, Act, Dense<64, Init<S>>, Act, Dense<64, Init<S>>, Act,  //
                        Dense<10, Init<S>>>;

// An initialisation scheme is a type with a fill() (core/init.hpp). This one draws
// weights with four times He's variance, var(W) = 8 / fan_in: every ReLU layer then
// doubles the size of the signal that passes through it, forwards and backwards.
struct HeTimesFour {
    static std::string name() { return "HeTimesFour"; }
    static constexpr double variance(std::size_t fan_in, std::size_t) { return 8.0 / double(fan_in); }
    static void fill(float* w, std::size_t n, std::size_t fan_in, std::size_t fan_out, Rng& rng) {
        const float stddev = float(std::sqrt(variance(fan_in, fan_out)));
        for (std::size_t i = 0; i < n; ++i) w[i] = rng.normal(0.f, stddev);
    }
};

using DeepSigmoid = Deep<Sigmoid, XavierUniform>;  // Glorot: the classic choice for sigmoid and tanh
using DeepReLU = Deep<ReLU, HeNormal>;             // He: var(W) = 2 / fan_in, made for ReLU
using DeepReLUTooLarge = Deep<ReLU, HeTimesFour>;  // var(W) = 8 / fan_in

constexpr std::size_t dense_layers = 10;
static_assert(DeepReLU::param_count == (784 * 64 + 64) + 8 * (64 * 64 + 64) + (64 * 10 + 10));

using Loss = SoftmaxCrossEntropy;

namespace {

// ---------------------------------------------------------------------------------
// Reading the gradient of each layer
// ---------------------------------------------------------------------------------
//
// After backward(), the model's gradient arena holds dL/dW for every weight.
// named_parameters() gives each tensor's name and a view of its gradient; the L2
// norm of a layer's weight gradient is how hard the loss pulls on that layer.
template <class Net>
std::vector<std::span<const float>> weight_gradients(Model<Net>& model) {
    std::vector<std::span<const float>> out;
    for (const auto& p : model.named_parameters())
        if (p.name.ends_with(".weight")) out.push_back(p.gradients);
    return out;
}

double norm(std::span<const float> v) {
    double s = 0;
    for (float x : v) s += double(x) * double(x);
    return std::sqrt(s);
}

// The batch [first, first + n) of `data` into the model's input; returns its targets.
template <class Net>
std::vector<float> load_batch(Model<Net>& model, const Dataset& data, std::size_t first, std::size_t n) {
    std::vector<std::size_t> idx(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = first + i;
    std::vector<float> targets(n);
    data.gather(idx, model.input(n), targets.data());
    return targets;
}

// One forward and backward pass on a batch, no update: the gradient norm per layer.
template <class Net>
std::vector<double> layer_gradient_norms(Model<Net>& model, const Dataset& data, std::size_t n) {
    const auto targets = load_batch(model, data, 0, n);
    const auto out = model.forward(n, true);
    std::vector<float> d_out(out.size());
    Loss::compute<typename Model<Net>::output_shape>(out.data(), targets.data(), d_out.data(), n);
    model.backward(d_out.data());
    std::vector<double> norms;
    for (auto g : weight_gradients(model)) norms.push_back(norm(g));
    return norms;
}

// ---------------------------------------------------------------------------------
// A training loop that watches the gradients
// ---------------------------------------------------------------------------------
//
// model.train_step(batch, targets, loss, optimizer, before_update) runs forward,
// loss, backward, then calls before_update(gradients) and steps the optimizer. We use
// that hook to record the gradient norm of every layer at every step, and, when asked,
// to clip: rescale all gradients together so that their global norm is at most
// max_norm (optim/clip.hpp). A NaN or infinity in the loss stops training with a
// tn::NumericError that names the step and the layer.
struct Trace {
    std::vector<double> step, loss;
    std::vector<std::vector<double>> layer_norm;  // [layer][record]
    std::vector<double> global_norm;              // before clipping, every step
    std::string failure;                          // the NumericError's message, if training blew up
    std::size_t steps = 0;
};

template <class Net>
Trace train_watching(Model<Net>& model, const Dataset& train, std::size_t steps, float lr, float clip_norm,
                     std::size_t record_every) {
    SGD sgd{{.lr = lr}};
    constexpr std::size_t batch = 64;
    const auto layers = weight_gradients(model);
    Trace t;
    t.layer_norm.resize(layers.size());
    std::vector<std::size_t> idx(batch);
    std::vector<float> targets(batch);
    Rng order{Seed{6}};
    double running_loss = 0;
    std::size_t in_window = 0;
    try {
        for (std::size_t s = 1; s <= steps; ++s) {
            for (auto& i : idx) i = order.below(train.size());
            train.gather(idx, model.input(batch), targets.data());
            const bool record = s % record_every == 0 || s == 1;
            const StepResult r = model.train_step(batch, targets.data(), Loss{}, sgd, [&](std::span<float> g) {
                if (record)
                    for (std::size_t l = 0; l < layers.size(); ++l) t.layer_norm[l].push_back(norm(layers[l]));
                // clip_by_global_norm returns the norm before clipping; a limit of
                // infinity never clips, so both runs go through the same code.
                t.global_norm.push_back(clip_by_global_norm(g, clip_norm));
            });
            running_loss += r.loss;
            ++in_window;
            t.steps = s;
            if (record) {  // the mean loss of the steps since the last record
                t.step.push_back(double(s));
                t.loss.push_back(running_loss / double(in_window));
                running_loss = 0, in_window = 0;
            }
        }
    } catch (const NumericError& e) {
        t.failure = e.what();
    }
    return t;
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? NAN : s / double(v.size());
}

void print_norms(const char* title, const std::vector<std::string>& names,
                 const std::vector<std::vector<double>>& norms) {
    std::printf("\n%s\n  layer  ", title);
    for (const auto& n : names) std::printf(" %18s", n.c_str());
    std::printf("\n");
    for (std::size_t l = 0; l < norms[0].size(); ++l) {
        std::printf("  %5zu  ", l + 1);
        for (const auto& column : norms) std::printf(" %18.3e", column[l]);
        std::printf("\n");
    }
}

std::vector<double> layer_numbers() {
    std::vector<double> x;
    for (std::size_t l = 1; l <= dense_layers; ++l) x.push_back(double(l));
    return x;
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "06-vanishing-exploding-gradients");
        const auto mnist = data::mnist();
        const Dataset& train = mnist.train;
        std::printf("Three networks of ten Dense layers (784 -> 9 x 64 -> 10), on MNIST:\n\n");
        Model<DeepReLU>{}.summary();

        // ==========================================================================
        // 1. At initialisation: the gradient of every layer on one batch
        // ==========================================================================
        // No training yet: one batch of 256 digits, forward, loss, backward, and the
        // norm of each layer's weight gradient ||dL/dW||.
        Model<DeepSigmoid> sigmoid_net{Seed{1}};
        Model<DeepReLU> relu_net{Seed{1}};
        Model<DeepReLUTooLarge> large_net{Seed{1}};
        const std::size_t probe = 256;
        const std::vector<std::vector<double>> at_init = {layer_gradient_norms(sigmoid_net, train, probe),
                                                          layer_gradient_norms(relu_net, train, probe),
                                                          layer_gradient_norms(large_net, train, probe)};
        const std::vector<std::string> names = {"sigmoid, Glorot", "ReLU, He", "ReLU, 4x He's variance"};
        print_norms("Gradient norm ||dL/dW|| per layer at initialisation (layer 1 is next to the input):", names,
                    at_init);
        // How much of the gradient reaches layer 1, relative to layer 10 (the output).
        std::vector<double> first_over_last;
        for (const auto& column : at_init) first_over_last.push_back(column.front() / column.back());
        // And how much larger the too-large network's gradients are than He's, at the
        // layer where they are closest.
        double smallest_excess = INFINITY;
        for (std::size_t l = 0; l < dense_layers; ++l)
            smallest_excess = std::min(smallest_excess, at_init[2][l] / at_init[1][l]);
        std::printf("\n  layer 1 / layer 10:  sigmoid %.2e   ReLU+He %.2f   ReLU 4x He %.2f\n", first_over_last[0],
                    first_over_last[1], first_over_last[2]);
        std::printf("  ReLU 4x He / ReLU+He: at least %.0fx, in every layer\n", smallest_excess);
        // Why sigmoid loses it: its derivative s(1 - s) is at most 0.25 (at z = 0) and
        // Glorot's weights do not make up for that, so every layer multiplies the
        // gradient by well under one. ReLU's derivative is exactly 1 where a unit is
        // active, and He's variance 2 / fan_in makes up for the half of the units
        // that are not. With four times that variance each layer doubles the signal:
        // the activations grow 2x per layer going up, the gradients 2x per layer going
        // down. A weight's gradient is the product of the two (dW = dZ^T X), so it is
        // about 2^10 = 1000 times He's in *every* layer: the explosion shows as a
        // uniformly huge gradient, not as a slope.

        plot::LineChart init_chart{.title = "Gradient norm per layer at initialisation",
                                   .x_label = "layer (1 = next to the input, 10 = output)",
                                   .y_label = "||dL/dW|| (log scale)"};
        init_chart.log_y = true;
        for (std::size_t k = 0; k < at_init.size(); ++k) init_chart.add(names[k], layer_numbers(), at_init[k]);
        init_chart.save(lesson::wrote(opt.out / "gradient-norms-at-init.svg"));

        // ==========================================================================
        // 2. Training: sigmoid vs ReLU
        // ==========================================================================
        // Plain SGD, learning rate 0.1, batches of 64, the same number of steps. We
        // record the norm of every layer's gradient as training goes.
        const std::size_t steps = opt.smoke ? 60 : 3000;
        const std::size_t every = opt.smoke ? 10 : 50;
        const float inf = INFINITY;
        std::printf("\nTraining both for %zu steps of SGD (lr 0.1, batch 64):\n", steps);
        const Trace sig = train_watching(sigmoid_net, train, steps, 0.1f, inf, every);
        const Trace rel = train_watching(relu_net, train, steps, 0.1f, inf, every);
        const auto test_accuracy = [&](auto& model) { return evaluate(model, mnist.test, Loss{}).accuracy; };
        const float sig_acc = test_accuracy(sigmoid_net), rel_acc = test_accuracy(relu_net);
        for (const auto* t : {&sig, &rel}) {
            const bool is_sig = t == &sig;
            std::printf("  %-16s loss %.3f -> %.3f   test accuracy %5.1f%%   mean ||dL/dW|| layer 1: %.2e,"
                        " layer 10: %.2e%s\n",
                        is_sig ? "sigmoid, Glorot" : "ReLU, He", t->loss.front(), t->loss.back(),
                        100.0 * (is_sig ? sig_acc : rel_acc),
                        mean(t->layer_norm.front()), mean(t->layer_norm.back()),
                        t->failure.empty() ? "" : "   (stopped: non-finite loss)");
        }
        // The sigmoid network sits near loss ln(10) = 2.30 (a uniform guess over ten
        // classes) for a long time: its output layer learns the class frequencies,
        // and the layers below, which would have to learn the features, barely move.

        plot::LineChart loss_chart{.title = "Training loss", .x_label = "step", .y_label = "training loss"};
        loss_chart.add("sigmoid, Glorot", sig.step, sig.loss);
        loss_chart.add("ReLU, He", rel.step, rel.loss);
        plot::LineChart during{.title = "Gradient norm of layers 1 and 10", .x_label = "step",
                               .y_label = "||dL/dW|| (log scale)"};
        during.log_y = true;
        during.add("sigmoid, layer 1", sig.step, sig.layer_norm.front()).color(0);
        during.add("sigmoid, layer 10", sig.step, sig.layer_norm.back()).color(0).dashed();
        during.add("ReLU, layer 1", rel.step, rel.layer_norm.front()).color(1);
        during.add("ReLU, layer 10", rel.step, rel.layer_norm.back()).color(1).dashed();
        plot::save_row(opt.out / "sigmoid-vs-relu-training.svg", "Ten layers deep: sigmoid vs ReLU",
                       {&loss_chart, &during});
        lesson::wrote(opt.out / "sigmoid-vs-relu-training.svg");

        // The whole picture at the end of training: every layer, both networks.
        std::vector<std::vector<double>> at_end(2);
        for (std::size_t l = 0; l < dense_layers; ++l) {
            at_end[0].push_back(sig.layer_norm[l].back());
            at_end[1].push_back(rel.layer_norm[l].back());
        }
        plot::LineChart end_chart{.title = "Gradient norm per layer after training",
                                  .x_label = "layer (1 = next to the input, 10 = output)",
                                  .y_label = "||dL/dW|| (log scale)"};
        end_chart.log_y = true;
        end_chart.add("sigmoid, Glorot", layer_numbers(), at_end[0]);
        end_chart.add("ReLU, He", layer_numbers(), at_end[1]);
        end_chart.save(lesson::wrote(opt.out / "gradient-norms-after-training.svg"));

        // ==========================================================================
        // 3. Exploding gradients, and clipping
        // ==========================================================================
        // The network with four times He's variance, trained as the ReLU one was but
        // with a ten times smaller rate (0.01). First as is; then with every step's
        // gradient rescaled to a global norm of at most 1.
        const float lr_large = 0.01f, max_norm = 1.f;
        std::printf("\nThe too-large network, SGD lr %.2f, no clipping:\n", double(lr_large));
        const Trace unclipped = train_watching(large_net, train, steps, lr_large, inf, every);
        if (!unclipped.failure.empty())
            std::printf("  tn::NumericError after %zu steps:\n    %s\n", unclipped.steps, unclipped.failure.c_str());
        else
            std::printf("  finished %zu steps, loss %.3f\n", unclipped.steps, unclipped.loss.back());
        std::printf("  global gradient norm, steps 1 to %zu:", std::min<std::size_t>(8, unclipped.global_norm.size()));
        for (std::size_t s = 0; s < std::min<std::size_t>(8, unclipped.global_norm.size()); ++s)
            std::printf(" %.3g", unclipped.global_norm[s]);
        std::printf("\n");

        large_net.initialize(Seed{1});  // the same starting weights again
        std::printf("\nThe same network from the same weights, with gradients clipped to a global norm of %.0f:\n",
                    double(max_norm));
        const Trace clipped = train_watching(large_net, train, steps, lr_large, max_norm, every);
        const float clipped_acc = test_accuracy(large_net);
        std::size_t clipped_steps = 0;
        for (double g : clipped.global_norm) clipped_steps += g > max_norm;
        std::printf("  %s %zu steps: loss %.3f -> %.3f, test accuracy %.1f%%; %zu of the %zu steps were clipped\n",
                    clipped.failure.empty() ? "finished" : "STOPPED after", clipped.steps, clipped.loss.front(),
                    clipped.loss.back(), 100.0 * clipped_acc, clipped_steps, clipped.global_norm.size());
        if (!clipped.failure.empty()) std::printf("    %s\n", clipped.failure.c_str());

        plot::LineChart norms{.title = "Global gradient norm per step (before clipping)", .x_label = "step",
                              .y_label = "||dL/dθ|| (log scale)"};
        norms.log_y = true;
        norms.log_x = true;
        const auto steps_of = [](std::size_t n) {
            std::vector<double> x;
            for (std::size_t s = 1; s <= n; ++s) x.push_back(double(s));
            return x;
        };
        // The global norm is not finite on the step that blew up: keep what a log axis can show.
        const auto finite_positive = [](std::vector<double> v) {
            for (double& x : v)
                if (!(std::isfinite(x) && x > 0)) x = NAN;
            return v;
        };
        norms.add("no clipping", steps_of(unclipped.global_norm.size()), finite_positive(unclipped.global_norm))
            .with_markers();
        norms.add("clipped to norm 1", steps_of(clipped.global_norm.size()), finite_positive(clipped.global_norm));
        plot::LineChart clipped_loss{.title = "Training loss, clipped", .x_label = "step", .y_label = "training loss"};
        clipped_loss.log_y = true;
        clipped_loss.add("clipped to norm 1", clipped.step, clipped.loss).color(1);
        plot::save_row(opt.out / "exploding-and-clipping.svg", "Weights too large: exploding gradients and clipping",
                       {&norms, &clipped_loss});
        lesson::wrote(opt.out / "exploding-and-clipping.svg");

        // ==========================================================================
        // The target: per-layer gradient norms plotted, and what they should show
        // ==========================================================================
        const bool vanishing = first_over_last[0] < 1e-2;             // sigmoid: layer 1 gets < 1% of layer 10's
        const bool healthy = first_over_last[1] > 0.1 && first_over_last[1] < 10;  // ReLU + He: same order
        const bool exploding = smallest_excess > 100 && !unclipped.failure.empty();
        const bool clipping_works = clipped.failure.empty() && clipped.loss.back() < clipped.loss.front();
        std::printf("\n  vanishing shown (sigmoid layer 1 / layer 10 < 1e-2): %s\n", vanishing ? "yes" : "NO");
        std::printf("  ReLU + He keeps the gradient (ratio between 0.1 and 10): %s\n", healthy ? "yes" : "NO");
        std::printf("  exploding shown (> 100x He's gradient in every layer; training stopped by NumericError): %s\n",
                    exploding ? "yes" : "NO");
        std::printf("  clipping fixes it (finite run, loss falls): %s\n", clipping_works ? "yes" : "NO");
        char what[240];
        std::snprintf(what, sizeof what,
                      "per-layer gradient norms plotted; layer 1 / layer 10 at init: sigmoid %.1e, ReLU+He %.2f; "
                      "4x-He ReLU >= %.0fx He's gradients, blew up unclipped (step %zu), trained clipped",
                      first_over_last[0], first_over_last[1], smallest_excess, unclipped.steps + 1);
        return lesson::report_target(opt, vanishing && healthy && exploding && clipping_works, what);
    });
}
