// Lesson 11: optimizers
// =====================
//
// Gradient descent (lesson 05) steps straight downhill: p <- p - lr g. On a real
// loss surface that is often a poor route. In a long narrow valley the gradient
// points mostly across the valley, not along it: a step large enough to make
// progress along the floor overshoots across it and zig-zags, or diverges. The
// optimizers below change the step, each with one idea (PyTorch's forms, as typenet
// implements them in optim/):
//
//   SGD        p -= lr g
//   Momentum   v = mu v + g;  p -= lr v                 a heavy ball: velocity builds up along
//                                                      the floor, zig-zags cancel (Polyak 1964)
//   Nesterov   v = mu v + g;  p -= lr (g + mu v)       looks where the velocity is taking it
//                                                      (Nesterov 1983; Sutskever et al. 2013)
//   Adagrad    s += g^2;  p -= lr g / sqrt(s)          a step size per parameter, smaller where
//                                                      gradients have been large (Duchi 2011)
//   RMSProp    s = a s + (1-a) g^2;  p -= lr g / sqrt(s)    Adagrad with a memory that fades
//                                                      (Hinton 2012), so steps do not shrink forever
//   Adam       momentum of g and RMSProp's scale, both bias-corrected (Kingma & Ba 2015)
//   AdamW      Adam, with weight decay applied to the weights directly (Loshchilov & Hutter 2019)
//
// Part 1 runs each one on the Rosenbrock function, the classic banana-shaped valley
//
//     f(x, y) = (1 - x)^2 + 100 (y - x^2)^2,      minimum f = 0 at (1, 1)
//
// at the learning rate that suits it best, and draws the paths over its contour lines. Part 2 trains the same MLP on
// Fashion-MNIST with each and plots the loss curves.
//
// Run:  build/release/lessons/11-optimizers [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh fashion-mnist). About 25 s of CPU time;
//       --smoke a second or two.
// Plots go to out/11-optimizers/.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <typenet/data/mnist.hpp>
#include <typenet/plot/contour.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

namespace {

// ---------------------------------------------------------------------------------
// Part 1: the Rosenbrock valley
// ---------------------------------------------------------------------------------
double rosenbrock(double x, double y) { return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x); }
std::array<double, 2> rosenbrock_gradient(double x, double y) {
    return {-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)};
}

struct Path {
    std::string name;
    float lr = 0;
    std::vector<double> x, y, f;  // after each step, the start first
};

// An optimizer works on any span of floats: here the "model" is two numbers, (x, y),
// and the gradient comes from the formula instead of backpropagation. The same
// step() updates the 235,146 weights of an MLP in part 2.
template <class Optimizer>
Path descend(std::string name, Optimizer optimizer, std::size_t steps, std::array<float, 2> start) {
    std::array<float, 2> p = start, g{};
    Path path{std::move(name), optimizer.learning_rate(), {}, {}, {}};
    const auto record = [&] {
        path.x.push_back(p[0]);
        path.y.push_back(p[1]);
        path.f.push_back(rosenbrock(p[0], p[1]));
    };
    record();
    for (std::size_t s = 0; s < steps; ++s) {
        const auto grad = rosenbrock_gradient(p[0], p[1]);
        g = {float(grad[0]), float(grad[1])};
        optimizer.step(std::span<float>(p), std::span<const float>(g));
        record();
        if (!std::isfinite(path.f.back())) break;  // diverged: the plot shows where
    }
    return path;
}

// Every optimizer has a learning rate, and which one is best differs by an order of
// magnitude or more between them; comparing them at one rate would compare the rate.
// So each is tuned the simplest way: run it at every rate of a grid (1, 2, 5 x 10^k
// from 1e-5 to 5, each run only 2,000 steps of two floats: a fraction of a second in
// all), and keep the rate whose path ends lowest without leaving the plotted square
// [-2, 2] x [-1, 3] (a path that leaves it has diverged, or came close).
struct Sweep {
    std::vector<double> rates, final_f;  // NaN: the run left the square
    Path best;
};

std::vector<float> rate_grid() {
    std::vector<float> rates;
    for (double decade = 1e-5; decade < 10; decade *= 10)
        for (double m : {1.0, 2.0, 5.0}) rates.push_back(float(m * decade));
    return rates;
}

bool stays_in_view(const Path& p) {
    for (std::size_t i = 0; i < p.x.size(); ++i)
        if (!(p.x[i] >= -2 && p.x[i] <= 2 && p.y[i] >= -1 && p.y[i] <= 3)) return false;
    return true;
}

