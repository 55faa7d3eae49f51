// Lesson 04: backpropagation
// ==========================
//
// Lesson 03's hidden layer learned, but how does a weight deep inside a network
// know which way to move? Its effect on the loss passes through every layer after
// it. Backpropagation computes that effect for every weight at once, by applying
// the chain rule backwards from the loss, layer by layer, reusing what the forward
// pass computed. This lesson opens the box on a small network:
//
//   1. a forward pass written out by hand, every value printed, compared with the
//      model's own forward;
//   2. the backward pass written out by hand with the chain rule, compared with the
//      gradients the model computes;
//   3. a gradient check: every one of the 49 gradients against a finite difference
//      (nudge the weight, watch the loss), which needs no calculus at all;
//   4. training with those gradients, and the loss going down.
//
// The data: scikit-learn's diabetes table, 442 patients, 10 measurements each
// (age, sex, body mass index, blood pressure, six blood serum values), and how far
// their disease progressed a year later. A regression: the loss is the mean squared
// error (MSE).
//
// Run:  build/release/lessons/04-backpropagation [--smoke] [--out DIR]  (after scripts/fetch-data.sh)

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <typenet/typenet.hpp>
#include <typenet/data/tables.hpp>
#include <typenet/plot/history.hpp>
#include <typenet/plot/line_chart.hpp>

#include "lesson.hpp"

using namespace tn;

// The network: 10 inputs, 4 sigmoid hidden units, 1 output.
//
//     x [B,10] --Dense<4>--> z1 [B,4] --Sigmoid--> a1 [B,4] --Dense<1>--> yhat [B,1]
//
// with B samples in a batch. Dense<4> holds W1 [4,10] and b1 [4]; Dense<1> holds
// W2 [1,4] and b2 [1]: 40 + 4 + 4 + 1 = 49 parameters.
using Net = Sequential<Input<10>, Dense<4>, Sigmoid, Dense<1>>;
static_assert(Net::param_count == 49);

// A small row-major matrix of doubles, enough to write the maths out plainly.
struct Matrix {
    std::size_t rows = 0, cols = 0;
    std::vector<double> v;
    Matrix(std::size_t r, std::size_t c) : rows(r), cols(c), v(r * c, 0.0) {}
    double& operator()(std::size_t i, std::size_t j) { return v[i * cols + j]; }
    double operator()(std::size_t i, std::size_t j) const { return v[i * cols + j]; }
};

Matrix from_floats(std::span<const float> values, std::size_t rows, std::size_t cols) {
    Matrix m(rows, cols);
    for (std::size_t i = 0; i < rows * cols; ++i) m.v[i] = values[i];
    return m;
}

void print(const char* name, const char* meaning, const Matrix& m) {
    std::printf("\n  %s  [%zu x %zu]  %s\n", name, m.rows, m.cols, meaning);
    for (std::size_t i = 0; i < m.rows; ++i) {
        std::printf("   ");
        for (std::size_t j = 0; j < m.cols; ++j) std::printf(" %+8.4f", m(i, j));
        std::printf("\n");
    }
}

