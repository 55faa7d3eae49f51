// Lesson 03: the multi-layer perceptron
// ======================================
//
// Lessons 01 and 02 drew one straight line through the plane: a perceptron, or a
// logistic unit, says "class 1" on one side of w.x + b = 0 and "class 0" on the
// other. Many problems are not split by any line. This lesson
//
//   1. proves that XOR is one of them, and watches a single unit fail on it;
//   2. adds a hidden layer, which makes the network a *multi-layer perceptron*
//      (MLP), and watches it solve XOR, looking inside at what the hidden layer does;
//   3. trains a wider MLP on "two moons", two interleaved half circles, where a line
//      gets about 87% right and the MLP about 99%.
//
// Run:  build/release/lessons/03-multi-layer-perceptron [--smoke] [--out DIR]
// Plots go to out/03-multi-layer-perceptron/ (SVG, open them in a browser).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <vector>

#include <typenet/typenet.hpp>
#include <typenet/plot/decision_map.hpp>
#include <typenet/plot/line_chart.hpp>

#include "lesson.hpp"

using namespace tn;

// ---------------------------------------------------------------------------------
// The networks, as types
// ---------------------------------------------------------------------------------
//
// In typenet a network is a type. The shapes flow through it at compile time, so
// the parameter count below is a fact the compiler checks, not a comment that may
// go stale. All three networks end in one raw score (a *logit*) z; the probability
// of class 1 is sigmoid(z), and the loss BinaryCrossEntropyWithLogits folds the
// sigmoid in for numerical stability (lesson 02).

// One unit: logistic regression, i.e. a perceptron with a smooth activation.
using SingleUnit = Sequential<Input<2>, Dense<1>>;
static_assert(SingleUnit::param_count == 2 + 1);

// The smallest MLP that can compute XOR: 2 inputs, 2 hidden tanh units, 1 output.
using XorNet = Sequential<Input<2>, Dense<2>, Tanh, Dense<1>>;
static_assert(XorNet::param_count == (2 * 2 + 2) + (2 + 1));

// For the moons: two hidden layers of 16 units.
using MoonNet = Sequential<Input<2>, Dense<16>, Tanh, Dense<16>, Tanh, Dense<1>>;
static_assert(MoonNet::param_count == (2 * 16 + 16) + (16 * 16 + 16) + (16 + 1));
static_assert(std::is_same_v<MoonNet::output_shape, Shape<1>>);

// Feeding these networks data of another width is caught when the data reaches
// fit() (the message names both widths); a shape that does not fit *between*
// layers is caught earlier still, by the compiler (see the README).

using Loss = BinaryCrossEntropyWithLogits;

// ---------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------

// XOR: class 1 when exactly one input is 1.
Dataset xor_data() {
    Dataset d("xor", 2, 1);
    d.add({0, 0}, {0});
    d.add({0, 1}, {1});
    d.add({1, 0}, {1});
    d.add({1, 1}, {0});
    return d;
}

// Two moons, as scikit-learn's make_moons draws them: the upper half circle
// (cos t, sin t) is class 0, the lower one (1 - cos t, 0.5 - sin t) is class 1,
// t evenly spaced over [0, pi], and Gaussian noise of `noise` added to both axes.
Dataset make_moons(std::size_t n, float noise, Seed seed) {
    Rng rng(seed);
    Dataset d("moons", 2, 1);
    const std::size_t upper = n / 2, lower = n - upper;
    for (std::size_t i = 0; i < upper; ++i) {
        const float t = std::numbers::pi_v<float> * float(i) / float(upper - 1);
        d.add({std::cos(t) + rng.normal(0, noise), std::sin(t) + rng.normal(0, noise)}, {0});
    }
    for (std::size_t i = 0; i < lower; ++i) {
        const float t = std::numbers::pi_v<float> * float(i) / float(lower - 1);
        d.add({1 - std::cos(t) + rng.normal(0, noise), 0.5f - std::sin(t) + rng.normal(0, noise)}, {1});
    }
    return d;
}

// ---------------------------------------------------------------------------------
// Small helpers: probabilities, accuracy, plots
// ---------------------------------------------------------------------------------

float sigmoid(float z) { return 1.f / (1.f + std::exp(-z)); }

template <class Net>
float probability(Model<Net>& model, float x, float y) {
    const std::array<float, 2> point{x, y};
    return sigmoid(model.predict(point)[0]);
}

template <class Net>
float accuracy(Model<Net>& model, const Dataset& data) {
    return evaluate(model, data, Loss{}).accuracy;
}

