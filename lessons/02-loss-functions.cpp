// Lesson 02: loss functions. Hinge loss vs logistic regression.
//
// Lesson 01's perceptron learns only from mistakes, and only stops when it makes
// none. On data that no line separates it never stops: every epoch some point is on
// the wrong side, and the line jumps again. The cure is to say *how wrong* a model is
// with a smooth number, the loss, and to move the weights downhill on it.
//
// Both models here compute the same score z = w1 x1 + w2 x2 + b and predict class 1
// when z >= 0. They differ only in how they are punished. Write the true class as
// s = +1 or -1; then m = s z, the *margin*, is positive when the answer is right and
// large when it is confidently right.
//
//   0-1 loss        1 if m < 0 else 0       what we care about; flat, so no gradient
//   perceptron      max(0, -m)              the rule of lesson 01: move only when wrong
//   hinge           max(0, 1 - m)           also move when right by less than 1 (a margin)
//   logistic        log(1 + e^-m)           never quite zero: keeps pushing, ever softer
//   squared         (1 - m)^2               punishes being *too* right as well
//
// "Perceptron + hinge loss" is Dense<1> trained with Hinge (a linear SVM without its
// regulariser). Logistic regression is Dense<1> + Sigmoid trained with binary
// cross-entropy, which is the logistic loss written for probabilities: p = sigmoid(z)
// and -log p for class 1 is exactly log(1 + e^-z).
//
//   build/release/lessons/02-loss-functions [--smoke] [--out DIR]
//   plots: out/02-loss-functions/*.svg
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <vector>

#include <typenet/data/tables.hpp>
#include <typenet/plot/decision_map.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// --- 1. The models ----------------------------------------------------------------------
using LinearScore = Sequential<Input<2>, Dense<1>>;                   // z; trained with Hinge
using LogisticRegression = Sequential<Input<2>, Dense<1>, Sigmoid>;   // p = sigmoid(z); with BCE
using Perceptron = Sequential<Input<2>, Dense<1>, Step>;              // lesson 01, for comparison

static_assert(LinearScore::param_count == 3 && LogisticRegression::param_count == 3);

namespace {

// --- 2. The loss shapes, computed by typenet's own losses --------------------------------
// For a sample of class 1 (s = +1) the margin is the score itself, so feeding a score
// z = m to each loss with target 1 traces the loss as a function of the margin.
struct LossShapes {
    std::vector<double> margin, zero_one, perceptron, hinge, logistic, squared;
};
LossShapes loss_shapes() {
    LossShapes s;
    const float one = 1.f;
    for (int i = 0; i <= 600; ++i) {
        const float m = -3.f + 6.f * float(i) / 600.f;
        s.margin.push_back(m);
        s.zero_one.push_back(m < 0 ? 1 : 0);
        s.perceptron.push_back(std::max(0.f, -m));
        s.hinge.push_back(Hinge::compute<Shape<1>>(&m, &one, nullptr, 1));
        // In nats log(1 + e^-m) is 0.69 at m = 0; divided by ln 2 it passes through
        // (0, 1) like the others and lies above the 0-1 loss everywhere.
        s.logistic.push_back(BinaryCrossEntropyWithLogits::compute<Shape<1>>(&m, &one, nullptr, 1) /
                             std::numbers::ln2);
        s.squared.push_back(MSE::compute<Shape<1>>(&m, &one, nullptr, 1));  // (m - 1)^2
    }
    return s;
}

// --- 3. Data ----------------------------------------------------------------------------
// Two round clouds of points that overlap: no line separates them. Each class is a
// Gaussian with the same spread, so the best possible classifier is a straight line
// (the perpendicular bisector of the centres), and its accuracy is known in closed
// form: Phi(d / 2 sigma), d the distance between the centres.
constexpr float blob_sigma = 0.7f;
constexpr float blob_centres[2][2] = {{-0.8f, -0.4f}, {0.8f, 0.4f}};

Dataset blobs(std::size_t n, Rng& rng, const std::string& name) {
    Dataset d(name, 2, 1);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t c = i % 2;
        d.add({rng.normal(blob_centres[c][0], blob_sigma), rng.normal(blob_centres[c][1], blob_sigma)},
              {float(c)});
    }
    return d;
}

