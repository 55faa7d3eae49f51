// Finite-difference gradients of a bound layer that reads memory (core/layer.hpp's
// contract), called directly: the input x [T, D], the memory [S, Dm] and the
// parameters are each perturbed, with lengths on both sides (Pass::lengths for the
// queries, Pass::memory_lengths for the memory). The loss is a fixed random linear
// function of the output at real positions, L = sum w . y, differentiated by the
// central difference with h = 1e-2 (support/gradient_check.hpp says why). Also
// checked: the memory gradient is ADDED into Pass::memory_grad, and is exactly 0 at padded memory rows.
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <typenet/core/layer.hpp>
#include <typenet/core/rng.hpp>

namespace tn::testing {

struct MemoryProblem {
    std::size_t batch = 3;
    std::vector<float> params, x, memory, w;
    std::vector<std::uint32_t> lengths, memory_lengths;
};

template <class L>
Pass memory_pass(const MemoryProblem& pr, std::size_t S, std::size_t Dm) {
    Pass p{.batch = pr.batch, .training = true};
    p.lengths = pr.lengths.data();
    p.memory = pr.memory.data();
    p.memory_stride = S * Dm;
    p.memory_lengths = pr.memory_lengths.data();
    return p;
}

template <class L, std::size_t S, std::size_t Dm>
double memory_layer_loss(const MemoryProblem& pr, std::vector<float>& cache, std::vector<float>& workspace) {
    std::vector<float> y(pr.batch * L::output_shape::size);
    L::forward(memory_pass<L>(pr, S, Dm), pr.params.data(), pr.x.data(), y.data(), cache.data(), workspace.data());
    double s = 0;
    for (std::size_t i = 0; i < y.size(); ++i) s += double(pr.w[i]) * y[i];
    return s;
}

// lengths / memory_lengths: one per sample of a batch of 3.
template <class L, std::size_t S, std::size_t Dm>
void check_memory_layer_gradients(std::vector<std::uint32_t> lengths, std::vector<std::uint32_t> memory_lengths,
                                  float parameter_scale = 1.f, double absolute_tolerance = 3e-5) {
    constexpr float bias_noise = 0.2f;  // every parameter off its initial constant
    constexpr std::size_t T = L::input_shape::dims[0], D = L::input_shape::dims[1];
    Rng rng{Seed{11}};
    MemoryProblem pr;
    pr.params.resize(L::param_count + 1);
    L::init(pr.params.data(), rng);
    for (std::size_t i = 0; i < L::param_count; ++i)
        pr.params[i] = pr.params[i] * parameter_scale + rng.uniform(-bias_noise, bias_noise);
    pr.x.resize(pr.batch * T * D);
    pr.memory.resize(pr.batch * S * Dm);
    pr.w.resize(pr.batch * L::output_shape::size);
    for (auto& v : pr.x) v = rng.uniform(-1.f, 1.f);
    for (auto& v : pr.memory) v = rng.uniform(-1.f, 1.f);
    for (auto& v : pr.w) v = rng.uniform(-1.f, 1.f);
    pr.lengths = lengths;
    pr.memory_lengths = memory_lengths;
    // The loss reads real positions only (as the losses do: 0 gradient at padding).
    constexpr std::size_t width = L::output_shape::size / T;
    for (std::size_t b = 0; b < pr.batch; ++b)
        for (std::size_t t = lengths[b]; t < T; ++t) std::fill_n(pr.w.begin() + std::ptrdiff_t((b * T + t) * width), width, 0.f);

    std::vector<float> cache(pr.batch * L::cache_size + 1), workspace(pr.batch * L::workspace_size + 1);
    std::vector<float> y(pr.batch * L::output_shape::size);
    Pass p = memory_pass<L>(pr, S, Dm);
    L::forward(p, pr.params.data(), pr.x.data(), y.data(), cache.data(), workspace.data());
    // The memory gradient is accumulated: start it at 1 and subtract 1 afterwards.
    std::vector<float> dx(pr.x.size()), dparams(L::param_count + 1), dmemory(pr.memory.size(), 1.f);
    p.memory_grad = dmemory.data();
    L::backward(p, pr.params.data(), pr.x.data(), y.data(), pr.w.data(), dx.data(), dparams.data(), cache.data(),
                workspace.data());
    for (auto& v : dmemory) v -= 1.f;
    for (std::size_t b = 0; b < pr.batch; ++b)
        for (std::size_t s = memory_lengths[b]; s < S; ++s)
            for (std::size_t d = 0; d < Dm; ++d) CHECK(dmemory[(b * S + s) * Dm + d] == 0.f);

    double largest = 0, worst = 0;
    std::string worst_name;
    const auto check = [&](std::vector<float>& values, const std::vector<float>& analytic, const char* what,
                           std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            const float v = values[i];
            const float up = v + 1e-2f, down = v - 1e-2f;
            values[i] = up;
            const double lu = memory_layer_loss<L, S, Dm>(pr, cache, workspace);
            values[i] = down;
            const double ld = memory_layer_loss<L, S, Dm>(pr, cache, workspace);
            values[i] = v;
            const double numeric = (lu - ld) / (double(up) - double(down));
            const double err = std::abs(numeric - analytic[i]);
            const double ratio = err / (absolute_tolerance + 1e-2 * std::max(std::abs(numeric), std::abs(double(analytic[i]))));
            largest = std::max(largest, std::abs(double(analytic[i])));
            if (ratio > worst) {
                worst = ratio;
                worst_name = std::string(what) + "[" + std::to_string(i) + "] backward " +
                             std::to_string(analytic[i]) + " numeric " + std::to_string(numeric);
            }
        }
    };
    check(pr.x, dx, "input", pr.x.size());
    check(pr.memory, dmemory, "memory", pr.memory.size());
    check(pr.params, dparams, "params", L::param_count);
    INFO(L::name(), ": worst ", worst_name);
    CHECK(worst <= 1.0);
    CHECK(largest > 1e-3);
}

}  // namespace tn::testing