double max_abs_difference(const Matrix& a, std::span<const float> b) {
    double worst = 0;
    for (std::size_t i = 0; i < a.v.size(); ++i) worst = std::max(worst, std::abs(a.v[i] - double(b[i])));
    return worst;
}

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// Copies the samples `first .. first + n` of a data set into the model's input
// and returns their targets.
std::vector<float> load_batch(Model<Net>& net, const Dataset& data, std::size_t first, std::size_t n) {
    std::vector<std::size_t> idx(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = first + i;
    std::vector<float> targets(n);
    data.gather(idx, net.input(n), targets.data());
    return targets;
}

// The loss of the model's current weights on the batch already in its input.
double batch_loss(Model<Net>& net, const std::vector<float>& targets) {
    const auto out = net.forward(targets.size());
    return MSE::compute<Shape<1>>(out.data(), targets.data(), nullptr, targets.size());
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "04-backpropagation");

        // ------------------------------------------------------------------------
        // The data
        // ------------------------------------------------------------------------
        // Inputs are standardised (each feature to mean 0, standard deviation 1 on
        // the training set) so that no feature dominates by its units alone. The
        // target, disease progression from 25 to 346, is standardised the same way
        // by hand: the network then predicts "how many standard deviations above
        // average", and a loss of 1.0 means "no better than always guessing the mean".
        auto table = data::diabetes({.test_fraction = 0.2f, .seed = Seed{4}, .standardize = true});
        double target_mean = 0, target_sd = 0;
        for (float t : table.train.targets) target_mean += t;
        target_mean /= double(table.train.size());
        for (float t : table.train.targets) target_sd += (t - target_mean) * (t - target_mean);
        target_sd = std::sqrt(target_sd / double(table.train.size()));
        for (Dataset* d : {&table.train, &table.test})
            for (float& t : d->targets) t = float((t - target_mean) / target_sd);
        std::printf("diabetes: %zu training and %zu test patients; features:", table.train.size(),
                    table.test.size());
        for (const auto& f : table.feature_names) std::printf(" %s", f.c_str());
        std::printf("\ntarget: %s, mean %.1f, standard deviation %.1f (standardised below)\n\n",
                    table.target_name.c_str(), target_mean, target_sd);

        Model<Net> net{Seed{4}};
        net.summary();
        std::printf("parameters, by name:\n");
        for (const auto& p : net.named_parameters()) {
            std::printf("  %-16s [", p.name.c_str());
            for (std::size_t i = 0; i < p.shape.size(); ++i) std::printf(i ? ", %zu" : "%zu", p.shape[i]);
            std::printf("]\n");
        }

        // ------------------------------------------------------------------------
        // 1. The forward pass, by hand
        // ------------------------------------------------------------------------
        // One batch of B = 4 patients. Each layer turns its input into its output:
        //     z1   = x W1^T + b1        (Dense<4>: each hidden unit a weighted sum)
        //     a1   = sigmoid(z1)        (Sigmoid, element by element)
        //     yhat = a1 W2^T + b2       (Dense<1>)
        //     L    = mean over the batch of (yhat - y)^2      (MSE)
        // We compute this in double precision from the model's own weights.
        constexpr std::size_t B = 4;
        const std::vector<float> y = load_batch(net, table.train, 0, B);
        const Matrix x = from_floats({net.input(B), B * 10}, B, 10);
        const Matrix W1 = from_floats(net.parameter("0.weight").values, 4, 10);
        const Matrix b1 = from_floats(net.parameter("0.bias").values, 1, 4);
        const Matrix W2 = from_floats(net.parameter("2.weight").values, 1, 4);
        const Matrix b2 = from_floats(net.parameter("2.bias").values, 1, 1);

        std::printf("\n== 1. Forward pass on a batch of %zu patients\n", B);
        print("x", "inputs (standardised measurements)", x);
        print("W1", "0.weight: the first Dense layer's weights, one row per hidden unit", W1);
        print("b1", "0.bias", b1);

        Matrix z1(B, 4), a1(B, 4), yhat(B, 1);
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t j = 0; j < 4; ++j) {
                z1(b, j) = b1(0, j);
                for (std::size_t k = 0; k < 10; ++k) z1(b, j) += x(b, k) * W1(j, k);
                a1(b, j) = sigmoid(z1(b, j));
            }
        print("z1 = x W1^T + b1", "pre-activations of the 4 hidden units", z1);
        print("a1 = sigmoid(z1)", "hidden activations, each in (0, 1)", a1);
        print("W2", "2.weight", W2);
        print("b2", "2.bias", b2);
        double loss = 0;
        for (std::size_t b = 0; b < B; ++b) {
            yhat(b, 0) = b2(0, 0);
            for (std::size_t j = 0; j < 4; ++j) yhat(b, 0) += a1(b, j) * W2(0, j);
            loss += (yhat(b, 0) - y[b]) * (yhat(b, 0) - y[b]) / B;
        }
        print("yhat = a1 W2^T + b2", "predictions", yhat);
        print("y", "targets (standardised disease progression)", from_floats(y, B, 1));
        std::printf("\n  L = mean (yhat - y)^2 = %.6f\n", loss);

        // The model runs the same computation in float32, Dense and Sigmoid fused in
        // one GEMM. Agreement to about 1e-7 is float rounding.
        const auto model_out = net.forward(B);
        std::printf("  the model's forward gives yhat =");
        for (float v : model_out) std::printf(" %+.6f", double(v));
        std::printf("\n  largest difference from the hand computation: %.2e\n",
                    max_abs_difference(yhat, model_out));

        // ------------------------------------------------------------------------
        // 2. The backward pass, by hand: the chain rule, from the loss back
        // ------------------------------------------------------------------------
        // Write g_v for dL/dv. Each line uses only the line before it and values the
        // forward pass kept; that reuse is what makes backpropagation cheap (one
        // backward pass costs about two forward passes, whatever the number of weights).
        //     g_yhat = 2 (yhat - y) / B                         MSE's derivative
        //     g_W2   = g_yhat^T a1      g_b2 = sum_b g_yhat     Dense<1>'s weights
        //     g_a1   = g_yhat W2                                 Dense<1> to its input
        //     g_z1   = g_a1 * a1 (1 - a1)                        Sigmoid: s' = s (1 - s)
        //     g_W1   = g_z1^T x         g_b1 = sum_b g_z1       Dense<4>'s weights
        // (g_x = g_z1 W1 would continue into an earlier layer; the first layer skips it.)
        std::printf("\n== 2. Backward pass: the chain rule, layer by layer, from the loss back\n");
        Matrix g_yhat(B, 1), g_W2(1, 4), g_b2(1, 1), g_a1(B, 4), g_z1(B, 4), g_W1(4, 10), g_b1(1, 4);
        for (std::size_t b = 0; b < B; ++b) g_yhat(b, 0) = 2 * (yhat(b, 0) - y[b]) / B;
        for (std::size_t b = 0; b < B; ++b) {
            g_b2(0, 0) += g_yhat(b, 0);
            for (std::size_t j = 0; j < 4; ++j) {
                g_W2(0, j) += g_yhat(b, 0) * a1(b, j);
                g_a1(b, j) = g_yhat(b, 0) * W2(0, j);
                g_z1(b, j) = g_a1(b, j) * a1(b, j) * (1 - a1(b, j));
                g_b1(0, j) += g_z1(b, j);
                for (std::size_t k = 0; k < 10; ++k) g_W1(j, k) += g_z1(b, j) * x(b, k);
            }
        }
        print("g_yhat = 2 (yhat - y) / B", "how the loss changes with each prediction", g_yhat);
        print("g_W2 = g_yhat^T a1", "gradient of 2.weight", g_W2);
        print("g_b2 = sum over the batch of g_yhat", "gradient of 2.bias", g_b2);
        print("g_a1 = g_yhat W2", "the gradient arriving at the hidden activations", g_a1);
        print("g_z1 = g_a1 * a1 (1 - a1)", "through the sigmoid: it scales by at most 0.25", g_z1);
        print("g_W1 = g_z1^T x", "gradient of 0.weight", g_W1);
        print("g_b1 = sum over the batch of g_z1", "gradient of 0.bias", g_b1);

        // One weight, the whole chain spelled out: W1[2][3] connects input 3 (bp,
        // blood pressure) to hidden unit 2. Its effect on L runs through z1[b][2],
        // a1[b][2] and yhat[b] for every sample b of the batch:
        //   dL/dW1[2][3] = sum_b  dL/dyhat_b * dyhat_b/da1_b2 * da1_b2/dz1_b2 * dz1_b2/dW1[2][3]
        //                = sum_b  g_yhat_b   *     W2[2]      * a1_b2(1-a1_b2) *     x_b3
        std::printf("\n  one weight, the chain rule term by term: W1[2][3] (input '%s' -> hidden unit 2)\n",
                    table.feature_names[3].c_str());
        std::printf("    b |  dL/dyhat *  W2[2]  * a1(1-a1) *   x[b][3] = term\n");
        double sum = 0;
        for (std::size_t b = 0; b < B; ++b) {
            const double s = a1(b, 2) * (1 - a1(b, 2));
            const double term = g_yhat(b, 0) * W2(0, 2) * s * x(b, 3);
            sum += term;
            std::printf("    %zu | %+9.5f * %+7.4f * %8.5f * %+9.5f = %+.6f\n", b, g_yhat(b, 0), W2(0, 2), s,
                        x(b, 3), term);
        }
        std::printf("    sum = %+.6f, which is g_W1[2][3] above\n", sum);

        // The model's backward: Model::backward takes dL/dyhat (the loss computes it
        // in the same pass as the loss), then each layer's backward runs in reverse
        // order, writing its weights' gradients into the gradient arena.
        std::vector<float> d_out(B);
        MSE::compute<Shape<1>>(model_out.data(), y.data(), d_out.data(), B);
        net.backward(d_out.data());
        std::printf("\n  the model's backward against the hand computation (largest difference):\n");
        const Matrix* hand[] = {&g_W1, &g_b1, &g_W2, &g_b2};
        std::size_t t = 0;
        double backprop_worst = 0;
        for (const auto& p : net.named_parameters()) {
            const double d = max_abs_difference(*hand[t++], p.gradients);
            backprop_worst = std::max(backprop_worst, d);
            std::printf("    %-16s %.2e\n", p.name.c_str(), d);
        }

        // ------------------------------------------------------------------------
        // 3. Gradient checking with finite differences
        // ------------------------------------------------------------------------
        // A derivative is a limit of a difference: dL/dw ~ (L(w + h) - L(w - h)) / 2h.
        // This *central* difference is off by about h^2 L'''/6 (truncation), and in
        // float32 each loss carries a rounding error of about 6e-8 |L|, which the
        // division by 2h magnifies (cancellation). Large h: truncation wins; small h:
        // rounding wins. We measure both ends and pick h in between.
        //
        // The error measure, per parameter tensor: the largest |numeric - backprop|
        // over its elements, divided by its largest |backprop| gradient. Dividing
        // element by element would blow up for weights whose gradient is nearly 0,
        // where the numeric estimate is all rounding noise.
        std::printf("\n== 3. Gradient check: backprop against central finite differences (float32)\n");
        auto named = net.named_parameters();
        std::vector<std::vector<float>> backprop;
        for (const auto& p : named) backprop.emplace_back(p.gradients.begin(), p.gradients.end());

        const std::vector<double> steps = opt.smoke ? std::vector<double>{1e-1, 1e-2, 1e-3}
                                                    : std::vector<double>{3e-1, 1e-1, 3e-2, 1e-2, 3e-3, 1e-3,
                                                                          3e-4, 1e-4};
        const double chosen_h = 1e-2, tolerance = 1e-3;
        std::vector<double> worst_per_step;
        std::vector<double> chosen_errors(named.size(), 0);
        std::printf("  %-8s", "h");
        for (const auto& p : named) std::printf(" %16s", p.name.c_str());
        std::printf("\n");
        for (double h : steps) {
            std::printf("  %-8.0e", h);
            double worst = 0;
            for (std::size_t k = 0; k < named.size(); ++k) {
                auto& w = named[k].values;
                double largest_gradient = 0, largest_error = 0;
                for (std::size_t i = 0; i < w.size(); ++i) {
                    const float original = w[i];
                    w[i] = float(original + h);
                    const double up = batch_loss(net, y);
                    w[i] = float(original - h);
                    const double down = batch_loss(net, y);
                    w[i] = original;
                    const double numeric = (up - down) / (2 * h);
                    largest_error = std::max(largest_error, std::abs(numeric - backprop[k][i]));
                    largest_gradient = std::max(largest_gradient, std::abs(double(backprop[k][i])));
                }
                const double rel = largest_error / std::max(largest_gradient, 1e-12);
                worst = std::max(worst, rel);
                if (h == chosen_h) chosen_errors[k] = rel;
                std::printf(" %16.2e", rel);
            }
            worst_per_step.push_back(worst);
            std::printf("\n");
        }
        bool gradients_agree = true;
        std::printf("\n  at h = %.0e, max relative error per tensor (tolerance %.0e):\n", chosen_h, tolerance);
        for (std::size_t k = 0; k < named.size(); ++k) {
            const bool ok = chosen_errors[k] < tolerance;
            gradients_agree = gradients_agree && ok;
            std::printf("    %-16s %.2e  %s\n", named[k].name.c_str(), chosen_errors[k], ok ? "ok" : "DISAGREES");
        }
        // Why h = 1e-2 and a tolerance of 1e-3: at h = 1e-2 the truncation error is
        // about h^2 = 1e-4 of the gradient's scale, and the rounding error about
        // 6e-8 |L| / h ~ 1e-5 here, so a correct backward pass lands near 1e-4 or
        // below. A real mistake in a backward pass (a missing factor, a transposed
        // matrix, a wrong sign, a term left out) gives an error of order 1. The table
        // above is the evidence: for the hidden layer the error falls with h, bottoms
        // out near 1e-2, then rises as rounding takes over. For the output layer it is
        // smallest at large h: the loss is exactly quadratic in W2 and b2, and the
        // central difference of a quadratic has no truncation error at all.
        plot::LineChart check{.title = "Gradient check: finite-difference error against step size",
                              .x_label = "log10(h)", .y_label = "max relative error (all tensors)"};
        check.log_y = true;
        std::vector<double> log_h;
        for (double h : steps) log_h.push_back(std::log10(h));
        check.add("central difference, float32", log_h, worst_per_step);
        check.save(opt.out / "gradient-check.svg");
        lesson::wrote(opt.out / "gradient-check.svg");

        // ------------------------------------------------------------------------
        // 4. Training: gradient descent with the gradients backprop gives
        // ------------------------------------------------------------------------
        // fit() repeats: a shuffled mini-batch, forward, loss and its gradient,
        // backward, and the update w -= lr * g_w for all 49 parameters.
        std::printf("\n== 4. Training with SGD\n");
        const float before = evaluate(net, table.train, MSE{}).loss;
        const std::size_t epochs = opt.smoke ? 10 : 300;
        const History history = fit(net, table.train, MSE{}, SGD{{.lr = 0.05f}},
                                    {.epochs = epochs, .batch = 32, .validation = table.test,
                                     .verbosity = Verbosity::Quiet});
        std::printf("  epoch   training MSE   test MSE\n");
        std::printf("  %5d   %12.4f\n", 0, double(before));
        for (const auto& e : history.epochs)
            if (e.epoch == 1 || e.epoch % std::max<std::size_t>(epochs / 10, 1) == 0 || e.epoch == epochs)
                std::printf("  %5zu   %12.4f   %8.4f\n", e.epoch, double(e.loss), double(e.val_loss));
        const float after = history.epochs.back().loss;
        const float test_mse = history.epochs.back().val_loss;
        // On standardised targets, 1 - MSE is roughly R^2, the share of the variance
        // explained (exactly so when the test targets have mean 0 and variance 1).
        double test_var = 0, test_mean = 0;
        for (float v : table.test.targets) test_mean += v;
        test_mean /= double(table.test.size());
        for (float v : table.test.targets) test_var += (v - test_mean) * (v - test_mean);
        test_var /= double(table.test.size());
        std::printf("  training MSE %.4f -> %.4f; test MSE %.4f, R^2 = %.2f, typical error %.0f units of"
                    " progression\n",
                    double(before), double(after), double(test_mse), 1 - double(test_mse) / test_var,
                    std::sqrt(double(test_mse)) * target_sd);

        plot::curves(history, opt.out / "loss.svg", "Diabetes, 10-4-1 MLP (validation: the test set)");
        lesson::wrote(opt.out / "loss.svg");

        const bool trained = after < 0.8f * before;
        char what[200];
        std::snprintf(what, sizeof what,
                      "backprop matches the hand chain rule to %.1e; finite differences agree to %.1e (< %.0e) "
                      "for all %zu tensors; training MSE %.3f -> %.3f",
                      backprop_worst, *std::max_element(chosen_errors.begin(), chosen_errors.end()), tolerance,
                      named.size(), double(before), double(after));
        return lesson::report_target(opt, gradients_agree && backprop_worst < 1e-5 && trained, what);
    });
}
