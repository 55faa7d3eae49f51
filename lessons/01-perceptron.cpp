// Lesson 01: the perceptron.
//
// In 1958 Frank Rosenblatt described a machine that learns to sort pictures into two
// kinds. Its unit, the perceptron, weighs its inputs, adds them up, and fires when the
// sum clears a threshold:
//
//     z = w1 x1 + w2 x2 + b          (a weighted sum; b moves the threshold)
//     y = step(z) = 1 if z >= 0, else 0
//
// and it learns by a rule simple enough to wire into hardware: show it an example; if
// it answers right, change nothing; if it answers wrong, nudge the weights towards the
// right answer,
//
//     w += lr (t - y) x,    b += lr (t - y)        (t: the true class, 0 or 1)
//
// The perceptron convergence theorem (Block 1962, Novikoff 1962) says that when a
// straight line can separate the two classes, this rule finds one after finitely many
// mistakes: at most (R / gamma)^2, where R bounds the length of the inputs and gamma,
// the margin, is the distance from the best separating line to the nearest point.
//
// This lesson builds the perceptron as a C++ type, trains it with the rule on two data
// sets that a line can separate, and draws the line it found.
//
//   build/release/lessons/01-perceptron [--smoke] [--out DIR]
//   plots: out/01-perceptron/*.svg
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <typenet/data/tables.hpp>
#include <typenet/plot/decision_map.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// --- 1. The perceptron is a type -------------------------------------------------------
//
// Two inputs, one weighted sum (Dense<1>: one output, two weights and a bias), then the
// step. The whole network is this one line; the compiler knows its shape and size.
using Perceptron = Sequential<Input<2>, Dense<1>, Step>;

static_assert(Perceptron::param_count == 3, "two weights and one bias");
static_assert(std::is_same_v<Perceptron::output_shape, Shape<1>>);

