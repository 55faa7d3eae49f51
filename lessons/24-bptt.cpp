// Lesson 24: backpropagation through time, truncated BPTT and gradient clipping
// =============================================================================
//
// An RNN unrolled over T positions is a deep network of T layers that share their
// weights (lesson 23). Backpropagation through that graph is BPTT: the gradient of
// the loss flows from the last position back to the first,
//
//     dL/dh_{t-1} = (dL/dh_t * (1 - h_t^2)) W_hh  (+ the loss's own share at t - 1),
//
// and W_hh's gradient is the sum of what every position contributes. Two things
// follow, and this lesson measures both.
//
// 1. The gradient changes geometrically with the distance it travels: each step
//    multiplies it by diag(1 - h_t^2) W_hh. With small recurrent weights it vanishes
//    going back in time, with large ones it explodes. We scale one network's W_hh by
//    0.5, 1 and 2 and plot |dL/dx_t|, the gradient that reaches the input at each
//    position, for a loss at the last position: gradient norm over time.
// 2. Exploding gradients throw the weights far in one step. Clipping the gradient's
//    global norm (Pascanu, Mikolov & Bengio 2013) caps each step's length; we train
//    the large-weight network with and without it on a short dependency (name the
//    symbol three positions before the end) and plot the gradient norm of every step
//    and the loss.
//
// Full BPTT over a very long sequence costs memory and time in proportion to its
// length. Truncated BPTT (Williams & Peng 1990) cuts a long stream into windows of
// k positions and carries the hidden state from one window to the next (a Stateful
// RNN) but not the gradient. So the network can only *learn* dependencies shorter
// than k, even though its state carries information further. 3. We train an echo
// with delay 5 on a long stream with windows of k = 16 (learns), k = 4 (cannot:
// no window holds both a symbol and the position that must echo it) and full BPTT
// over independent sequences of 32, and print the accuracy of each.
//
// Run:  build/release/lessons/24-bptt [--smoke] [--out DIR]   (generated data)
//       Under a minute on two cores; --smoke a few seconds. Plots go to out/24-bptt/.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <typenet/layers/recurrent/rnn.hpp>
#include <typenet/plot/line_chart.hpp>
#include <typenet/typenet.hpp>

#include "lesson.hpp"

using namespace tn;

constexpr std::size_t symbols = 6;
constexpr std::size_t H = 48;
constexpr std::size_t delay = 5;

// 1 and 2: a 60-step RNN on one-hot symbols, the loss on the last state.
constexpr std::size_t T_probe = 60;
using ProbeNet = Sequential<Input<T_probe, symbols>, RNN<H, LastState>, Dense<symbols>>;

// 3: the echo, as windows of a stream (Stateful: each window starts where the
// previous one of the same stream ended) or as independent sequences.
template <std::size_t K>
using StreamNet = Sequential<Tokens<K>, Embedding<symbols, 16>, RNN<H, Stateful>, Dense<symbols>>;
constexpr std::size_t T_full = 32;
using FullNet = Sequential<Tokens<T_full>, Embedding<symbols, 16>, RNN<H>, Dense<symbols>>;