// `make(lr)` builds the optimizer at a rate: the optimizers' options differ.
template <class Make>
Sweep tune(const std::string& name, Make make, std::size_t steps, std::array<float, 2> start) {
    Sweep s;
    for (float lr : rate_grid()) {
        Path p = descend(name, make(lr), steps, start);
        const bool kept = stays_in_view(p);
        s.rates.push_back(lr);
        s.final_f.push_back(kept ? p.f.back() : NAN);
        if (kept && (s.best.f.empty() || p.f.back() < s.best.f.back())) s.best = std::move(p);
    }
    return s;
}

// One small contour plot per path, four to a row, in one SVG: each panel is the
// overview's surface with a single path, drawn by ContourPlot::render into its cell.
void save_panels(const std::vector<Path>& paths, const plot::ContourPlot& overview,
                 const std::filesystem::path& file) {
    constexpr double panel_w = 340, panel_h = 330;
    constexpr std::size_t per_row = 4;
    const std::size_t rows = (paths.size() + per_row - 1) / per_row;
    plot::Svg svg(panel_w * per_row, panel_h * double(rows));
    for (std::size_t k = 0; k < paths.size(); ++k) {
        const Path& p = paths[k];
        char title[80];
        std::snprintf(title, sizeof title, "%s, lr %g: f = %.1e", p.name.c_str(), double(p.lr), p.f.back());
        plot::ContourPlot panel{.title = title, .x_label = "x", .y_label = "y"};
        panel.field = overview.field;
        panel.levels = overview.levels;
        panel.levels_label = "";  // no legend: the title names the path
        panel.add_path("", p.x, p.y).colour = k;
        panel.add_point("", 1, 1);
        panel.render(svg, {panel_w * double(k % per_row), panel_h * double(k / per_row), panel_w, panel_h});
    }
    plot::write_file(file, svg.str(), "Rosenbrock panels");
}

// ---------------------------------------------------------------------------------
// Part 2: an MLP on Fashion-MNIST
// ---------------------------------------------------------------------------------
using Net = Sequential<Input<784>, Dense<256>, ReLU, Dense<128>, ReLU, Dense<10>>;
using Loss = SoftmaxCrossEntropy;

// A callback, tn::LossEvery (train/callbacks.hpp), averages the training loss over every
// `window` steps: a smoother curve than one point per epoch, cheaper than one per step.
struct Trained {
    std::string name;
    float lr = 0;
    LossEvery curve;
    History history;
};

double seconds_of(const History& h) {
    double s = 0;
    for (const auto& e : h.epochs) s += e.seconds;
    return s;
}