namespace {

// The weights and bias, read by name as a checkpoint would ("0" is the Dense).
struct Line {
    float w1, w2, b;
};
Line weights_of(Model<Perceptron>& model) {
    auto w = model.parameter("0.weight").values;
    auto b = model.parameter("0.bias").values;
    return {w[0], w[1], b[0]};
}

// --- 2. The learning rule, written out ----------------------------------------------
//
// One pass over the data (an *epoch*), in the order given. Returns how many times the
// rule changed the weights, which is the number of mistakes made during the pass.
std::size_t perceptron_epoch(Model<Perceptron>& model, const Dataset& data, float lr) {
    auto w = model.parameter("0.weight").values;  // views into the model's memory
    auto b = model.parameter("0.bias").values;
    std::size_t updates = 0;
    for (std::size_t i = 0; i < data.size(); ++i) {
        const auto x = data.input(i);
        const float t = data.target(i)[0];
        const float y = model.predict(x)[0];  // 0 or 1
        if (y == t) continue;                 // right: nothing to learn
        const float error = t - y;            // +1: should have fired; -1: should not have
        w[0] += lr * error * x[0];
        w[1] += lr * error * x[1];
        b[0] += lr * error;
        ++updates;
    }
    return updates;
}

// Share of samples the model gets right.
double accuracy(Model<Perceptron>& model, const Dataset& data) {
    std::size_t right = 0;
    for (std::size_t i = 0; i < data.size(); ++i) right += model.predict(data.input(i))[0] == data.target(i)[0];
    return double(right) / double(data.size());
}

// --- 3. A second data set, made up: two classes a line can separate --------------------
//
// Points uniform in the square [-1, 1]^2, labelled by which side of a hidden line
// (2 x1 - x2 = 0.3) they fall; points closer to it than `margin` are dropped, so that a
// gap separates the classes (the theorem's bound grows as the gap shrinks).
Dataset separable_points(std::size_t n, float margin, Rng& rng) {
    Dataset d("generated", 2, 1);
    const float norm = std::sqrt(2.f * 2.f + 1.f);
    while (d.size() < n) {
        const float x1 = rng.uniform(-1, 1), x2 = rng.uniform(-1, 1);
        const float distance = (2 * x1 - x2 - 0.3f) / norm;
        if (std::abs(distance) < margin) continue;
        d.add({x1, x2}, {distance > 0 ? 1.f : 0.f});
    }
    return d;
}

// Where z = w1 x1 + w2 x2 + b = 0 crosses the view: the decision boundary as a segment.
std::array<double, 4> boundary_segment(const Line& l, double x_min, double x_max, double y_min, double y_max) {
    if (std::abs(l.w2) >= std::abs(l.w1))  // not steep: solve for x2 at both ends of x1
        return {x_min, -(l.w1 * x_min + l.b) / l.w2, x_max, -(l.w1 * x_max + l.b) / l.w2};
    return {-(l.w2 * y_min + l.b) / l.w1, y_min, -(l.w2 * y_max + l.b) / l.w1, y_max};
}

// The points of each class, for plotting.
void add_classes(plot::DecisionMap& map, const Dataset& data, const std::vector<std::string>& names) {
    for (std::size_t c = 0; c < names.size(); ++c) {
        std::vector<float> xs, ys;
        for (std::size_t i = 0; i < data.size(); ++i)
            if (data.target(i)[0] == float(c)) xs.push_back(data.input(i)[0]), ys.push_back(data.input(i)[1]);
        map.add_points(names[c], xs, ys, c);
    }
}

// The boundary where it started, where it was after each epoch, and where it ended.
struct Run;
void add_boundaries(plot::DecisionMap& map, const Line& start, const Run& run, double x_min, double x_max,
                    double y_min, double y_max);

struct Run {
    std::vector<double> updates_per_epoch;
    std::vector<Line> boundaries;  // the weights after each epoch
    double accuracy = 0;
    bool clean_epoch = false;  // an epoch went by without a single mistake
};

// Trains until an epoch without mistakes (or max_epochs), printing each epoch.
Run train_with_the_rule(Model<Perceptron>& model, const Dataset& data, float lr, std::size_t max_epochs) {
    Run run;
    std::printf("  epoch  updates   w1        w2        b\n");
    for (std::size_t epoch = 1; epoch <= max_epochs; ++epoch) {
        const std::size_t updates = perceptron_epoch(model, data, lr);
        run.updates_per_epoch.push_back(double(updates));
        const Line l = weights_of(model);
        run.boundaries.push_back(l);
        std::printf("  %5zu  %7zu  %8.3f  %8.3f  %8.3f\n", epoch, updates, double(l.w1), double(l.w2), double(l.b));
        if (updates == 0) {
            run.clean_epoch = true;
            break;
        }
    }
    run.accuracy = accuracy(model, data);
    return run;
}

void add_boundaries(plot::DecisionMap& map, const Line& start, const Run& run, double x_min, double x_max,
                    double y_min, double y_max) {
    const auto segment = [&](const Line& l) { return boundary_segment(l, x_min, x_max, y_min, y_max); };
    // A line crosses the view when the corners do not all lie on one side of it.
    const auto visible = [&](const Line& l) {
        int positive = 0;
        for (double x : {x_min, x_max})
            for (double y : {y_min, y_max}) positive += l.w1 * x + l.w2 * y + l.b > 0;
        return positive != 0 && positive != 4;
    };
    if (visible(start)) {
        auto [x0, y0, x1, y1] = segment(start);
        map.add_line("boundary before training", x0, y0, x1, y1).style("#555555", "6 4", 1.5);
    }
    bool labelled = false;
    for (std::size_t e = 0; e + 1 < run.boundaries.size(); ++e) {
        if (!visible(run.boundaries[e])) continue;
        auto [x0, y0, x1, y1] = segment(run.boundaries[e]);
        map.add_line(labelled ? "" : "after each epoch", x0, y0, x1, y1).style("#555555", "", 1, 0.45);
        labelled = true;
    }
    auto [x0, y0, x1, y1] = segment(run.boundaries.back());
    map.add_line("learned boundary (z = 0)", x0, y0, x1, y1).style("#111111", "", 2.5);
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto options = lesson::parse(argc, argv, "01-perceptron");
        const bool smoke = options.smoke;
        const std::size_t max_epochs = smoke ? 5 : 100;
        const float lr = 0.1f;

        // The model: three numbers, drawn at random from a fixed seed so that every run
        // of this lesson prints the same thing.
        Model<Perceptron> model{Seed{1}};
        std::printf("The perceptron as a type: Sequential<Input<2>, Dense<1>, Step>\n\n");
        model.summary();

        // --- Iris: setosa vs versicolor ----------------------------------------------
        // Fisher's 150 irises (1936), four measurements each. We keep two species and two
        // measurements, so that every flower is a point in a plane we can draw.
        const auto iris = data::iris({.classes = {"setosa", "versicolor"}, .features = {"sepal length", "petal length"}});
        const Dataset& flowers = iris.train;
        std::printf("\nIris: %zu flowers, inputs (%s, %s), class 0 = %s, 1 = %s. The first of each:\n",
                    flowers.size(), iris.feature_names[0].c_str(), iris.feature_names[1].c_str(),
                    iris.class_names[0].c_str(), iris.class_names[1].c_str());
        for (std::size_t i : {std::size_t{0}, flowers.size() - 1})
            std::printf("  x = (%.1f, %.1f)  class %.0f\n", double(flowers.input(i)[0]), double(flowers.input(i)[1]),
                        double(flowers.target(i)[0]));

        const Line before = weights_of(model);
        std::printf("\nBefore training it gets %.0f%% right (w1 = %.3f, w2 = %.3f, b = %.3f).\n",
                    100 * accuracy(model, flowers), double(before.w1), double(before.w2), double(before.b));
        std::printf("Training with the perceptron rule, learning rate %.1f:\n", double(lr));
        const Run iris_run = train_with_the_rule(model, flowers, lr, max_epochs);
        const Line after = weights_of(model);
        std::printf("Training accuracy: %.1f%%%s\n", 100 * iris_run.accuracy,
                    iris_run.clean_epoch ? " -- a whole epoch without a mistake: the rule has stopped moving." : "");

        // The decision map: the model's answer at every point of the plane (the shading),
        // the line where it switches, the flowers, and where the line started.
        const double x_min = 4, x_max = 7.5, y_min = 0.5, y_max = 5.5;
        plot::DecisionMap iris_map{.title = "Perceptron on iris: setosa vs versicolor",
                                   .x_label = iris.feature_names[0], .y_label = iris.feature_names[1]};
        iris_map.set_field(x_min, x_max, y_min, y_max, smoke ? 40 : 200, [&](float x1, float x2) {
            return model.predict(std::vector<float>{x1, x2})[0];
        });
        iris_map.show_boundary = false;  // the field is 0 or 1: draw the exact line instead
        add_classes(iris_map, flowers, iris.class_names);
        add_boundaries(iris_map, before, iris_run, x_min, x_max, y_min, y_max);
        iris_map.save(lesson::wrote(options.out / "iris-boundary.svg"));

        // --- 4. The same rule is gradient descent --------------------------------------
        //
        // typenet trains networks by gradient descent: compute a loss, then move every
        // parameter against its gradient. Is the perceptron rule an instance of that?
        // Take the squared error L = (y - t)^2 on one sample. Its gradient is
        // dL/dy = 2 (y - t). The step has slope 0 almost everywhere, which would stop all
        // learning, so typenet's Step passes the gradient straight through (dy/dz := 1).
        // Then dL/dw = 2 (y - t) x, and one step of SGD with learning rate lr/2 is
        //     w -= lr/2 * 2 (y - t) x   =   w += lr (t - y) x,
        // exactly the perceptron rule. A correct answer has y - t = 0, so no update.
        //
        // So training with MSE, SGD at half the rate and batches of one sample retraces
        // the rule. A bonus: MSE per sample is 1 for a mistake and 0 otherwise, so the
        // epoch's mean loss that fit() reports is the share of samples it got wrong.
        Model<Perceptron> twin{Seed{1}};  // the same seed: the same starting weights
        std::vector<double> twin_mistakes;
        fit(twin, flowers, MSE{}, SGD{{.lr = lr / 2}},
            {.epochs = max_epochs, .batch = 1, .shuffle = false, .verbosity = Verbosity::Quiet,
             .on_epoch = [&](const EpochRecord& e) {
                 twin_mistakes.push_back(std::round(double(e.loss) * double(flowers.size())));
                 return e.loss > 0;  // stop after the first epoch without a mistake
             }});
        const Line via_sgd = weights_of(twin);
        std::printf("\nThe same training as fit(model, iris, MSE{}, SGD{{.lr = %.2f}}, {.batch = 1}):\n",
                    double(lr / 2));
        std::printf("  the rule:  w1 = %.6f  w2 = %.6f  b = %.6f  (%zu epochs)\n", double(after.w1),
                    double(after.w2), double(after.b), iris_run.updates_per_epoch.size());
        std::printf("  SGD + MSE: w1 = %.6f  w2 = %.6f  b = %.6f  (%zu epochs)\n", double(via_sgd.w1),
                    double(via_sgd.w2), double(via_sgd.b), twin_mistakes.size());
        const double gap = std::max({std::abs(double(after.w1 - via_sgd.w1)), std::abs(double(after.w2 - via_sgd.w2)),
                                     std::abs(double(after.b - via_sgd.b))});
        const bool same_path = gap < 1e-4 && twin_mistakes == iris_run.updates_per_epoch;
        std::printf("  largest difference %.2g, mistakes per epoch %s\n", gap,
                    twin_mistakes == iris_run.updates_per_epoch ? "identical" : "DIFFERENT");

        // --- 5. Generated points --------------------------------------------------------
        // The iris classes sit far apart. Points drawn around a hidden line, with a
        // narrow gap, make the rule work harder: it needs more epochs, and where it stops
        // depends on the order it saw the points in (any separating line satisfies it).
        Rng data_rng{Seed{7}};
        const Dataset points = separable_points(smoke ? 100 : 400, 0.02f, data_rng);
        Model<Perceptron> planar{Seed{2}};
        const Line planar_start = weights_of(planar);
        std::printf("\nGenerated: %zu points in [-1, 1]^2, separated by the hidden line 2 x1 - x2 = 0.3 with a gap of"
                    " 0.02 on each side.\nTraining with the rule, learning rate %.1f:\n",
                    points.size(), double(lr));
        const Run planar_run = train_with_the_rule(planar, points, lr, max_epochs);
        std::printf("Training accuracy: %.1f%%\n", 100 * planar_run.accuracy);

        plot::DecisionMap planar_map{.title = "Perceptron on generated points", .x_label = "x1", .y_label = "x2"};
        planar_map.set_field(-1, 1, -1, 1, smoke ? 40 : 200, [&](float x1, float x2) {
            return planar.predict(std::vector<float>{x1, x2})[0];
        });
        planar_map.show_boundary = false;
        add_classes(planar_map, points, {"class 0", "class 1"});
        add_boundaries(planar_map, planar_start, planar_run, -1, 1, -1, 1);
        const auto [hx0, hy0, hx1, hy1] = boundary_segment({2, -1, -0.3f}, -1, 1, -1, 1);
        planar_map.add_line("hidden line (2 x1 - x2 = 0.3)", hx0, hy0, hx1, hy1).style("#CC79A7", "2 3", 2);
        planar_map.save(lesson::wrote(options.out / "generated-boundary.svg"));

        // --- 6. Mistakes per epoch ------------------------------------------------------
        plot::LineChart mistakes{.title = "Perceptron rule: updates per epoch", .x_label = "epoch",
                                 .y_label = "updates (= mistakes)"};
        mistakes.add("iris", iris_run.updates_per_epoch);
        mistakes.add("generated", planar_run.updates_per_epoch);
        mistakes.save(lesson::wrote(options.out / "updates-per-epoch.svg"));

        const bool separated = iris_run.clean_epoch && planar_run.clean_epoch && iris_run.accuracy == 1.0 &&
                               planar_run.accuracy == 1.0 && same_path;
        return lesson::report_target(options, separated,
                                     "the perceptron rule separates setosa from versicolor and the generated classes"
                                     " (100% training accuracy, an epoch with zero mistakes), and SGD on MSE retraces it");
    });
}
