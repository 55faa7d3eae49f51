// Finite-difference gradient checks (design decision 8).
//
//   auto r = check_gradients<Sequential<Input<4>, Dense<3>, Tanh>>(MSE{});
//   CHECK_GRADIENTS(r);   // fails naming the worst element, e.g. 0.weight[2, 1]
//
// For a network type and a loss, with a seeded random input batch and targets, it
// compares what Model::backward computes (every parameter, and the input through
// Model::backward's d_input) with the central difference
//     (L(v + h) - L(v - h)) / ((v + h) - (v - h))
// of the real loss, recomputed by a full forward after perturbing one float v.
//
// Why these numbers, for float32:
// - The denominator is the difference of the two perturbed floats as actually
//   stored, taken in double, so the rounding of v +- h to float costs nothing.
// - Every reduction inside the losses runs in double, but the forward is float:
//   each recomputed loss carries float rounding of ~1e-7 relative, which the
//   central difference divides by 2h, while its truncation error grows as
//   h^2/6 * |f'''|. Measured over this suite's networks (gradients of 1e-4 to 2):
//   with h = 1e-2 the worst |backward - numeric| is 2.1e-5 (Repeat of residual
//   blocks; typically 2e-6 to 8e-6); with h = 3e-3 it is 3.5e-5 and with h = 1e-3
//   2.3e-4, rounding dominating. So h = 1e-2.
// - A value passes when |backward - numeric| <= atol + rtol * max(|backward|, |numeric|)
//   with rtol = 1e-2 and atol = 3e-5: the worst element measured uses 0.40 of
//   that. A real mistake (a missing factor, a wrong sign, 5% off) on any gradient
//   above ~1e-3 exceeds it; the checker's own test shows one failing by > 2x.
// - Kinks (ReLU at 0, hinge at margin 1) are where no derivative exists: inputs are
//   drawn at least `kink_distance` (> h) away from the `kinks` the test names.
// - The loss checked is the model's whole training loss: the data loss plus the
//   weight penalties (Model::penalty(), with `regularization` set on the model), and
//   backward's gradients include the penalties' (Model::add_penalty()).
// - Every forward starts from the same state of the model's generator, so a
//   stochastic layer (Dropout) draws the same mask each time and is checked as the
//   fixed function it is for that mask.
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <typenet/typenet.hpp>

namespace tn::testing {

struct GradientCheckOptions {
    std::size_t batch = 3;
    std::uint64_t seed = 1;
    double step = 1e-2;
    double relative_tolerance = 1e-2;
    double absolute_tolerance = 3e-5;
    float input_range = 1.f;          // inputs uniform in [-range, range]
    std::vector<float> kinks{};       // input values the loss or a layer is not differentiable at
    float kink_distance = 0.05f;      // how far inputs stay from every kink
    Regularization regularization{};  // the model's run-time penalties (set_regularization)
    float parameter_noise = 0.f;      // adds U(-noise, noise) to every parameter after initialisation,
                                      // so that none sits at a special value (BatchNorm's gamma = 1)
    // Sequences: each sample's length (one per sample of the batch; empty: all full).
    // A per-position target past a sample's length is TokenCrossEntropy's ignore id.
    std::vector<std::uint32_t> lengths{};
};

struct GradientCheckResult {
    std::size_t checked = 0;
    double worst_ratio = 0;  // error / tolerance of the worst element: <= 1 passes
    double worst_error = 0;
    std::string worst_name = "(nothing checked)";
    double worst_analytic = 0, worst_numeric = 0;
    double largest_gradient = 0;  // a check of all-zero gradients proves nothing

