// Lesson 08: activation functions
// ===============================
//
// Between two Dense layers sits an activation f, applied to every unit on its own.
// Without it a stack of Dense layers is one Dense layer (a product of matrices is a
// matrix); with it the network can bend its decision boundaries (lesson 03). Which
// f? It decides two things:
//
//   forwards:  what a unit can say: bounded (sigmoid, tanh) or not (ReLU and
//              family); centred on 0 (tanh, ELU, SELU) or not (sigmoid, ReLU);
//   backwards: how much gradient passes: f'(z) multiplies the gradient at every
//              layer (lesson 06). sigmoid' <= 1/4 and tanh' <= 1 fade to 0 when
//              the unit saturates; ReLU' is exactly 1 for z > 0 and 0 below (a unit
//              stuck below 0 for every input is "dead": it never learns again);
//              LeakyReLU, ELU, SELU and GELU let some gradient through below 0.
//
// The activations, as typenet spells them (layers/activations.hpp):
//
//   Sigmoid    1 / (1 + e^-z)                       (0, 1)
//   Tanh       (e^z - e^-z) / (e^z + e^-z)          (-1, 1); 2 sigmoid(2z) - 1
//   ReLU       max(0, z)                            Nair & Hinton 2010
//   LeakyReLU  z if z > 0, else 0.01 z              Maas et al. 2013
//   ELU        z if z > 0, else e^z - 1             Clevert et al. 2015
//   SELU       1.0507 (z if z > 0, else 1.6733 (e^z - 1))   Klambauer et al. 2017
//   GELU       z Phi(z), Phi the normal CDF         Hendrycks & Gimpel 2016; BERT, GPT
//
// This lesson draws each one and its derivative, then trains the same MLP with each
// on Fashion-MNIST (Zalando's 28x28 pictures of clothes, 10 classes, harder than
// digits) and tabulates test accuracy and time.
//
// Run:  build/release/lessons/08-activations [--smoke] [--out DIR]
//       (after scripts/fetch-data.sh fashion-mnist). About 80 s of CPU time;
//       --smoke a second or two.
// Plots go to out/08-activations/.

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
// One network per activation: a template alias
// ---------------------------------------------------------------------------------
//
// The activation is a template parameter of the network's type: Net<ReLU> and
// Net<GELU> are two different types, each compiled with its own fused
// Dense + activation kernels. Everything else (sizes, initialisation: Glorot
// uniform, the default) is the same.
template <class Act>
using Net = Sequential<Input<784>, Dense<256>, Act, Dense<128>, Act, Dense<10>>;
static_assert(Net<ReLU>::param_count == (784 * 256 + 256) + (256 * 128 + 128) + (128 * 10 + 10));

// The curve of an activation alone: a one-unit "network" with nothing but f.
template <class Act>
using Alone = Sequential<Input<1>, Act>;

using Loss = SoftmaxCrossEntropy;

namespace {

// ---------------------------------------------------------------------------------
// 1. The shapes: f and f', computed by typenet itself
// ---------------------------------------------------------------------------------
//
// A batch of z values goes forward through Alone<Act>; backward with dL/df = 1 for
// every sample gives dL/dz = f'(z): the same code the networks run, not a copy.
struct ActivationCurve {
    std::string name;
    std::vector<double> z, f, df;
};

template <class Act>
ActivationCurve shape_of() {
    constexpr std::size_t n = 601;
    Model<Alone<Act>> unit;
    float* z = unit.input(n);
    for (std::size_t i = 0; i < n; ++i) z[i] = -4.f + 8.f * float(i) / float(n - 1);
    ActivationCurve s{Act::name(), {z, z + n}, {}, {}};
    const auto f = unit.forward(n, true);
    s.f.assign(f.begin(), f.end());
    std::vector<float> ones(n, 1.f), dz(n);
    unit.backward(ones.data(), dz.data());
    s.df.assign(dz.begin(), dz.end());
    return s;
}

// ---------------------------------------------------------------------------------
// 2. Training one network
// ---------------------------------------------------------------------------------
struct Result {
    std::string name;
    History history;
    float test_accuracy = 0;
    double seconds = 0, samples_per_second = 0;
};

struct Setup {
    const Dataset& train;
    const Dataset& test;
    std::size_t epochs;
    float lr;
};

template <class Act>
Result train(const Setup& s) {
    Model<Net<Act>> model{Seed{8}};  // the same seed for all: the same weights, the same batches
    Result r;
    r.name = Act::name();
    r.history = fit(model, s.train, Loss{}, SGD{{.lr = s.lr}},
                    {.epochs = s.epochs, .batch = 64, .validation = s.test, .verbosity = Verbosity::Quiet});
    r.test_accuracy = r.history.epochs.back().val_accuracy;
    for (const auto& e : r.history.epochs) r.seconds += e.seconds;
    double rate = 0;
    for (const auto& e : r.history.epochs) rate += e.samples_per_second;
    r.samples_per_second = rate / double(r.history.epochs.size());
    std::printf("  %-18s test accuracy %6.2f%%  (%.1f s)\n", r.name.c_str(), 100.0 * double(r.test_accuracy),
                r.seconds);
    return r;
}

// All of them, in order (a braced list is evaluated left to right).
template <class... Acts>
std::vector<Result> train_all(const Setup& s) {
    return {train<Acts>(s)...};
}
template <class... Acts>
std::vector<ActivationCurve> shapes_of_all() {
    return {shape_of<Acts>()...};
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "08-activations");

