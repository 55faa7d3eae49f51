// What the recurrent layers' tests share: a naive reference of each cell written from
// PyTorch's equations (a loop over time, in double, nothing shared with the layers'
// code), and a finite-difference check of a bound layer called directly, for what
// the model-level check (tests/support/gradient_check.hpp) cannot set up: a
// non-zero starting state (Stateful's second call).
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <typenet/typenet.hpp>

namespace tn::testing {

enum class Cell { Rnn, Lstm, Gru };

inline std::size_t gates_of(Cell c) { return c == Cell::Rnn ? 1 : c == Cell::Lstm ? 4 : 3; }
inline std::size_t state_of(Cell c, std::size_t H) { return c == Cell::Lstm ? 2 * H : H; }

struct ReferenceRun {
    std::vector<double> outputs;  // [T, H], 0 past the length
    std::vector<double> last;     // the state at position length-1: h (and c)
};

// One sample x [T, D] of `length` real steps, parameters in PyTorch's layout
// (weight_ih [G H, D], weight_hh [G H, H], bias_ih, bias_hh), starting from `start`
// (S floats; empty: zeros).
inline ReferenceRun reference_run(Cell cell, const float* params, std::size_t T, std::size_t D, std::size_t H,
                                  const float* x, std::size_t length, const std::vector<float>& start = {}) {
    const std::size_t G = gates_of(cell);
    const float* w_ih = params;
    const float* w_hh = w_ih + G * H * D;
    const float* b_ih = w_hh + G * H * H;
    const float* b_hh = b_ih + G * H;
    std::vector<double> h(H, 0.0), c(H, 0.0);
    for (std::size_t k = 0; k < H && !start.empty(); ++k) {
        h[k] = start[k];
        if (cell == Cell::Lstm) c[k] = start[H + k];
    }
    auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
    ReferenceRun r{std::vector<double>(T * H, 0.0), {}};
    for (std::size_t t = 0; t < length; ++t) {
        // a[g] = W_ih x_t + b_ih, b[g] = W_hh h + b_hh, per gate row g.
        std::vector<double> a(G * H), b(G * H);
        for (std::size_t g = 0; g < G * H; ++g) {
            double sa = b_ih[g], sb = b_hh[g];
            for (std::size_t d = 0; d < D; ++d) sa += double(w_ih[g * D + d]) * x[t * D + d];
            for (std::size_t k = 0; k < H; ++k) sb += double(w_hh[g * H + k]) * h[k];
            a[g] = sa;
            b[g] = sb;
        }
        std::vector<double> next(H);
        for (std::size_t k = 0; k < H; ++k) {
            if (cell == Cell::Rnn) {
                next[k] = std::tanh(a[k] + b[k]);
            } else if (cell == Cell::Lstm) {
                const double i = sig(a[k] + b[k]), f = sig(a[H + k] + b[H + k]);
                const double g = std::tanh(a[2 * H + k] + b[2 * H + k]), o = sig(a[3 * H + k] + b[3 * H + k]);
                c[k] = f * c[k] + i * g;
                next[k] = o * std::tanh(c[k]);
            } else {
                const double rr = sig(a[k] + b[k]), z = sig(a[H + k] + b[H + k]);
                const double n = std::tanh(a[2 * H + k] + rr * b[2 * H + k]);
                next[k] = (1 - z) * n + z * h[k];
            }
        }
        h = next;
        std::copy(h.begin(), h.end(), r.outputs.begin() + std::ptrdiff_t(t * H));
    }
    r.last = h;
    if (cell == Cell::Lstm) r.last.insert(r.last.end(), c.begin(), c.end());
    return r;
}

// Finite differences on a bound layer L called directly, for the loss
// sum(y * weights), with the state arena set to `start` before every forward.
// Tolerances as tests/support/gradient_check.hpp's (its header says why).
struct LayerGradientCheck {
    std::size_t checked = 0;
    double worst_ratio = 0;
    std::string worst = "(nothing checked)";
    double largest = 0;
    bool passed() const { return checked > 0 && worst_ratio <= 1.0 && largest > 0; }
};

template <class L>
LayerGradientCheck check_layer_gradients(std::vector<float> params, std::vector<float> x,
                                         const std::vector<float>& weights, std::size_t batch,
                                         const std::vector<std::uint32_t>& lengths,
                                         const std::vector<float>& start_state) {
    const std::size_t S = state_size_of<L>();
    std::vector<float> cache(std::max<std::size_t>(1, cache_size_of<L>() * batch));
    std::vector<float> workspace(std::max<std::size_t>(1, workspace_size_of<L>() * batch));
    std::vector<float> y(L::output_shape::size * batch), state(std::max<std::size_t>(1, S * batch));
    Pass p{.batch = batch, .training = true};
    p.lengths = lengths.empty() ? nullptr : lengths.data();
    p.state = S ? state.data() : nullptr;
    p.state_stride = S;
    auto loss = [&] {
        if (S) std::copy(start_state.begin(), start_state.end(), state.begin());
        L::forward(p, params.data(), x.data(), y.data(), cache.data(), workspace.data());
        double s = 0;
        for (std::size_t i = 0; i < y.size(); ++i) s += double(y[i]) * weights[i];
        return s;
    };
    loss();
    std::vector<float> dparams(params.size()), dx(x.size());
    L::backward(p, params.data(), x.data(), y.data(), weights.data(), dx.data(), dparams.data(), cache.data(),
                workspace.data());
    LayerGradientCheck r;
    auto compare = [&](const std::string& name, double analytic, float& v) {
        const float saved = v;
        v = float(double(saved) + 1e-2);
        const double up = v, l_up = loss();
        v = float(double(saved) - 1e-2);
        const double down = v, l_down = loss();
        v = saved;
        const double numeric = (l_up - l_down) / (up - down);
        const double ratio = std::abs(analytic - numeric) / (3e-5 + 1e-2 * std::max(std::abs(analytic), std::abs(numeric)));
        ++r.checked;
        r.largest = std::max(r.largest, std::abs(analytic));
        if (ratio > r.worst_ratio) {
            r.worst_ratio = ratio;
            r.worst = name + ": backward " + std::to_string(analytic) + ", finite difference " + std::to_string(numeric);
        }
    };
    for (std::size_t i = 0; i < params.size(); ++i) compare("param " + std::to_string(i), dparams[i], params[i]);
    for (std::size_t i = 0; i < x.size(); ++i) compare("input " + std::to_string(i), dx[i], x[i]);
    return r;
}

inline std::vector<float> uniform_values(std::size_t n, std::uint64_t seed, float range = 1.f) {
    Rng rng{Seed{seed}};
    std::vector<float> v(n);
    for (float& f : v) f = rng.uniform(-range, range);
    return v;
}

// A model of one recurrent layer Spec (over [T, D], hidden H) against the reference,
// sample by sample, with lengths: every output ([T, H], or [H] with LastState) and,
// for a Stateful layer, the state it leaves for the next call, over two calls.
template <class Spec, std::size_t T, std::size_t D, std::size_t H>
void check_forward_against_reference(Cell cell, std::uint64_t seed) {
    using M = Model<Sequential<Input<T, D>, Spec>>;
    constexpr bool last_state = std::is_same_v<typename M::output_shape, Shape<H>>;
    constexpr bool stateful = M::state_size > 0;
    const std::size_t B = 3, S = state_of(cell, H);
    M model{Seed{seed}};
    const std::vector<float> params(model.parameters().begin(), model.parameters().end());
    const std::vector<std::uint32_t> lengths{std::uint32_t(T), 2, 1};
    std::vector<std::vector<float>> state(B);
    for (int call = 0; call < (stateful ? 2 : 1); ++call) {
        const std::vector<float> x = uniform_values(B * T * D, seed + 10 + std::uint64_t(call), 1.5f);
        std::copy(x.begin(), x.end(), model.input(B));
        std::copy(lengths.begin(), lengths.end(), model.lengths(B));
        const auto y = model.forward(B);
        for (std::size_t b = 0; b < B; ++b) {
            const ReferenceRun r = reference_run(cell, params.data(), T, D, H, x.data() + b * T * D, lengths[b], state[b]);
            if (last_state) {
                for (std::size_t k = 0; k < H; ++k) CHECK(y[b * H + k] == doctest::Approx(r.last[k]).epsilon(1e-5));
            } else {
                for (std::size_t i = 0; i < T * H; ++i)
                    CHECK(y[b * T * H + i] == doctest::Approx(r.outputs[i]).epsilon(1e-5));
            }
            if (stateful) state[b].assign(r.last.begin(), r.last.begin() + std::ptrdiff_t(S));
        }
    }
}

}  // namespace tn::testing
