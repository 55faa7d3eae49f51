// Lesson 25: long-term dependencies: an RNN against an LSTM on the adding problem
// ==============================================================================
//
// A recurrent network carries what it has seen in its hidden state, and learns by
// backpropagation through time (lesson 24): the gradient of the loss at the end of a
// sequence reaches position t through every step after it,
//
//     dL/dh_t = dL/dh_T * prod over s = t+1..T of dh_s/dh_{s-1},
//
// and for the Elman RNN each factor is diag(1 - h_s^2) W_hh. A product of many such
// matrices shrinks (or grows) geometrically, as the depth of lesson 06 did: after a
// few dozen steps nothing of the distant past reaches the weights, so the RNN cannot
// learn to use it (Bengio, Simard & Frasconi 1994; Hochreiter 1991).
//
// The LSTM (Hochreiter & Schmidhuber 1997) adds a cell state c_t updated by addition,
//
//     c_t = f_t * c_{t-1} + i_t * g_t,        h_t = o_t * tanh(c_t),
//
// so along the cell path dc_t/dc_{t-1} = f_t, a gate the network can hold near 1:
// the gradient flows back across a hundred steps without being multiplied by W_hh.
//
// The adding problem tests exactly that. Each input is 100 steps of two numbers: a
// value U(0, 1) and a marker, 1 at two positions (one in each half) and 0 elsewhere.
// The target is the sum of the two marked values. Predicting the mean, 1, every time
// gives a mean squared error of 1/6 = 0.167: chance. To do better a network must
// remember a value for up to 99 steps and ignore everything in between.
//
// This lesson trains an RNN and an LSTM of the same width with the same optimiser,
// clipping and budget, then shows
//   1. the test MSE of each against chance (the LSTM solves it, the RNN stays there),
//   2. their validation MSE epoch by epoch,
//   3. how much gradient each position of the input receives (|dL/dx_t|, averaged
//      over a batch) in the two trained networks: the RNN's falls by orders of
//      magnitude from the end of the sequence back to its start.
//
// Run:  build/release/lessons/25-long-term-dependencies [--smoke] [--out DIR]
//       (generated data, nothing to fetch). About 90 s on two cores (the LSTM
//       escapes the plateau of chance after ~20 epochs, then stops);
//       --smoke a few seconds. Plots go to out/25-long-term-dependencies/.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <typenet/data/sequence_tasks.hpp>
#include <typenet/layers/recurrent/lstm.hpp>
#include <typenet/layers/recurrent/rnn.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

// The sequence length the task is posed at, and the models: the last hidden state
// (LastState), then one linear output, trained with the squared error.
constexpr std::size_t T = 100;
constexpr std::size_t H = 64;
using ElmanNet = Sequential<Input<T, 2>, RNN<H, LastState>, Dense<1>>;
using LstmNet = Sequential<Input<T, 2>, LSTM<H, LastState>, Dense<1>>;