namespace {

double norm(std::span<const float> v) {
    double s = 0;
    for (float x : v) s += double(x) * double(x);
    return std::sqrt(s);
}

// A batch of random one-hot sequences, the target: the symbol at position `source`.
std::vector<float> probe_batch(Model<ProbeNet>& model, std::size_t n, Rng& rng, std::size_t source) {
    float* x = model.input(n);
    std::fill_n(x, n * T_probe * symbols, 0.f);
    std::vector<float> targets(n);
    for (std::size_t b = 0; b < n; ++b)
        for (std::size_t t = 0; t < T_probe; ++t) {
            const std::size_t s = rng.below(symbols);
            x[(b * T_probe + t) * symbols + s] = 1.f;
            if (t == source) targets[b] = float(s);
        }
    return targets;
}

void scale_recurrent_weights(Model<ProbeNet>& model, float factor) {
    for (auto& p : model.named_parameters())
        if (p.name.ends_with("weight_hh_l0"))
            for (float& w : p.values) w *= factor;
}

// 1. |dL/dx_t| for t = 0..T-1, the mean over a batch, at initialisation.
std::vector<double> gradient_over_time(float factor) {
    Model<ProbeNet> model{Seed{24}};
    scale_recurrent_weights(model, factor);
    Rng rng{Seed{7}};
    constexpr std::size_t n = 64;
    const auto targets = probe_batch(model, n, rng, 0);  // the first symbol: the gradient must reach t = 0
    const auto out = model.forward(n, true);
    std::vector<float> d_out(out.size()), d_in(n * T_probe * symbols);
    SoftmaxCrossEntropy::compute<Shape<symbols>>(out.data(), targets.data(), d_out.data(), n);
    model.backward(d_out.data(), d_in.data());
    std::vector<double> g(T_probe, 0.0);
    for (std::size_t b = 0; b < n; ++b)
        for (std::size_t t = 0; t < T_probe; ++t)
            g[t] += norm({&d_in[(b * T_probe + t) * symbols], symbols}) / double(n);
    return g;
}

// 2. Training the large-weight network to name the symbol three positions before the
// end (a short dependency it can learn), with or without a clip on the global
// gradient norm; records that norm (before clipping) per step.
struct ClipRun {
    std::vector<double> grad_norm, loss;
    bool diverged = false;
    std::string error;
};
ClipRun train_with_clip(bool clip, std::size_t steps) {
    Model<ProbeNet> model{Seed{24}};
    scale_recurrent_weights(model, 2.f);
    SGD sgd{{.lr = 0.5f}};
    Rng rng{Seed{8}};
    ClipRun r;
    try {
        for (std::size_t s = 0; s < steps; ++s) {
            const auto targets = probe_batch(model, 32, rng, T_probe - 3);
            const auto step = model.train_step(32, targets.data(), SoftmaxCrossEntropy{}, sgd, [&](std::span<float> g) {
                r.grad_norm.push_back(norm(g));
                if (clip) clip_by_global_norm(g, 1.f);
            });
            r.loss.push_back(step.loss);
        }
    } catch (const NumericError& e) {  // the loss or the weights stopped being numbers
        r.diverged = true;
        r.error = e.what();
    }
    return r;
}

// 3. The echo on a stream. `streams` streams of `length` symbols; window w of stream b
// is sample w * streams + b, so that batch w (of `streams` samples) continues batch
// w - 1 sample by sample: fit with .batch = streams and .shuffle = false.
template <std::size_t K>
Dataset stream_windows(std::size_t streams, std::size_t length, Seed seed) {
    Rng rng{seed};
    std::vector<std::vector<std::int32_t>> s(streams, std::vector<std::int32_t>(length));
    for (auto& stream : s)
        for (auto& id : stream) id = std::int32_t(rng.below(symbols));
    Dataset d("echo stream, windows of " + std::to_string(K), K, K);
    std::vector<float> targets(K);
    for (std::size_t w = 0; w + 1 <= length / K; ++w)
        for (std::size_t b = 0; b < streams; ++b) {
            const std::span<const std::int32_t> ids(&s[b][w * K], K);
            for (std::size_t t = 0; t < K; ++t) {
                const std::size_t at = w * K + t;
                targets[t] = at < delay ? TokenCrossEntropy::ignore_id : float(s[b][at - delay]);
            }
            d.add_sequence(ids, targets);
        }
    return d;
}

template <std::size_t K>
float truncated_bptt(std::size_t length, std::size_t epochs) {
    constexpr std::size_t streams = 32;
    Model<StreamNet<K>> model{Seed{24}};
    const Dataset train = stream_windows<K>(streams, length, Seed{1});
    const Dataset test = stream_windows<K>(streams, 2'048, Seed{2});
    fit(model, train, TokenCrossEntropy{}, Adam{{.lr = 3e-3f}},
        {.epochs = epochs, .batch = streams, .shuffle = false, .clip = ClipNorm{1.f}, .verbosity = Verbosity::Quiet});
    // evaluate starts from a zero state and carries it batch to batch, as training did.
    return evaluate(model, test, TokenCrossEntropy{}, streams).accuracy;
}

float full_bptt(std::size_t samples, std::size_t epochs) {
    auto make = [](std::size_t n, Seed seed) {
        Rng rng{seed};
        Dataset d("echo sequences", T_full, T_full);
        std::vector<std::int32_t> ids(T_full);
        std::vector<float> targets(T_full);
        for (std::size_t i = 0; i < n; ++i) {
            for (auto& id : ids) id = std::int32_t(rng.below(symbols));
            for (std::size_t t = 0; t < T_full; ++t)
                targets[t] = t < delay ? TokenCrossEntropy::ignore_id : float(ids[t - delay]);
            d.add_sequence(ids, targets);
        }
        return d;
    };
    Model<FullNet> model{Seed{24}};
    fit(model, make(samples, Seed{1}), TokenCrossEntropy{}, Adam{{.lr = 3e-3f}},
        {.epochs = epochs, .batch = 32, .clip = ClipNorm{1.f}, .verbosity = Verbosity::Quiet});
    return evaluate(model, make(1'000, Seed{2}), TokenCrossEntropy{}).accuracy;
}

}  // namespace

int main(int argc, char** argv) {
    return lesson::run([&] {
        const auto opt = lesson::parse(argc, argv, "24-bptt");

        // 1. Gradient norm over time.
        std::printf("1. |dL/dx_t| at initialisation, loss at the last of %zu positions, W_hh scaled:\n", T_probe);
        std::vector<double> positions(T_probe);
        for (std::size_t t = 0; t < T_probe; ++t) positions[t] = double(t);
        plot::LineChart over_time{.title = "BPTT: the gradient reaching each position",
                                  .x_label = "position t (the loss is read after the last)",
                                  .y_label = "mean |dL/dx_t|"};
        over_time.log_y = true;
        std::printf("   W_hh x    |dL/dx_59|    |dL/dx_30|     |dL/dx_0|\n");
        for (float factor : {0.5f, 1.f, 2.f}) {
            const auto g = gradient_over_time(factor);
            std::printf("   %6.1f  %12.3e  %12.3e  %12.3e\n", double(factor), g[T_probe - 1], g[30], g[0]);
            over_time.add("W_hh x " + plot::number(factor, 1), positions, g);
        }
        over_time.save(opt.out / "gradient_over_time.svg");
        lesson::wrote(opt.out / "gradient_over_time.svg");

        // 2. Clipping.
        const std::size_t steps = opt.smoke ? 20 : 300;
        const ClipRun raw = train_with_clip(false, steps), clipped = train_with_clip(true, steps);
        std::printf("\n2. SGD (lr 0.5) on the network with W_hh x 2, %zu steps:\n", steps);
        const auto largest = [](const ClipRun& r) { return *std::max_element(r.grad_norm.begin(), r.grad_norm.end()); };
        std::printf("   without clipping: largest gradient norm %.3g%s\n", largest(raw),
                    raw.diverged ? (", training stopped: " + raw.error.substr(0, 90) + "...").c_str()
                                 : (", final loss " + plot::number(raw.loss.back(), 3)).c_str());
        std::printf("   clipped to norm 1: largest gradient norm %.3g, final loss %.3f\n", largest(clipped),
                    clipped.loss.back());
        plot::LineChart norms{.title = "Gradient norm per step (before clipping)", .x_label = "step",
                              .y_label = "global gradient norm"};
        norms.log_y = true;
        norms.add("no clipping", raw.grad_norm);
        norms.add("clipped to 1", clipped.grad_norm);
        norms.save(opt.out / "gradient_norm_per_step.svg");
        lesson::wrote(opt.out / "gradient_norm_per_step.svg");
        plot::LineChart losses{.title = "Training loss", .x_label = "step", .y_label = "cross-entropy"};
        losses.add("no clipping", raw.loss);
        losses.add("clipped to 1", clipped.loss);
        losses.save(opt.out / "loss_per_step.svg");
        lesson::wrote(opt.out / "loss_per_step.svg");

        // 3. Truncated against full BPTT.
        const std::size_t length = opt.smoke ? 256 : 8'192, epochs = opt.smoke ? 1 : 8;
        std::printf("\n3. Echo with delay %zu: accuracy on held-out streams (chance %.1f%%)\n", delay, 100.0 / symbols);
        const float k16 = truncated_bptt<16>(length, epochs);
        std::printf("   truncated BPTT, windows of 16 (> delay), stateful:  %6.2f%%\n", 100.0 * double(k16));
        const float k4 = truncated_bptt<4>(length, epochs);
        std::printf("   truncated BPTT, windows of 4 (< delay), stateful:   %6.2f%%\n", 100.0 * double(k4));
        const float full = full_bptt(opt.smoke ? 64 : 8'192 / T_full * 32, epochs);
        std::printf("   full BPTT over sequences of %zu:                    %6.2f%%\n", T_full, 100.0 * double(full));

        // The lesson map's target: the gradient-over-time plot, and each effect shown.
        const bool clipping_helps = raw.diverged || clipped.loss.back() < raw.loss.back();
        const bool shown = k16 > 0.95f && k4 < 0.5f && full > 0.95f && clipping_helps;
        char what[220];
        std::snprintf(what, sizeof what,
                      "windows longer than the delay learn it (%.1f%%), shorter ones cannot (%.1f%%), full BPTT "
                      "does (%.1f%%); the clipped run ends lower or the unclipped one diverges",
                      100.0 * double(k16), 100.0 * double(k4), 100.0 * double(full));
        return lesson::report_target(opt, shown, what);
    });
}