template <class Optimizer>
Trained train(std::string name, Optimizer optimizer, const Dataset& train_set, const Dataset& test_set,
              std::size_t epochs, std::size_t window) {
    Model<Net> model{Seed{11}};  // the same weights and batches for every optimizer
    Trained t{std::move(name), optimizer.learning_rate(), LossEvery{}, {}};
    t.curve.window = window;
    t.history = fit(model, train_set, Loss{}, optimizer,
                    {.epochs = epochs, .batch = 64, .validation = test_set, .verbosity = Verbosity::Quiet}, t.curve);
    std::printf("  %-9s lr %-7.3g training loss %.4f -> %.4f   test accuracy %6.2f%%  (%.1f s)\n", t.name.c_str(),
                double(t.lr), t.curve.loss.front(), t.curve.loss.back(),
                100.0 * double(t.history.epochs.back().val_accuracy), seconds_of(t.history));
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "11-optimizers");

        // ==========================================================================
        // Part 1: seven optimizers on the Rosenbrock function
        // ==========================================================================
        // From (-1.2, 1), the customary start, 2,000 steps each, every optimizer at
        // the best rate of its sweep (tune(), above).
        const std::size_t steps = opt.smoke ? 300 : 2'000;
        const std::array<float, 2> start{-1.2f, 1.f};
        std::vector<Sweep> sweeps;
        sweeps.push_back(tune("SGD", [](float lr) { return SGD{{.lr = lr}}; }, steps, start));
        sweeps.push_back(tune("Momentum", [](float lr) { return Momentum{{.lr = lr, .momentum = 0.9f}}; }, steps, start));
        sweeps.push_back(tune("Nesterov", [](float lr) { return Nesterov{{.lr = lr, .momentum = 0.9f}}; }, steps, start));
        sweeps.push_back(tune("Adagrad", [](float lr) { return Adagrad{{.lr = lr}}; }, steps, start));
        sweeps.push_back(tune("RMSProp", [](float lr) { return RMSProp{{.lr = lr}}; }, steps, start));
        sweeps.push_back(tune("Adam", [](float lr) { return Adam{{.lr = lr}}; }, steps, start));
        sweeps.push_back(tune("AdamW", [](float lr) { return AdamW{{.lr = lr, .weight_decay = 1e-2f}}; }, steps, start));
        std::vector<Path> paths;
        for (const Sweep& s : sweeps) paths.push_back(s.best);

        std::printf("Rosenbrock f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (%.1f, %.1f), f = %.2f; %zu steps,\n"
                    "each optimizer at its best rate of the grid 1, 2, 5 x 10^k (1e-5 to 5):\n\n",
                    double(start[0]), double(start[1]), rosenbrock(start[0], start[1]), steps);
        std::printf("  %-9s %8s   %-20s %12s %14s   steps to within 0.01 of (1, 1)\n", "", "lr", "ends at", "f",
                    "distance");
        bool every_path_descends = true;
        for (const Path& p : paths) {
            const double distance = std::hypot(p.x.back() - 1, p.y.back() - 1);
            std::size_t reached = 0;
            for (std::size_t s = 0; s < p.x.size() && !reached; ++s)
                if (std::hypot(p.x[s] - 1, p.y[s] - 1) < 1e-2) reached = s;
            char where[40];
            std::snprintf(where, sizeof where, "(%.4f, %.4f)", p.x.back(), p.y.back());
            std::printf("  %-9s %8.3g   %-20s %12.3e %14.3e   %s\n", p.name.c_str(), double(p.lr), where, p.f.back(),
                        distance, reached ? std::to_string(reached).c_str() : "-");
            every_path_descends = every_path_descends && std::isfinite(p.f.back()) && p.f.back() < p.f.front();
        }
        // What the table shows: SGD crawls along the floor, its rate capped by the
        // steep walls (at the next rate of the grid it leaves the square). Momentum
        // and Nesterov build up speed along the floor and reach the minimum. Adagrad's
        // steps shrink as its sum of squares grows; RMSProp divides each step by the
        // gradient's recent size, so the walls no longer cap its rate, but without
        // momentum it is no faster than SGD. Adam is RMSProp with momentum, and gets
        // there. AdamW's decay pulls the parameters towards 0, so it settles where the
        // pull balances the valley's slope, short of (1, 1).

        // How much the rate matters: the final f of every run of the sweep.
        plot::LineChart sweep_chart{.title = "Rosenbrock: f after " + std::to_string(steps) + " steps, per learning rate",
                                    .x_label = "learning rate (log scale)",
                                    .y_label = "final f (log scale; f < 1e-20 drawn at 1e-20)"};
        sweep_chart.log_x = sweep_chart.log_y = true;
        for (const Sweep& s : sweeps) {
            std::vector<double> f = s.final_f;
            for (double& v : f)
                if (std::isfinite(v)) v = std::max(v, 1e-20);  // reaching f = 0 exactly in float
            sweep_chart.add(s.best.name, s.rates, f);
        }
        sweep_chart.legend_position = plot::Legend::outside;
        sweep_chart.save(lesson::wrote(opt.out / "rosenbrock-rates.svg"));

        plot::ContourPlot surface{.title = "Seven optimizers on the Rosenbrock function", .x_label = "x",
                                  .y_label = "y"};
        surface.width = 900, surface.height = 620;  // room for the legend beside a square-ish view
        surface.set_field(-2, 2, -1, 3, opt.smoke ? 60 : 240, rosenbrock);
        surface.set_log_levels(0.1, 1000, 9);
        surface.levels_label = "f = 0.1, 0.3, 1, ..., 1000";
        for (const Path& p : paths) surface.add_path(p.name, p.x, p.y);
        surface.add_point("minimum (1, 1)", 1, 1);
        surface.save(lesson::wrote(opt.out / "rosenbrock-paths.svg"));
        // Along the valley floor the seven paths lie on top of each other: one panel
        // per optimizer shows each route.
        save_panels(paths, surface, opt.out / "rosenbrock-panels.svg");
        lesson::wrote(opt.out / "rosenbrock-panels.svg");

        plot::LineChart f_chart{.title = "Rosenbrock: f after each step", .x_label = "step (log scale)",
                                .y_label = "f(x, y) (log scale)"};
        f_chart.log_x = f_chart.log_y = true;
        for (const Path& p : paths) {
            std::vector<double> step, f;
            for (std::size_t s = 1; s < p.f.size(); ++s)  // from step 1: a log axis has no 0
                if (p.f[s] > 0) step.push_back(double(s)), f.push_back(p.f[s]);
            f_chart.add(p.name, step, f);
        }
        f_chart.legend_position = plot::Legend::outside;
        f_chart.save(lesson::wrote(opt.out / "rosenbrock-loss.svg"));

        // ==========================================================================
        // Part 2: the same optimizers train an MLP on Fashion-MNIST
        // ==========================================================================
        // 784-256-128-10 with ReLU, batches of 64, from the same weights for all. The
        // rates are the usual defaults: 0.1 for plain SGD (as in lessons 05 and 08),
        // 0.01 for the momentum methods (with mu = 0.9 their steady step is 10x lr),
        // 0.01 for Adagrad, 0.001 for RMSProp, Adam and AdamW.
        const auto fashion = data::fashion_mnist();
        const Dataset train_set = opt.smoke ? fashion.train.slice(0, 2'000) : fashion.train;
        const Dataset test_set = opt.smoke ? fashion.test.slice(0, 1'000) : fashion.test;
        const std::size_t epochs = opt.smoke ? 1 : 3, window = opt.smoke ? 5 : 20;
        std::printf("\nFashion-MNIST, %zu training images, %zu epochs of batch 64 (training loss averaged over %zu"
                    " steps):\n",
                    train_set.size(), epochs, window);
        std::vector<Trained> runs;
        runs.push_back(train("SGD", SGD{{.lr = 0.1f}}, train_set, test_set, epochs, window));
        runs.push_back(train("Momentum", Momentum{{.lr = 0.01f}}, train_set, test_set, epochs, window));
        runs.push_back(train("Nesterov", Nesterov{{.lr = 0.01f}}, train_set, test_set, epochs, window));
        runs.push_back(train("Adagrad", Adagrad{{.lr = 0.01f}}, train_set, test_set, epochs, window));
        runs.push_back(train("RMSProp", RMSProp{{.lr = 1e-3f}}, train_set, test_set, epochs, window));
        runs.push_back(train("Adam", Adam{{.lr = 1e-3f}}, train_set, test_set, epochs, window));
        runs.push_back(train("AdamW", AdamW{{.lr = 1e-3f}}, train_set, test_set, epochs, window));

        // A log step axis: the optimizers differ most in the first few hundred steps.
        plot::LineChart mlp{.title = "Fashion-MNIST MLP: training loss", .x_label = "step (log scale)",
                            .y_label = "training loss (mean of " + std::to_string(window) + " steps)"};
        mlp.log_x = mlp.log_y = true;
        bool every_curve_descends = true;
        for (const auto& r : runs) {
            mlp.add(r.name, r.curve.step, r.curve.loss);
            every_curve_descends = every_curve_descends && r.curve.loss.back() < r.curve.loss.front();
        }
        mlp.legend_position = plot::Legend::outside;
        mlp.save(lesson::wrote(opt.out / "fashion-mnist-loss.svg"));

        // ==========================================================================
        // The target: trajectories and curves plotted, and what they should show
        // ==========================================================================
        const Path& adam = paths[5];
        const double adam_distance = std::hypot(adam.x.back() - 1, adam.y.back() - 1);
        const bool adam_arrives = adam_distance < 1e-2;
        std::printf("\n  every optimizer lowers f on Rosenbrock: %s\n", every_path_descends ? "yes" : "NO");
        std::printf("  Adam ends within 0.01 of (1, 1) after %zu steps: %s (distance %.2e)\n", steps,
                    adam_arrives ? "yes" : "NO", adam_distance);
        std::printf("  every optimizer's MLP loss curve ends below where it started: %s\n",
                    every_curve_descends ? "yes" : "NO");
        char what[200];
        std::snprintf(what, sizeof what,
                      "paths on Rosenbrock and MLP loss curves plotted for all 7; Adam ends %.1e from (1, 1) after %zu "
                      "steps; every f and every loss curve decreases",
                      adam_distance, steps);
        return lesson::report_target(opt, every_path_descends && adam_arrives && every_curve_descends, what);
    });
}