double best_possible_blob_accuracy() {
    const double dx = blob_centres[1][0] - blob_centres[0][0], dy = blob_centres[1][1] - blob_centres[0][1];
    const double half_distance_in_sigmas = std::hypot(dx, dy) / 2 / blob_sigma;
    return 0.5 * std::erfc(-half_distance_in_sigmas / std::numbers::sqrt2);  // Phi(x)
}

// --- 4. Training both models the same way -------------------------------------------------
struct Result {
    History history;
    float train_accuracy = 0, test_accuracy = 0;
    float w1 = 0, w2 = 0, b = 0;  // the learned score z = w1 x1 + w2 x2 + b
};

template <class Net, class Loss>
Result train(Model<Net>& model, const Dataset& train_set, const Dataset& test_set, const Loss& loss,
             std::size_t epochs) {
    Result r;
    r.history = fit(model, train_set, loss, SGD{{.lr = 0.1f}},
                    {.epochs = epochs, .batch = 10, .validation = test_set, .verbosity = Verbosity::Quiet});
    r.train_accuracy = evaluate(model, train_set, loss).accuracy;
    r.test_accuracy = evaluate(model, test_set, loss).accuracy;
    const auto w = model.parameter("0.weight").values;
    r.w1 = w[0], r.w2 = w[1], r.b = model.parameter("0.bias").values[0];
    return r;
}

// Has the training loss stopped changing? Compares the mean of the last `window`
// epochs with the `window` before them.
double recent_change(const History& h, std::size_t window) {
    const std::size_t n = h.epochs.size();
    if (n < 2 * window) return INFINITY;
    double last = 0, before = 0;
    for (std::size_t i = 0; i < window; ++i) last += h.epochs[n - 1 - i].loss, before += h.epochs[n - 1 - window - i].loss;
    return std::abs(last - before) / std::max(before, 1e-12);
}

void print_progress(const Result& hinge, const Result& logistic) {
    std::printf("  epoch   hinge loss  acc    val acc   |  logistic loss  acc    val acc\n");
    const std::size_t n = hinge.history.epochs.size();
    for (std::size_t e : {1, 2, 5, 10, 20, 50, 100, 200, 500})
        if (e <= n) {
            const auto& h = hinge.history.epochs[e - 1];
            const auto& l = logistic.history.epochs[e - 1];
            std::printf("  %5zu   %10.4f  %5.1f%%  %5.1f%%   |  %13.4f  %5.1f%%  %5.1f%%\n", e, double(h.loss),
                        100.0 * double(h.accuracy), 100.0 * double(h.val_accuracy), double(l.loss),
                        100.0 * double(l.accuracy), 100.0 * double(l.val_accuracy));
        }
}

// Loss and accuracy curves of both models, side by side in one file.
void save_curves(const std::filesystem::path& path, const std::string& title, const Result& hinge,
                 const Result& logistic) {
    plot::LineChart loss{.title = "training loss", .x_label = "epoch", .y_label = "loss"};
    loss.add("hinge", hinge.history.column(&EpochRecord::loss));
    loss.add("logistic (BCE)", logistic.history.column(&EpochRecord::loss));
    loss.add("hinge, held out", hinge.history.column(&EpochRecord::val_loss)).color(0).dashed();
    loss.add("logistic, held out", logistic.history.column(&EpochRecord::val_loss)).color(1).dashed();
    plot::LineChart accuracy{.title = "accuracy", .x_label = "epoch", .y_label = "accuracy (%)"};
    const auto percent = [](std::vector<float> v) {
        for (float& x : v) x *= 100;
        return v;
    };
    accuracy.add("hinge", percent(hinge.history.column(&EpochRecord::accuracy)));
    accuracy.add("logistic (BCE)", percent(logistic.history.column(&EpochRecord::accuracy)));
    accuracy.add("hinge, held out", percent(hinge.history.column(&EpochRecord::val_accuracy))).color(0).dashed();
    accuracy.add("logistic, held out", percent(logistic.history.column(&EpochRecord::val_accuracy))).color(1).dashed();
    plot::save_row(lesson::wrote(path), title, {&loss, &accuracy}, 560, 420);
}