// The decision map of `model` over a rectangle, with the points of `data` on top.
template <class Net>
void save_decision_map(Model<Net>& model, const Dataset& data, const std::string& title, double x0, double x1,
                       double y0, double y1, const std::filesystem::path& path) {
    plot::DecisionMap map{.title = title, .x_label = "x1", .y_label = "x2"};
    map.set_field(x0, x1, y0, y1, 120, [&](float x, float y) { return probability(model, x, y); });
    for (int cls : {0, 1}) {
        std::vector<float> xs, ys;
        for (std::size_t i = 0; i < data.size(); ++i)
            if (data.target(i)[0] == float(cls)) xs.push_back(data.input(i)[0]), ys.push_back(data.input(i)[1]);
        map.add_points("class " + std::to_string(cls), xs, ys, std::size_t(cls));
    }
    map.save(path);
    lesson::wrote(path);
}

// ---------------------------------------------------------------------------------
// Part 1: why one perceptron cannot compute XOR
// ---------------------------------------------------------------------------------
//
// A single unit answers 1 when w1 x1 + w2 x2 + b > 0. For XOR we would need
//
//     (0,0) -> 0:   b            <= 0
//     (0,1) -> 1:   w2 + b        > 0
//     (1,0) -> 1:   w1 + b        > 0
//     (1,1) -> 0:   w1 + w2 + b  <= 0
//
// Add the two middle lines: w1 + w2 + 2b > 0, so w1 + w2 + b > -b >= 0 (using the
// first line), which contradicts the last. No weights exist: the two classes of XOR
// are not *linearly separable*. Minsky and Papert's 1969 book made this point, and
// it stalled neural network research for a decade. Let us check it twice: by
// searching many random lines, then by training a unit with gradient descent.

void single_unit_cannot_do_xor(const lesson::Options& opt, const Dataset& xor_set) {
    std::printf("\n== Part 1: a single unit on XOR\n");

    // A brute-force search: a million random lines w1 x1 + w2 x2 + b = 0. Scaling
    // (w, b) does not move a line, so weights in [-1, 1] cover every line there is.
    Rng rng(Seed{3});
    int best = 0;
    const int tries = opt.smoke ? 20'000 : 1'000'000;
    for (int t = 0; t < tries && best < 4; ++t) {
        const float w1 = rng.uniform(-1, 1), w2 = rng.uniform(-1, 1), b = rng.uniform(-1, 1);
        int right = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            const auto x = xor_set.input(i);
            right += (w1 * x[0] + w2 * x[1] + b > 0) == (xor_set.target(i)[0] == 1.f);
        }
        best = std::max(best, right);
    }
    std::printf("  best of %d random lines: %d of 4 points right (the algebra says 4 is impossible)\n", tries, best);

    // Gradient descent does no better: it finds the least-bad line, which here is
    // one that hedges (predicts p ~ 0.5 everywhere).
    Model<SingleUnit> unit{Seed{1}};
    unit.summary();
    fit(unit, xor_set, Loss{}, SGD{{.lr = 0.5f}},
        {.epochs = opt.smoke ? 200u : 2000u, .batch = 4, .verbosity = Verbosity::Quiet});
    std::printf("  a trained single unit predicts p(class 1) =");
    for (std::size_t i = 0; i < 4; ++i)
        std::printf(" %.2f", double(probability(unit, xor_set.input(i)[0], xor_set.input(i)[1])));
    std::printf(" for targets 0 1 1 0:\n  it hedges at 0.5 everywhere, so its accuracy (%.0f%%) is a coin toss\n",
                100.0 * accuracy(unit, xor_set));
    save_decision_map(unit, xor_set, "XOR: one unit draws one line", -0.5, 1.5, -0.5, 1.5,
                      opt.out / "xor-single-unit.svg");
}

// ---------------------------------------------------------------------------------
// Part 2: a hidden layer solves XOR
// ---------------------------------------------------------------------------------
//
// XorNet computes  h = tanh(W1 x + b1)  (2 hidden units), then  z = w2 . h + b2.
// The output unit still draws a straight line, but in the *hidden* space h, not
// in the input space x. The hidden layer learns to bend the input plane so that
// the four points become linearly separable there.
//
// Tiny networks have an awkward loss surface: from many starting weights gradient
// descent settles in a local minimum (or a flat region) that gets only half of the
// points right. We train from several seeds and count how often that happens; wider
// networks (Part 3) rarely get stuck, one reason to use more units than the minimum.

struct XorResult {
    bool solved = false;
    unsigned seed = 0;
    History history;
};

