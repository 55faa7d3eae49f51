// Lesson 23: the recurrent neural network (Elman RNN) and its forward pass
// =========================================================================
//
// A feed-forward network sees a fixed-size input at once. A recurrent network reads
// a sequence one position at a time and keeps a hidden state h that summarises what
// it has read so far (Elman 1990). At every position t it combines the new input
// x_t with the previous state:
//
//     h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),      h_{-1} = 0,
//
// the same weights at every position, so a sequence of any length is handled by a
// fixed number of parameters, and what the network learned at one position applies
// at all others. An output layer reads h_t (here Dense, at every position).
//
// In typenet the recurrent layer is one type, RNN<H>: it reads [T, D] (T positions of
// D features) and returns [T, H], every hidden state. Token ids become vectors first
// with Embedding<V, D>. Its parameters carry PyTorch's names and layout
// (weight_ih_l0 [H, D], weight_hh_l0 [H, H], bias_ih_l0, bias_hh_l0): torch.nn.RNN.
//
// The task: echo with a delay. Each sequence is 24 random symbols out of 8; at
// position t the network must output the symbol it read at t - 3 (the first three
// positions have no answer: their targets are -1, which TokenCrossEntropy skips).
// To do it the hidden state has to hold the last three symbols and shift them along
// at every step: memory, the thing a feed-forward network of one position lacks.
//
// This lesson
//   1. trains RNN<64> on the echo with delay 3 to (nearly) perfect accuracy on
//      held-out sequences;
//   2. recomputes the forward pass by hand, with plain loops over the model's own
//      weights, and checks it against the layer's output;
//   3. draws the hidden state of one sequence as a heatmap (units x positions);
//   4. trains the same network for longer delays with the same budget: accuracy
//      falls as the delay grows. Remembering far back is hard for an RNN; lessons 24
//      and 25 show why and what the LSTM changes.
//
// Run:  build/release/lessons/23-rnn [--smoke] [--out DIR]   (generated data)
//       About a minute on two cores; --smoke a few seconds. Plots go to out/23-rnn/.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <typenet/layers/recurrent/rnn.hpp>
#include <typenet/plot/heatmap.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

constexpr std::size_t T = 24;       // positions per sequence
constexpr std::size_t symbols = 8;  // the vocabulary: ids 0..7
constexpr std::size_t H = 64;       // hidden units
using EchoNet = Sequential<Tokens<T>, Embedding<symbols, 16>, RNN<H>, Dense<symbols>>;