    bool passed() const { return checked > 0 && worst_ratio <= 1.0 && largest_gradient > 0; }
    std::string describe() const {
        std::ostringstream s;
        s.precision(6);
        s << checked << " gradient values checked; worst " << worst_name << ": backward " << worst_analytic
          << ", finite difference " << worst_numeric << " (error " << worst_error << ", " << worst_ratio
          << " of the tolerance); largest |gradient| " << largest_gradient;
        return s.str();
    }
};

// "0.weight[2, 1]": an element of a tensor of the given shape, by flat index.
inline std::string element_name(const std::string& tensor, const std::vector<std::size_t>& shape, std::size_t flat) {
    std::vector<std::size_t> index(shape.size());
    for (std::size_t d = shape.size(); d-- > 0;) {
        index[d] = flat % shape[d];
        flat /= shape[d];
    }
    std::string s = tensor + "[";
    for (std::size_t d = 0; d < index.size(); ++d) s += (d ? ", " : "") + std::to_string(index[d]);
    return s + "]";
}

// Targets each loss accepts, drawn from rng: values for MSE, probabilities for the
// cross-entropies, 0/1 labels for hinge, class indices for softmax cross-entropy.
template <class Loss, class Out>
std::vector<float> random_targets(Rng& rng, std::size_t batch, const std::vector<std::uint32_t>& lengths = {}) {
    constexpr std::size_t width = Loss::template target_width<Out>;
    std::vector<float> t(width * batch);
    for (std::size_t i = 0; i < t.size(); ++i) {
        float& v = t[i];
        if constexpr (std::is_same_v<Loss, TokenCrossEntropy>)
            v = !lengths.empty() && i % width >= lengths[i / width] ? TokenCrossEntropy::ignore_id
                                                                     : float(rng.below(TokenCrossEntropy::classes<Out>));
        else if constexpr (std::is_same_v<Loss, SoftmaxCrossEntropy>)
            v = float(rng.below(SoftmaxCrossEntropy::classes<Out>));
        else if constexpr (std::is_same_v<Loss, Hinge>)
            v = float(rng.below(2));
        else if constexpr (std::is_same_v<Loss, BinaryCrossEntropy> ||
                           std::is_same_v<Loss, BinaryCrossEntropyWithLogits>)
            v = rng.uniform(0.05f, 0.95f);
        else
            v = rng.uniform(-1.f, 1.f);
    }
    Loss::template check_targets<Out>(t.data(), batch);
    return t;
}

// Uniform in [-range, range], redrawn while closer than kink_distance to a kink.
inline std::vector<float> random_inputs(Rng& rng, std::size_t count, const GradientCheckOptions& o) {
    std::vector<float> x(count);
    for (float& v : x) {
        auto near_kink = [&] {
            return std::any_of(o.kinks.begin(), o.kinks.end(),
                               [&](float k) { return std::abs(v - k) < o.kink_distance; });
        };
        do v = rng.uniform(-o.input_range, o.input_range);
        while (near_kink());
    }
    return x;
}

template <class Net, class Loss>
GradientCheckResult check_gradients(const Loss&, const GradientCheckOptions& o = {}) {
    using M = Model<Net>;
    using Out = typename M::output_shape;
    const std::size_t n = o.batch;
    M model{Seed{o.seed}};
    model.set_regularization(o.regularization);
    const Rng generator_at_start = model.rng();
    Rng rng{Seed{o.seed ^ 0x5eedULL}};
    if (o.parameter_noise > 0.f)
        for (float& p : model.parameters()) p += rng.uniform(-o.parameter_noise, o.parameter_noise);
    // Token ids are not differentiable: drawn from the vocabulary, never perturbed.
    std::vector<float> x = random_inputs(rng, M::input_size * n, o);
    if constexpr (M::token_input)
        for (float& v : x) v = float(rng.below(M::token_limit));
    const std::vector<float> targets = random_targets<Loss, Out>(rng, n, o.lengths);
    REQUIRE((o.lengths.empty() || o.lengths.size() == n));
    auto load_batch = [&] {
        std::copy(x.begin(), x.end(), model.input(n));
        if (!o.lengths.empty()) std::copy(o.lengths.begin(), o.lengths.end(), model.lengths(n));
        model.reset_state();
        model.rng() = generator_at_start;
    };

    auto loss_at = [&] {
        load_batch();
        auto y = model.forward(n, true);
        return double(Loss::template compute<Out>(y.data(), targets.data(), nullptr, n)) + double(model.penalty());
    };

    // What backward says.
    load_batch();
    auto y = model.forward(n, true);
    std::vector<float> d_output(y.size()), d_input(x.size());
    Loss::template compute<Out>(y.data(), targets.data(), d_output.data(), n);
    model.backward(d_output.data(), d_input.data());
    model.add_penalty();
    const std::vector<float> d_params(model.gradients().begin(), model.gradients().end());

    GradientCheckResult r;
    auto compare = [&](const std::string& name, double analytic, float& value) {
        const float saved = value;
        value = static_cast<float>(double(saved) + o.step);
        const double up = value, loss_up = loss_at();
        value = static_cast<float>(double(saved) - o.step);
        const double down = value, loss_down = loss_at();
        value = saved;
        const double numeric = (loss_up - loss_down) / (up - down);
        const double error = std::abs(analytic - numeric);
        const double ratio =
            error / (o.absolute_tolerance + o.relative_tolerance * std::max(std::abs(analytic), std::abs(numeric)));
        ++r.checked;
        r.largest_gradient = std::max(r.largest_gradient, std::abs(analytic));
        if (ratio > r.worst_ratio || r.checked == 1) {
            r.worst_ratio = ratio;
            r.worst_error = error;
            r.worst_name = name;
            r.worst_analytic = analytic;
            r.worst_numeric = numeric;
        }
    };

    std::size_t offset = 0;
    for (auto& t : model.named_parameters()) {
        for (std::size_t k = 0; k < t.values.size(); ++k)
            compare(element_name(t.name, t.shape, k), d_params[offset + k], t.values[k]);
        offset += t.values.size();
    }
    std::vector<std::size_t> input_dims{n};
    for (auto d : M::input_shape::dims) input_dims.push_back(d);
    if constexpr (!M::token_input)
        for (std::size_t k = 0; k < x.size(); ++k) compare(element_name("input", input_dims, k), d_input[k], x[k]);
#ifdef TN_GRADIENT_CHECK_VERBOSE  // how close every check comes to its tolerance
    MESSAGE(r.describe());
#endif
    return r;
}

}  // namespace tn::testing

// Fails with the worst element named: its backward and finite-difference values.
#define CHECK_GRADIENTS(result)                                 \
    do {                                                        \
        const ::tn::testing::GradientCheckResult& tn_r_ = (result); \
        CHECK_MESSAGE(tn_r_.passed(), tn_r_.describe());        \
    } while (false)