namespace {

constexpr double chance_mse = 1.0 / 6.0;  // predicting 1 always: the variance of the sum

struct Outcome {
    std::string name;
    std::size_t params = 0;
    History history;
    float test_mse = 0;
    double seconds = 0;
    std::vector<double> gradient_by_position;  // mean |dL/dx_t| over a batch, t = 0..T-1
};

// |dL/dx_t| per position for a batch of the test set: one forward and backward with
// the input's gradient asked for (Model::backward's second argument).
template <class Net>
std::vector<double> gradient_by_position(Model<Net>& model, const Dataset& data, std::size_t n) {
    std::vector<std::size_t> idx(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = i;
    std::vector<float> targets(n);
    data.gather(idx, model.input(n), targets.data());
    const auto out = model.forward(n, false);
    std::vector<float> d_out(n), d_in(n * T * 2);
    MSE::compute<Shape<1>>(out.data(), targets.data(), d_out.data(), n);
    model.backward(d_out.data(), d_in.data());
    std::vector<double> g(T, 0.0);
    for (std::size_t b = 0; b < n; ++b)
        for (std::size_t t = 0; t < T; ++t) {
            const float* x = &d_in[(b * T + t) * 2];
            g[t] += std::sqrt(double(x[0]) * x[0] + double(x[1]) * x[1]) / double(n);
        }
    return g;
}

template <class Net>
Outcome train(const std::string& name, const Dataset& train_set, const Dataset& validation, const Dataset& test,
              std::size_t epochs) {
    Model<Net> model{Seed{25}};
    std::printf("%s: %zu parameters\n", name.c_str(), Model<Net>::param_count);
    const auto start = std::chrono::steady_clock::now();
    // The same recipe for both: Adam, a global gradient-norm clip of 1 (the RNN's
    // gradient can also explode: lesson 24), batches of 64.
    Outcome o;
    o.name = name;
    o.params = Model<Net>::param_count;
    // A network that has solved the task (validation MSE under 0.001, 0.6% of
    // chance) stops there; the other trains the whole budget.
    o.history = fit(model, train_set, MSE{}, Adam{{.lr = 2e-3f}},
                    {.epochs = epochs, .batch = 64, .validation = validation, .clip = ClipNorm{1.f},
                     .on_epoch = [](const EpochRecord& r) { return r.val_loss >= 1e-3f; }});
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    o.test_mse = evaluate(model, test, MSE{}).loss;
    o.gradient_by_position = gradient_by_position(model, test, 256);
    std::printf("%s: test MSE %.4f (chance %.4f) after %zu epochs, %.1f s\n\n", name.c_str(), double(o.test_mse),
                chance_mse, o.history.epochs.size(), o.seconds);
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "25-long-term-dependencies");
        const std::size_t n_train = opt.smoke ? 512 : 10'000;
        const std::size_t epochs = opt.smoke ? 1 : 50;  // at most
        const Dataset train_set = data::adding_problem({.samples = n_train, .T = T, .seed = Seed{1}});
        const Dataset validation = data::adding_problem({.samples = 1'000, .T = T, .seed = Seed{2}});
        const Dataset test = data::adding_problem({.samples = 1'000, .T = T, .seed = Seed{3}});
        std::printf("the adding problem at T = %zu: %zu training, %zu validation, %zu test sequences\n"
                    "chance (always predict 1): MSE %.4f\n\n",
                    T, train_set.size(), validation.size(), test.size(), chance_mse);

        Model<ElmanNet>{}.summary();
        Model<LstmNet>{}.summary();
        std::printf("\n");
        const Outcome rnn = train<ElmanNet>("RNN", train_set, validation, test, epochs);
        const Outcome lstm = train<LstmNet>("LSTM", train_set, validation, test, epochs);

        std::printf("  model  params  test MSE  vs chance  seconds\n");
        for (const Outcome* o : {&rnn, &lstm})
            std::printf("  %-5s  %6zu  %8.4f  %8.1f%%  %7.1f\n", o->name.c_str(), o->params, double(o->test_mse),
                        100.0 * double(o->test_mse) / chance_mse, o->seconds);

        plot::LineChart curves{.title = "Adding problem, T = 100: validation MSE", .x_label = "epoch",
                               .y_label = "mean squared error"};
        curves.log_y = true;
        curves.add("RNN", rnn.history.column(&EpochRecord::val_loss));
        curves.add("LSTM", lstm.history.column(&EpochRecord::val_loss));
        curves.add("chance", std::vector<double>(rnn.history.epochs.size(), chance_mse)).dashed();
        curves.save(opt.out / "validation_mse.svg");
        lesson::wrote(opt.out / "validation_mse.svg");

        // How much each position of the input moves the loss, for the trained models:
        // the end of the sequence is t = 99. The RNN's gradient decays geometrically
        // backwards; the LSTM's reaches the first half, where one marked value is.
        std::vector<double> positions(T);
        for (std::size_t t = 0; t < T; ++t) positions[t] = double(t);
        plot::LineChart grads{.title = "Gradient reaching each input position (trained models)",
                              .x_label = "position t (the loss is computed after t = 99)",
                              .y_label = "mean |dL/dx_t|"};
        grads.log_y = true;
        grads.add("RNN", positions, rnn.gradient_by_position);
        grads.add("LSTM", positions, lstm.gradient_by_position);
        grads.save(opt.out / "gradient_by_position.svg");
        lesson::wrote(opt.out / "gradient_by_position.svg");
        const auto ratio = [](const Outcome& o) { return o.gradient_by_position[0] / o.gradient_by_position[T - 1]; };
        std::printf("\n|dL/dx_0| / |dL/dx_99|: RNN %.2e, LSTM %.2e\n", ratio(rnn), ratio(lstm));

        // The lesson map's target: the RNN does not learn the task (within 10% of
        // chance), the LSTM does (under 5% of chance: MSE < 0.0083).
        const bool rnn_fails = rnn.test_mse > 0.9 * chance_mse;
        const bool lstm_solves = lstm.test_mse < 0.05 * chance_mse;
        char what[200];
        std::snprintf(what, sizeof what,
                      "at T = %zu the RNN stays at chance (test MSE %.4f, >= 0.150) and the LSTM solves it "
                      "(%.4f, < 0.0083)",
                      T, double(rnn.test_mse), double(lstm.test_mse));
        return lesson::report_target(opt, rnn_fails && lstm_solves, what);
    });
}