namespace {

// Sequences of random symbols; the target at t is the symbol at t - delay.
Dataset echo_task(std::size_t samples, std::size_t delay, Seed seed) {
    Dataset d("echo, delay " + std::to_string(delay), T, T);
    Rng rng{seed};
    std::vector<std::int32_t> ids(T);
    std::vector<float> targets(T);
    for (std::size_t s = 0; s < samples; ++s) {
        for (auto& id : ids) id = std::int32_t(rng.below(symbols));
        for (std::size_t t = 0; t < T; ++t)
            targets[t] = t < delay ? TokenCrossEntropy::ignore_id : float(ids[t - delay]);
        d.add_sequence(ids, targets);
    }
    return d;
}

// A parameter by the end of its name ("weight_hh_l0"), wherever the layer sits.
NamedTensor parameter_ending(Model<EchoNet>& model, const std::string& suffix) {
    for (auto& p : model.named_parameters())
        if (p.name.ends_with(suffix)) return p;
    throw std::runtime_error("no parameter named *" + suffix);
}

// The RNN's forward pass by hand for one sequence: embedding rows, then
// h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh). Returns [T, H].
std::vector<float> forward_by_hand(Model<EchoNet>& model, const std::vector<std::int32_t>& ids) {
    const auto E = parameter_ending(model, "weight").values;  // the first "weight": the embedding table [8, 16]
    const auto W_ih = parameter_ending(model, "weight_ih_l0").values, W_hh = parameter_ending(model, "weight_hh_l0").values;
    const auto b_ih = parameter_ending(model, "bias_ih_l0").values, b_hh = parameter_ending(model, "bias_hh_l0").values;
    constexpr std::size_t D = 16;
    std::vector<float> h(H, 0.f), states;
    for (std::size_t t = 0; t < T; ++t) {
        const float* x = &E[std::size_t(ids[t]) * D];
        std::vector<float> next(H);
        for (std::size_t j = 0; j < H; ++j) {
            double z = double(b_ih[j]) + double(b_hh[j]);
            for (std::size_t k = 0; k < D; ++k) z += double(W_ih[j * D + k]) * x[k];
            for (std::size_t k = 0; k < H; ++k) z += double(W_hh[j * H + k]) * h[k];
            next[j] = float(std::tanh(z));
        }
        h = next;
        states.insert(states.end(), h.begin(), h.end());
    }
    return states;
}

struct Trained {
    float accuracy = 0;
    History history;
};

Trained train(Model<EchoNet>& model, std::size_t delay, std::size_t samples, std::size_t epochs, bool quiet) {
    const Dataset train_set = echo_task(samples, delay, Seed{1});
    const Dataset test = echo_task(1'000, delay, Seed{2});
    Trained r;
    r.history = fit(model, train_set, TokenCrossEntropy{}, Adam{{.lr = 3e-3f}},
                    {.epochs = epochs, .batch = 32, .validation = test, .clip = ClipNorm{1.f},
                     .verbosity = quiet ? Verbosity::Quiet : Verbosity::Auto});
    r.accuracy = evaluate(model, test, TokenCrossEntropy{}).accuracy;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "23-rnn");
        const std::size_t samples = opt.smoke ? 256 : 4'000;
        const std::size_t epochs = opt.smoke ? 1 : 12;

        Model<EchoNet> model{Seed{23}};
        model.summary();
        std::printf("\n1. Echo with delay 3: %zu training sequences of %zu symbols (of %zu)\n", samples, T, symbols);
        const Trained main_run = train(model, 3, samples, epochs, false);
        std::printf("held-out accuracy: %.2f%% of the positions that have an answer (chance %.1f%%)\n",
                    100.0 * double(main_run.accuracy), 100.0 / symbols);

        // 2. The forward pass by hand, on one held-out sequence.
        const Dataset one = echo_task(1, 3, Seed{99});
        const std::vector<std::int32_t> ids(one.tokens.begin(), one.tokens.end());
        model.predict(std::span<const std::int32_t>(ids));
        std::vector<float> layer_states;
        model.for_each_layer_output([&](std::size_t i, const std::string&, std::span<const float> v) {
            if (i == 1) layer_states.assign(v.begin(), v.end());  // layer 1: the RNN, [T, H]
        });
        const auto by_hand = forward_by_hand(model, ids);
        float worst = 0;
        for (std::size_t i = 0; i < by_hand.size(); ++i) worst = std::max(worst, std::abs(by_hand[i] - layer_states[i]));
        std::printf("\n2. The forward pass by hand (plain loops over weight_ih_l0, weight_hh_l0, biases) against\n"
                    "   the RNN layer's output on one sequence: largest difference %.2e over %zu values\n",
                    double(worst), by_hand.size());

        // 3. The hidden state of that sequence: units down, positions across.
        plot::Heatmap map;
        map.title = "RNN<64> hidden state h_t while echoing with delay 3";
        map.x_label = "position (the symbol read)";
        map.y_label = "hidden unit";
        map.rows = H;
        map.columns = T;
        map.values.resize(H * T);
        for (std::size_t t = 0; t < T; ++t) {
            map.column_labels.push_back(std::to_string(t) + ": " + std::to_string(ids[t]));
            for (std::size_t j = 0; j < H; ++j) map.values[j * T + t] = layer_states[t * H + j];
        }
        map.limit = 1;  // tanh's range
        map.save(opt.out / "hidden_state.svg");
        lesson::wrote(opt.out / "hidden_state.svg");

        // 4. Longer delays, the same network and budget.
        std::printf("\n4. The same RNN<64>, the same budget, longer delays:\n   delay  held-out accuracy\n");
        std::vector<double> delays, accuracies;
        for (std::size_t delay : {1, 3, 6, 9, 12, 16}) {
            if (opt.smoke && delay > 3) break;
            Model<EchoNet> m{Seed{23}};
            const Trained r = train(m, delay, samples, epochs, true);
            std::printf("   %5zu  %16.2f%%\n", delay, 100.0 * double(r.accuracy));
            delays.push_back(double(delay));
            accuracies.push_back(100.0 * double(r.accuracy));
        }
        plot::LineChart chart{.title = "RNN<64>: echo accuracy against the delay", .x_label = "delay (positions)",
                              .y_label = "held-out accuracy (%)"};
        chart.add("RNN<64>", delays, accuracies);
        chart.add("chance", delays, std::vector<double>(delays.size(), 100.0 / symbols)).dashed();
        chart.save(opt.out / "accuracy_by_delay.svg");
        lesson::wrote(opt.out / "accuracy_by_delay.svg");

        char what[160];
        std::snprintf(what, sizeof what, "RNN<64> learns the echo with delay 3: %.2f%% held-out accuracy (>= 99%%)",
                      100.0 * double(main_run.accuracy));
        return lesson::report_target(opt, main_run.accuracy >= 0.99f && worst < 1e-4f, what);
    });
}