XorResult mlp_solves_xor(const lesson::Options& opt, const Dataset& xor_set) {
    std::printf("\n== Part 2: an MLP on XOR\n");
    Model<XorNet> net;
    net.summary();

    XorResult result;
    const unsigned seeds = 10;
    unsigned solved_count = 0;
    for (unsigned seed = 1; seed <= seeds; ++seed) {
        net.initialize(Seed{seed});
        History h = fit(net, xor_set, Loss{}, SGD{{.lr = 0.5f}},
                        {.epochs = opt.smoke ? 300u : 3000u, .batch = 4, .verbosity = Verbosity::Quiet});
        const float acc = accuracy(net, xor_set);
        std::printf("  seed %2u: accuracy %3.0f%%  final loss %.4f%s\n", seed, 100.0 * acc,
                    double(h.epochs.back().loss), acc == 1.f ? "" : "   (stuck in a local minimum)");
        if (acc == 1.f) ++solved_count;
        if (acc == 1.f && !result.solved) result = {true, seed, h};
    }
    std::printf("  %u of %u starting points reach 100%%\n", solved_count, seeds);
    if (!result.solved) return result;

    // Look inside the first network that solved it.
    net.initialize(Seed{result.seed});
    fit(net, xor_set, Loss{}, SGD{{.lr = 0.5f}},
        {.epochs = opt.smoke ? 300u : 3000u, .batch = 4, .verbosity = Verbosity::Quiet});
    const auto w1 = net.parameter("0.weight").values;  // [2 hidden, 2 inputs]
    const auto b1 = net.parameter("0.bias").values;
    const auto w2 = net.parameter("2.weight").values;  // [1, 2 hidden]
    const auto b2 = net.parameter("2.bias").values;
    std::printf("\n  inside the network trained from seed %u:\n", result.seed);
    std::printf("    h1 = tanh(%+.2f x1 %+.2f x2 %+.2f)\n", double(w1[0]), double(w1[1]), double(b1[0]));
    std::printf("    h2 = tanh(%+.2f x1 %+.2f x2 %+.2f)\n", double(w1[2]), double(w1[3]), double(b1[1]));
    std::printf("    z  = %+.2f h1 %+.2f h2 %+.2f,  p(class 1) = sigmoid(z)\n\n", double(w2[0]), double(w2[1]),
                double(b2[0]));
    std::printf("    x1 x2 |     h1      h2 |       z | p(class 1) | target\n");
    std::vector<float> h1s, h2s;
    for (std::size_t i = 0; i < 4; ++i) {
        const auto x = xor_set.input(i);
        const float h1 = std::tanh(w1[0] * x[0] + w1[1] * x[1] + b1[0]);
        const float h2 = std::tanh(w1[2] * x[0] + w1[3] * x[1] + b1[1]);
        const float z = w2[0] * h1 + w2[1] * h2 + b2[0];
        h1s.push_back(h1), h2s.push_back(h2);
        std::printf("    %2.0f %2.0f | %+.3f  %+.3f | %+7.3f |      %.3f |    %.0f\n", double(x[0]), double(x[1]),
                    double(h1), double(h2), double(z), double(sigmoid(z)), double(xor_set.target(i)[0]));
    }
    std::printf("  In (h1, h2) the class-1 points (0,1) and (1,0) land on the same spot, on one side\n"
                "  of the output unit's line, and the class-0 points on the other side:\n"
                "  hidden-decision.svg shows that plane.\n");

    save_decision_map(net, xor_set, "XOR: an MLP with 2 hidden units", -0.5, 1.5, -0.5, 1.5,
                      opt.out / "xor-mlp.svg");

    // The output unit's view: the hidden space, where one line does the job.
    plot::DecisionMap hidden{.title = "XOR in the hidden layer's coordinates", .x_label = "h1", .y_label = "h2"};
    hidden.set_field(-1.1, 1.1, -1.1, 1.1, 120,
                     [&](float h1, float h2) { return sigmoid(w2[0] * h1 + w2[1] * h2 + b2[0]); });
    for (int cls : {0, 1}) {
        std::vector<float> xs, ys;
        for (std::size_t i = 0; i < 4; ++i)
            if (xor_set.target(i)[0] == float(cls)) xs.push_back(h1s[i]), ys.push_back(h2s[i]);
        hidden.add_points("class " + std::to_string(cls), xs, ys, std::size_t(cls));
    }
    hidden.save(opt.out / "hidden-decision.svg");
    lesson::wrote(opt.out / "hidden-decision.svg");

    plot::LineChart chart{.title = "XOR: training loss (seed " + std::to_string(result.seed) + ")",
                          .x_label = "epoch", .y_label = "binary cross-entropy"};
    chart.log_y = true;
    chart.add("2-2-1 MLP", result.history.column(&EpochRecord::loss));
    chart.save(opt.out / "xor-loss.svg");
    lesson::wrote(opt.out / "xor-loss.svg");
    return result;
}