// The segment of the line w1 x1 + w2 x2 + b = 0 across the view.
std::array<double, 4> line_across(double w1, double w2, double b, double x_min, double x_max, double y_min,
                                  double y_max) {
    if (std::abs(w2) >= std::abs(w1)) return {x_min, -(w1 * x_min + b) / w2, x_max, -(w1 * x_max + b) / w2};
    return {-(w2 * y_min + b) / w1, y_min, -(w2 * y_max + b) / w1, y_max};
}

void add_classes(plot::DecisionMap& map, const Dataset& data, const std::vector<std::string>& names,
                 const std::vector<float>& mean = {0, 0}, const std::vector<float>& scale = {1, 1}) {
    for (std::size_t c = 0; c < names.size(); ++c) {
        std::vector<float> xs, ys;
        for (std::size_t i = 0; i < data.size(); ++i)
            if (data.target(i)[0] == float(c)) {
                xs.push_back(data.input(i)[0] * scale[0] + mean[0]);
                ys.push_back(data.input(i)[1] * scale[1] + mean[1]);
            }
        map.add_points(names[c], xs, ys, c);
    }
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto options = lesson::parse(argc, argv, "02-loss-functions");
        const bool smoke = options.smoke;
        const std::size_t epochs = smoke ? 5 : 200;

        std::printf("Two models with the same score z = w . x + b, told apart only by their loss:\n\n");
        std::printf("Perceptron + hinge loss: Sequential<Input<2>, Dense<1>>, loss Hinge\n");
        Model<LinearScore>{}.summary();
        std::printf("\nLogistic regression: Sequential<Input<2>, Dense<1>, Sigmoid>, loss BinaryCrossEntropy\n");
        Model<LogisticRegression>{}.summary();

        // --- The shapes of the losses --------------------------------------------------
        const LossShapes shapes = loss_shapes();
        std::printf("\nLoss as a function of the margin m = s z (s = +1 for class 1, -1 for class 0):\n");
        std::printf("      m     0-1  perceptron   hinge  logistic/ln2  squared\n");
        for (std::size_t i = 0; i < shapes.margin.size(); i += 100)
            std::printf("  %5.1f  %6.0f  %10.2f  %6.2f  %12.3f  %7.2f\n", shapes.margin[i], shapes.zero_one[i],
                        shapes.perceptron[i], shapes.hinge[i], shapes.logistic[i], shapes.squared[i]);
        plot::LineChart shape_chart{.title = "Losses as functions of the margin m = s z", .x_label = "margin m = s z",
                                    .y_label = "loss of one sample"};
        shape_chart.add("0-1 (what we want)", shapes.margin, shapes.zero_one).color(6).line_width(2.5);
        shape_chart.add("perceptron max(0, -m)", shapes.margin, shapes.perceptron).color(4).dotted();
        shape_chart.add("hinge max(0, 1 - m)", shapes.margin, shapes.hinge).color(1);
        shape_chart.add("logistic log(1 + e^-m) / ln 2", shapes.margin, shapes.logistic).color(0);
        shape_chart.add("squared (1 - m)^2", shapes.margin, shapes.squared).color(3).dashed();
        shape_chart.y_min = 0, shape_chart.y_max = 4;
        shape_chart.width = 900, shape_chart.height = 460;  // room for the legend beside the plot
        shape_chart.save(lesson::wrote(options.out / "loss-shapes.svg"));

        // --- Iris: setosa vs versicolor ------------------------------------------------
        // Gradient descent prefers inputs on comparable scales around 0, so the features
        // are standardised: (x - mean) / standard deviation, with the statistics of the
        // training flowers. 30% of the flowers are held out to test on.
        const auto iris = data::iris({.classes = {"setosa", "versicolor"},
                                      .features = {"sepal length", "petal length"},
                                      .test_fraction = 0.3f,
                                      .seed = Seed{1},
                                      .standardize = true});
        std::printf("\nIris, setosa (0) vs versicolor (1): %zu flowers to train on, %zu held out; SGD, learning rate"
                    " 0.1, batches of 10, %zu epochs.\n",
                    iris.train.size(), iris.test.size(), epochs);
        Model<LinearScore> iris_hinge{Seed{3}};
        Model<LogisticRegression> iris_logistic{Seed{3}};
        const Result ih = train(iris_hinge, iris.train, iris.test, Hinge{}, epochs);
        const Result il = train(iris_logistic, iris.train, iris.test, BinaryCrossEntropy{}, epochs);
        print_progress(ih, il);
        save_curves(options.out / "iris-loss-curves.svg", "Iris: hinge vs logistic", ih, il);

        // The same logistic regression, with the sigmoid folded into the loss: same
        // numbers, but the fused form never computes log(0) when p saturates, and its
        // gradient is simply p - t.
        Model<LinearScore> iris_logits{Seed{3}};
        const Result ilog = train(iris_logits, iris.train, iris.test, BinaryCrossEntropyWithLogits{}, epochs);
        double largest_gap = 0;
        for (std::size_t e = 0; e < ilog.history.epochs.size(); ++e)
            largest_gap = std::max(largest_gap, std::abs(double(ilog.history.epochs[e].loss - il.history.epochs[e].loss)));
        std::printf("Dense<1> + BinaryCrossEntropyWithLogits follows Dense<1>, Sigmoid + BinaryCrossEntropy to within"
                    " %.1e in loss over all epochs.\n", largest_gap);

        // The map, in centimetres: standardise each point of the plane before asking.
        const auto& mu = iris.feature_mean;
        const auto& sd = iris.feature_std;
        plot::DecisionMap iris_map{.title = "Iris: logistic regression vs hinge", .x_label = iris.feature_names[0],
                                   .y_label = iris.feature_names[1]};
        iris_map.set_field(4, 7.5, 0.5, 5.5, smoke ? 40 : 160, [&](float x1, float x2) {
            return iris_logistic.predict(std::vector<float>{(x1 - mu[0]) / sd[0], (x2 - mu[1]) / sd[1]})[0];
        });
        iris_map.boundary_label = "logistic: p = 0.5";
        add_classes(iris_map, iris.train, iris.class_names, mu, sd);
        // The hinge model's boundary z = 0, mapped from standardised units back to cm:
        // w1 (x1 - mu1) / sd1 + w2 (x2 - mu2) / sd2 + b = 0.
        const double hw1 = ih.w1 / sd[0], hw2 = ih.w2 / sd[1], hb = ih.b - ih.w1 * mu[0] / sd[0] - ih.w2 * mu[1] / sd[1];
        const auto [ax, ay, bx, by] = line_across(hw1, hw2, hb, 4, 7.5, 0.5, 5.5);
        iris_map.add_line("hinge: z = 0", ax, ay, bx, by).style("#D55E00", "7 4", 2);
        iris_map.save(lesson::wrote(options.out / "iris-boundaries.svg"));

        // --- Overlapping clouds ----------------------------------------------------------
        Rng rng{Seed{11}};
        const Dataset blob_train = blobs(smoke ? 100 : 400, rng, "blobs/train");
        const Dataset blob_test = blobs(smoke ? 200 : 4000, rng, "blobs/test");
        const double best = best_possible_blob_accuracy();
        std::printf("\nTwo overlapping Gaussian clouds (sigma %.1f): %zu points to train on, %zu to test. No line"
                    " separates them;\nthe best any classifier can do is %.1f%% (the Bayes rate).\n",
                    double(blob_sigma), blob_train.size(), blob_test.size(), 100 * best);
        Model<LinearScore> blob_hinge{Seed{3}};
        Model<LogisticRegression> blob_logistic{Seed{3}};
        const Result bh = train(blob_hinge, blob_train, blob_test, Hinge{}, epochs);
        const Result bl = train(blob_logistic, blob_train, blob_test, BinaryCrossEntropy{}, epochs);
        print_progress(bh, bl);
        save_curves(options.out / "blobs-loss-curves.svg", "Overlapping clouds: hinge vs logistic", bh, bl);

        // The perceptron rule on the same points (lesson 01: MSE + SGD at half the rate,
        // one sample at a time): the share of mistakes never reaches 0, so it never stops.
        Model<Perceptron> blob_rule{Seed{3}};
        std::vector<float> rule_mistakes;
        fit(blob_rule, blob_train, MSE{}, SGD{{.lr = 0.05f}},
            {.epochs = epochs, .batch = 1, .verbosity = Verbosity::Quiet, .on_epoch = [&](const EpochRecord& e) {
                 rule_mistakes.push_back(e.loss * float(blob_train.size()));
                 return true;
             }});
        std::size_t rule_right = 0;
        for (std::size_t i = 0; i < blob_test.size(); ++i)
            rule_right += blob_rule.predict(blob_test.input(i))[0] == blob_test.target(i)[0];
        const auto rw = blob_rule.parameter("0.weight").values;
        const float rb = blob_rule.parameter("0.bias").values[0];
        std::printf("The perceptron rule, for comparison: %.0f mistakes in its last epoch (%.0f in the first), %.1f%%"
                    " on the test points.\n",
                    double(rule_mistakes.back()), double(rule_mistakes.front()),
                    100.0 * double(rule_right) / double(blob_test.size()));

        plot::DecisionMap blob_map{.title = "Overlapping clouds: three linear classifiers", .x_label = "x1",
                                   .y_label = "x2"};
        blob_map.set_field(-3, 3, -3, 3, smoke ? 40 : 160, [&](float x1, float x2) {
            return blob_logistic.predict(std::vector<float>{x1, x2})[0];
        });
        blob_map.boundary_label = "logistic: p = 0.5";
        add_classes(blob_map, blob_train, {"class 0", "class 1"});
        const auto [hx0, hy0, hx1, hy1] = line_across(bh.w1, bh.w2, bh.b, -3, 3, -3, 3);
        blob_map.add_line("hinge: z = 0", hx0, hy0, hx1, hy1).style("#D55E00", "7 4", 2);
        const auto [px0, py0, px1, py1] = line_across(rw[0], rw[1], rb, -3, 3, -3, 3);
        blob_map.add_line("perceptron rule (last epoch)", px0, py0, px1, py1).style("#009E73", "2 3", 2);
        blob_map.save(lesson::wrote(options.out / "blobs-boundaries.svg"));

        // --- Did both converge? -----------------------------------------------------------
        // Iris is separable: both should classify every held-out flower right, the hinge
        // loss should reach (nearly) 0, and the logistic loss should be small. On the
        // clouds, each loss should have levelled off and each model should come within
        // 2 points of the Bayes rate.
        const double hinge_change = recent_change(bh.history, 20), logistic_change = recent_change(bl.history, 20);
        std::printf("\nIris: held-out accuracy hinge %.1f%%, logistic %.1f%%; final loss hinge %.4f, logistic %.4f\n",
                    100.0 * double(ih.test_accuracy), 100.0 * double(il.test_accuracy),
                    double(ih.history.epochs.back().loss), double(il.history.epochs.back().loss));
        std::printf("Clouds: test accuracy hinge %.1f%%, logistic %.1f%% (best possible %.1f%%); loss change over the"
                    " last 20 epochs hinge %.2f%%, logistic %.2f%%\n",
                    100.0 * double(bh.test_accuracy), 100.0 * double(bl.test_accuracy), 100 * best,
                    100 * hinge_change, 100 * logistic_change);
        const bool iris_ok = ih.test_accuracy == 1.f && il.test_accuracy == 1.f &&
                             ih.history.epochs.back().loss < 0.05f && il.history.epochs.back().loss < 0.1f;
        const bool blobs_ok = hinge_change < 0.02 && logistic_change < 0.02 &&
                              std::abs(double(bh.test_accuracy) - best) < 0.02 &&
                              std::abs(double(bl.test_accuracy) - best) < 0.02;
        return lesson::report_target(options, iris_ok && blobs_ok,
                                     "hinge and logistic regression both converge: 100% on held-out iris, and within"
                                     " 2 points of the best possible accuracy on overlapping clouds with a settled loss");
    });
}