        // --- 1. What each activation looks like ---------------------------------------
        const auto shapes = shapes_of_all<Sigmoid, Tanh, ReLU, LeakyReLU<>, ELU<>, SELU, GELU>();
        plot::LineChart f_chart{.title = "f(z)", .x_label = "z", .y_label = "f(z)"};
        plot::LineChart df_chart{.title = "f'(z)", .x_label = "z", .y_label = "f'(z)"};
        f_chart.y_min = -2, f_chart.y_max = 4;
        for (const auto& s : shapes) {
            f_chart.add(s.name, s.z, s.f);
            df_chart.add(s.name, s.z, s.df);
        }
        f_chart.legend_position = plot::Legend::none;  // one legend for both panels, on the right
        plot::save_row(opt.out / "activations.svg", "Activation functions and their derivatives",
                       {&f_chart, &df_chart}, 560, 420);
        lesson::wrote(opt.out / "activations.svg");
        std::printf("\n  f'(z) at z = -2, 0, 2 (read back through backward()):\n");
        for (const auto& s : shapes) {
            const auto at = [&](double z) { return s.df[std::size_t(std::lround((z + 4) / 8 * 600))]; };
            std::printf("    %-18s %7.4f %7.4f %7.4f   largest %.4f\n", s.name.c_str(), at(-2), at(0), at(2),
                        *std::max_element(s.df.begin(), s.df.end()));
        }

        // --- 2. The same MLP with each, on Fashion-MNIST --------------------------------
        const auto fashion = data::fashion_mnist();
        const Dataset train_set = opt.smoke ? fashion.train.slice(0, 2'000) : fashion.train;
        const Dataset test_set = opt.smoke ? fashion.test.slice(0, 1'000) : fashion.test;
        const Setup setup{train_set, test_set, opt.smoke ? 1u : 10u, 0.1f};
        std::printf("\nFashion-MNIST: %zu training and %zu test images. Each network: 784-256-128-10,\n"
                    "Glorot-uniform weights from the same seed, plain SGD lr %.2g, batch 64, %zu epochs.\n\n",
                    train_set.size(), test_set.size(), double(setup.lr), setup.epochs);
        Model<Net<ReLU>>{}.summary();
        std::printf("\n");
        const auto results = train_all<Sigmoid, Tanh, ReLU, LeakyReLU<>, ELU<>, SELU, GELU>(setup);

        // --- 3. The table -----------------------------------------------------------------
        std::printf("\n| activation | test accuracy | best epoch's | final training loss | seconds | samples/s |\n"
                    "| --- | ---: | ---: | ---: | ---: | ---: |\n");
        bool all_learned = true;
        for (const auto& r : results) {
            float best = 0;
            for (const auto& e : r.history.epochs) best = std::max(best, e.val_accuracy);
            std::printf("| %s | %.2f%% | %.2f%% | %.4f | %.1f | %.0f |\n", r.name.c_str(),
                        100.0 * double(r.test_accuracy), 100.0 * double(best),
                        double(r.history.epochs.back().loss), r.seconds, r.samples_per_second);
            all_learned = all_learned && std::isfinite(r.history.epochs.back().loss) && r.test_accuracy > 0.8f;
        }
        const auto best = std::max_element(results.begin(), results.end(), [](const Result& a, const Result& b) {
            return a.test_accuracy < b.test_accuracy;
        });
        const auto worst = std::min_element(results.begin(), results.end(), [](const Result& a, const Result& b) {
            return a.test_accuracy < b.test_accuracy;
        });
        std::printf("\n  best: %s (%.2f%%); worst: %s (%.2f%%)\n", best->name.c_str(),
                    100.0 * double(best->test_accuracy), worst->name.c_str(), 100.0 * double(worst->test_accuracy));

        // --- 4. The curves --------------------------------------------------------------
        plot::LineChart train_loss{.title = "training loss", .x_label = "epoch", .y_label = "cross-entropy"};
        plot::LineChart test_acc{.title = "test accuracy", .x_label = "epoch", .y_label = "accuracy (%)"};
        for (const auto& r : results) {
            train_loss.add(r.name, r.history.column(&EpochRecord::loss));
            std::vector<double> acc;
            for (float a : r.history.column(&EpochRecord::val_accuracy)) acc.push_back(100.0 * double(a));
            test_acc.add(r.name, acc);
        }
        train_loss.legend_position = plot::Legend::none;
        plot::save_row(opt.out / "training-curves.svg", "Fashion-MNIST MLP: one activation per curve",
                       {&train_loss, &test_acc}, 560, 420);
        lesson::wrote(opt.out / "training-curves.svg");

        char what[160];
        std::snprintf(what, sizeof what,
                      "table of test accuracy for all %zu activations (each above 80%%; %s best at %.2f%%)",
                      results.size(), best->name.c_str(), 100.0 * double(best->test_accuracy));
        return lesson::report_target(opt, all_learned, what);
    });
}