// ---------------------------------------------------------------------------------
// Part 3: two moons
// ---------------------------------------------------------------------------------
//
// A line gets the bulk of each moon right but not the tips that reach into the
// other moon. Two hidden layers of 16 tanh units can draw the curved boundary.
// We train on one sample of the moons and judge on another, drawn with a different
// seed: accuracy on points the network never saw is the honest measure.

float mlp_on_moons(const lesson::Options& opt) {
    std::printf("\n== Part 3: two moons\n");
    const float noise = 0.15f;
    const Dataset train = make_moons(opt.smoke ? 200 : 1000, noise, Seed{10});
    const Dataset test = make_moons(opt.smoke ? 200 : 1000, noise, Seed{11});
    std::printf("  %zu training and %zu test points, noise %.2f\n", train.size(), test.size(), double(noise));

    Model<MoonNet> mlp{Seed{42}};
    mlp.summary();
    // Constant-rate SGD keeps jittering around the minimum (every mini-batch pulls a
    // little differently), so for the last fifth of the epochs the rate drops tenfold
    // and the boundary settles. Module 03 comes back to learning-rate schedules.
    const std::size_t epochs = opt.smoke ? 20 : 300;
    auto train_with_decay = [&](auto& model) {
        SGD sgd{{.lr = 0.1f}};
        return fit(model, train, Loss{}, sgd,
                   {.epochs = epochs, .batch = 32, .validation = test, .verbosity = Verbosity::Quiet,
                    .on_epoch = [&](const EpochRecord& e) {
                        if (e.epoch == epochs * 4 / 5) sgd.set_learning_rate(0.01f);
                        return true;
                    }});
    };
    const History mlp_history = train_with_decay(mlp);
    Model<SingleUnit> line{Seed{42}};
    const History line_history = train_with_decay(line);

    const float mlp_acc = accuracy(mlp, test), line_acc = accuracy(line, test);
    std::printf("  test accuracy: single unit %.1f%%, MLP 2-16-16-1 %.1f%% (after %zu epochs of SGD)\n",
                100.0 * line_acc, 100.0 * mlp_acc, epochs);

    save_decision_map(line, test, "Two moons: one unit (a line)", -1.6, 2.6, -1.1, 1.6,
                      opt.out / "moons-single-unit.svg");
    save_decision_map(mlp, test, "Two moons: MLP 2-16-16-1", -1.6, 2.6, -1.1, 1.6, opt.out / "moons-mlp.svg");

    plot::LineChart loss{.title = "Two moons: loss", .x_label = "epoch", .y_label = "binary cross-entropy"};
    loss.add("MLP, training", mlp_history.column(&EpochRecord::loss)).color(0);
    loss.add("MLP, test", mlp_history.column(&EpochRecord::val_loss)).color(0).dashed();
    loss.add("one unit, training", line_history.column(&EpochRecord::loss)).color(1);
    loss.add("one unit, test", line_history.column(&EpochRecord::val_loss)).color(1).dashed();
    plot::LineChart acc{.title = "Two moons: accuracy", .x_label = "epoch", .y_label = "test accuracy"};
    acc.add("MLP", mlp_history.column(&EpochRecord::val_accuracy));
    acc.add("one unit", line_history.column(&EpochRecord::val_accuracy));
    plot::save_row(opt.out / "moons-curves.svg", "Two moons: one unit vs an MLP", {&loss, &acc});
    lesson::wrote(opt.out / "moons-curves.svg");
    return mlp_acc;
}

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "03-multi-layer-perceptron");
        const Dataset xor_set = xor_data();

        single_unit_cannot_do_xor(opt, xor_set);
        const XorResult xor_result = mlp_solves_xor(opt, xor_set);
        const float moons_acc = mlp_on_moons(opt);

        // What to take away: a hidden layer with a non-linear activation lets the
        // network bend its decision boundary. Without the activation, Dense after
        // Dense is one linear map (W2 (W1 x + b1) + b2 = W x + b) and nothing is gained.
        // How the weights of the hidden layer learn at all is backpropagation: lesson 04.
        char what[160];
        std::snprintf(what, sizeof what, "XOR %s; two moons test accuracy %.1f%% (target >= 97%%)",
                      xor_result.solved ? "100%" : "not solved", 100.0 * moons_acc);
        return lesson::report_target(opt, xor_result.solved && moons_acc >= 0.97f, what);
    });
}
