// BatchNorm: gradients on every input rank in training, statistics and running
// estimates against a hand computation, evaluation on the running estimates, the
// fused normalisation + activation against the unfused one, buffers named and kept
// apart inside containers, and the batch-of-one error.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "support/gradient_check.hpp"
#include <typenet/kernels/parallel.hpp>

using namespace tn;
using testing::check_gradients;
using testing::GradientCheckOptions;

namespace {

// gamma and beta moved off 1 and 0, so that a backward which forgets gamma
// somewhere fails; a batch of 5 so that every channel has a variance to speak of.
GradientCheckOptions batch_norm_options() {
    GradientCheckOptions o;
    o.batch = 5;
    o.parameter_noise = 0.5f;
    return o;
}

// Per channel statistics of x [batch, ...] by hand, in double: channel_of(i) maps a
// flat index within one sample to its channel.
struct HandStats {
    std::vector<double> mean, biased_var;
    std::size_t count = 0;
};
template <class ChannelOf>
HandStats hand_stats(const std::vector<float>& x, std::size_t batch, std::size_t sample_size,
                     std::size_t channels, ChannelOf channel_of) {
    HandStats s{std::vector<double>(channels, 0), std::vector<double>(channels, 0), batch * sample_size / channels};
    for (std::size_t n = 0; n < batch; ++n)
        for (std::size_t i = 0; i < sample_size; ++i) s.mean[channel_of(i)] += x[n * sample_size + i];
    for (auto& m : s.mean) m /= double(s.count);
    for (std::size_t n = 0; n < batch; ++n)
        for (std::size_t i = 0; i < sample_size; ++i) {
            const double d = x[n * sample_size + i] - s.mean[channel_of(i)];
            s.biased_var[channel_of(i)] += d * d;
        }
    for (auto& v : s.biased_var) v /= double(s.count);
    return s;
}

std::vector<float> random_values(std::size_t n, std::uint64_t seed, float lo, float hi) {
    Rng rng{Seed{seed}};
    std::vector<float> v(n);
    for (float& f : v) f = rng.uniform(lo, hi);
    return v;
}

bool same_bits(std::span<const float> a, std::span<const float> b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("BatchNorm gradients in training: per feature, per position, per channel") {
    SUBCASE("[F]: over the batch (BatchNorm1d)") {
        CHECK_GRADIENTS((check_gradients<Sequential<Input<7>, BatchNorm<>>>(MSE{}, batch_norm_options())));
        // Wider than a vector, with a ragged tail of channels, then a Dense.
        CHECK_GRADIENTS((check_gradients<Sequential<Input<19>, BatchNorm<>, Dense<3>>>(MSE{}, batch_norm_options())));
    }
    SUBCASE("[T, F]: per feature over batch x T") {
        CHECK_GRADIENTS((check_gradients<Sequential<Input<3, 5>, BatchNorm<>>>(MSE{}, batch_norm_options())));
        // NoBias: BatchNorm subtracts the mean, so a bias before it has no gradient
        // at all, and a finite difference of nothing is rounding noise.
        CHECK_GRADIENTS((check_gradients<Sequential<Input<4, 3>, Dense<9, NoBias>, BatchNorm<>, Tanh>>(
            MSE{}, batch_norm_options())));
    }
    SUBCASE("[C, H, W]: per channel over batch x H x W (BatchNorm2d)") {
        // H x W = 9 and 4: a full vector plus a tail of one, and a run shorter than a vector.
        CHECK_GRADIENTS((check_gradients<Sequential<Input<2, 3, 3>, BatchNorm<>>>(MSE{}, batch_norm_options())));
        CHECK_GRADIENTS(
            (check_gradients<Sequential<Input<3, 2, 2>, BatchNorm<>, Flatten, Dense<2>>>(MSE{}, batch_norm_options())));
    }
    SUBCASE("fused with the activation that follows") {
        CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, BatchNorm<>, Sigmoid, Dense<3>>>(MSE{}, batch_norm_options())));
        CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, BatchNorm<>, GELU, Dense<3>>>(MSE{}, batch_norm_options())));
    }
    SUBCASE("several, inside Residual and Repeat: each reads its own statistics") {
        // Had two BatchNorms shared their buffers, the later forward would overwrite
        // the statistics the earlier one's backward reads: errors as large as the
        // gradients. Four normalisations in a row bend the loss more than one layer
        // does (a channel with a small batch variance is divided by it), so h = 1e-2
        // leaves truncation errors of up to 5x the tolerance on some seeds; they shrink
        // as h^2, which is how they were told from a mistake. Here h = 3e-3, with
        // the absolute tolerance raised to 1e-4 for the float rounding that grows as
        // 1/h: over seeds 1-8 the worst element uses 0.59 of it.
        using Net = Sequential<Input<6>, BatchNorm<>, Dense<6>, Residual<Dense<6, NoBias>, BatchNorm<>, Tanh>,
                               Repeat<2, Dense<6, NoBias>, BatchNorm<>, Tanh>, Dense<2>>;
        GradientCheckOptions o = batch_norm_options();
        o.batch = 8;
        o.step = 3e-3;
        o.absolute_tolerance = 1e-4;
        CHECK_GRADIENTS((check_gradients<Net>(MSE{}, o)));
    }
}

TEST_CASE("BatchNorm in training normalises with the batch's own statistics") {
    constexpr std::size_t batch = 6, F = 11;
    Model<Sequential<Input<F>, BatchNorm<>>> model{Seed{1}};
    auto gamma = model.parameter("0.weight").values;
    auto beta = model.parameter("0.bias").values;
    for (std::size_t c = 0; c < F; ++c) {
        gamma[c] = 0.5f + 0.1f * float(c);
        beta[c] = -0.3f + 0.05f * float(c);
    }
    // Features far from zero with a small spread: a one-pass sum of squares would lose it.
    std::vector<float> x = random_values(batch * F, 2, 99.f, 101.f);
    std::copy(x.begin(), x.end(), model.input(batch));
    auto y = model.forward(batch, true);
    const HandStats s = hand_stats(x, batch, F, F, [](std::size_t i) { return i; });
    for (std::size_t n = 0; n < batch; ++n)
        for (std::size_t c = 0; c < F; ++c) {
            const double expected =
                gamma[c] * (x[n * F + c] - s.mean[c]) / std::sqrt(s.biased_var[c] + 1e-5) + beta[c];
            CHECK(y[n * F + c] == doctest::Approx(expected).epsilon(1e-4));
        }
}

TEST_CASE("BatchNorm's running statistics follow PyTorch over two batches, and evaluation uses them") {
    SUBCASE("[F]") {
        constexpr std::size_t F = 5, batch = 4;
        Model<Sequential<Input<F>, BatchNorm<>>> model{Seed{1}};
        auto channel = [](std::size_t i) { return i; };
        std::vector<double> mean(F, 0.0), var(F, 1.0);  // PyTorch's initial values
        for (std::uint64_t step = 0; step < 2; ++step) {
            const std::vector<float> x = random_values(batch * F, 10 + step, -2.f + float(step), 3.f);
            std::copy(x.begin(), x.end(), model.input(batch));
            model.forward(batch, true);
            const HandStats s = hand_stats(x, batch, F, F, channel);
            for (std::size_t c = 0; c < F; ++c) {
                mean[c] = 0.9 * mean[c] + 0.1 * s.mean[c];
                var[c] = 0.9 * var[c] + 0.1 * s.biased_var[c] * double(s.count) / double(s.count - 1);
            }
        }
        const auto running_mean = model.named_buffers()[0].values;
        const auto running_var = model.named_buffers()[1].values;
        for (std::size_t c = 0; c < F; ++c) {
            CHECK(running_mean[c] == doctest::Approx(mean[c]).epsilon(1e-5));
            CHECK(running_var[c] == doctest::Approx(var[c]).epsilon(1e-5));
        }
        // Evaluation: x normalised by the running estimates, even for one sample.
        auto gamma = model.parameter("0.weight").values;
        auto beta = model.parameter("0.bias").values;
        for (std::size_t c = 0; c < F; ++c) {
            gamma[c] = 1.5f - 0.2f * float(c);
            beta[c] = 0.1f * float(c);
        }
        const std::vector<float> sample = random_values(F, 99, -1.f, 1.f);
        const auto y = model.predict(sample);
        for (std::size_t c = 0; c < F; ++c)
            CHECK(y[c] == doctest::Approx(gamma[c] * (sample[c] - mean[c]) / std::sqrt(var[c] + 1e-5) + beta[c])
                               .epsilon(1e-5));
        // And evaluation leaves them alone.
        CHECK(model.named_buffers()[0].values[0] == running_mean[0]);
    }
    SUBCASE("[C, H, W], with the option RunningMomentum<1, 4>") {
        constexpr std::size_t C = 3, HW = 10, batch = 2;  // 20 values per channel; runs of 8 + 2
        Model<Sequential<Input<C, 2, 5>, BatchNorm<RunningMomentum<1, 4>, Epsilon<1, 1000>>>> model{Seed{1}};
        auto channel = [](std::size_t i) { return i / HW; };
        std::vector<double> mean(C, 0.0), var(C, 1.0);
        for (std::uint64_t step = 0; step < 2; ++step) {
            const std::vector<float> x = random_values(batch * C * HW, 20 + step, -1.f, 4.f);
            std::copy(x.begin(), x.end(), model.input(batch));
            model.forward(batch, true);
            const HandStats s = hand_stats(x, batch, C * HW, C, channel);
            for (std::size_t c = 0; c < C; ++c) {
                mean[c] = 0.75 * mean[c] + 0.25 * s.mean[c];
                var[c] = 0.75 * var[c] + 0.25 * s.biased_var[c] * double(s.count) / double(s.count - 1);
            }
        }
        const auto buffers = model.named_buffers();
        REQUIRE(buffers.size() == 2);
        for (std::size_t c = 0; c < C; ++c) {
            CHECK(buffers[0].values[c] == doctest::Approx(mean[c]).epsilon(1e-5));
            CHECK(buffers[1].values[c] == doctest::Approx(var[c]).epsilon(1e-5));
        }
        const std::vector<float> sample = random_values(C * HW, 98, -1.f, 1.f);
        const auto y = model.predict(sample);
        for (std::size_t i = 0; i < C * HW; ++i)
            CHECK(y[i] == doctest::Approx((sample[i] - mean[channel(i)]) / std::sqrt(var[channel(i)] + 1e-3))
                              .epsilon(1e-5));
    }
}

TEST_CASE("BatchNorm's backward in evaluation: the statistics are constants") {
    // dx = gamma dy / sqrt(running_var + eps); dbeta = sum dy; dgamma = sum dy x^.
    constexpr std::size_t F = 3, batch = 4;
    Model<Sequential<Input<F>, BatchNorm<>>> model{Seed{1}};
    auto rm = model.named_buffers()[0].values;
    auto rv = model.named_buffers()[1].values;
    auto gamma = model.parameter("0.weight").values;
    for (std::size_t c = 0; c < F; ++c) {
        rm[c] = 0.2f * float(c);
        rv[c] = 0.5f + float(c);
        gamma[c] = 2.f - 0.5f * float(c);
    }
    const std::vector<float> x = random_values(batch * F, 5, -1.f, 1.f), dy = random_values(batch * F, 6, -1.f, 1.f);
    std::copy(x.begin(), x.end(), model.input(batch));
    model.forward(batch, false);
    std::vector<float> dx(batch * F);
    model.backward(dy.data(), dx.data());
    const auto grads = model.gradients();
    for (std::size_t c = 0; c < F; ++c) {
        const double s = 1.0 / std::sqrt(double(rv[c]) + 1e-5);
        double dgamma = 0, dbeta = 0;
        for (std::size_t n = 0; n < batch; ++n) {
            CHECK(dx[n * F + c] == doctest::Approx(gamma[c] * s * dy[n * F + c]).epsilon(1e-5));
            dgamma += dy[n * F + c] * (x[n * F + c] - rm[c]) * s;
            dbeta += dy[n * F + c];
        }
        CHECK(grads[c] == doctest::Approx(dgamma).epsilon(1e-5));
        CHECK(grads[F + c] == doctest::Approx(dbeta).epsilon(1e-5));
    }
}

namespace {
// BatchNorm + activation fused in one pass equals BatchNorm, Identity, activation
// bit for bit (see fusion_test.cpp for why bits): same normalisation code, and the
// activation applied lane by lane to the same value.
template <class In, class Activation, std::size_t Batch>
void check_batch_norm_fusion(bool training) {
    using Fused = Sequential<In, Dense<12>, BatchNorm<>, Activation, Dense<4>>;
    using Unfused = Sequential<In, Dense<12>, BatchNorm<>, Identity, Activation, Dense<4>>;
    Model<Fused> fused{Seed{3}};
    Model<Unfused> unfused{Seed{3}};
    REQUIRE(same_bits(fused.parameters(), unfused.parameters()));
    constexpr std::size_t in = Model<Fused>::input_size * Batch, out = Model<Fused>::output_size * Batch;
    const std::vector<float> x = random_values(in, 4, -2.f, 2.f), dy = random_values(out, 5, -1.f, 1.f);
    std::copy(x.begin(), x.end(), fused.input(Batch));
    std::copy(x.begin(), x.end(), unfused.input(Batch));
    const auto y_fused = fused.forward(Batch, training);
    const auto y_unfused = unfused.forward(Batch, training);
    CHECK(same_bits(y_fused, y_unfused));
    std::vector<float> dx_fused(in), dx_unfused(in);
    fused.backward(dy.data(), dx_fused.data());
    unfused.backward(dy.data(), dx_unfused.data());
    CHECK(same_bits(fused.gradients(), unfused.gradients()));
    CHECK(same_bits(dx_fused, dx_unfused));
    CHECK(same_bits(fused.buffers(), unfused.buffers()));
}
}  // namespace

TEST_CASE("BatchNorm + activation fused equals BatchNorm, Identity, activation") {
    for (bool training : {true, false}) {
        CAPTURE(training);
        check_batch_norm_fusion<Input<5>, ReLU, 7>(training);
        check_batch_norm_fusion<Input<5>, GELU, 7>(training);  // stores the normalised values too
        check_batch_norm_fusion<Input<3, 5>, Tanh, 4>(training);
    }
    // Fusion is what the chain picks for BatchNorm followed by an activation.
    static_assert(detail::fuses<BatchNorm<>::bind<Shape<5>>, ReLU::bind<Shape<5>>>());
    static_assert(!detail::fuses<BatchNorm<>::bind<Shape<5>>, Dropout<>::bind<Shape<5>>>());
}

TEST_CASE("BatchNorm's buffers are named as PyTorch names them, one set per layer") {
    using Net = Sequential<Input<4>, Dense<6>, BatchNorm<>, Residual<Dense<6>, BatchNorm<>>,
                           Repeat<2, Dense<6>, BatchNorm<>>, Dense<2>>;
    Model<Net> model{Seed{1}};
    const auto buffers = model.named_buffers();
    const std::vector<std::string> expected = {
        "1.running_mean",           "1.running_var",
        "2.1.running_mean",  "2.1.running_var",
        "3.0.1.running_mean", "3.0.1.running_var",
        "3.1.1.running_mean", "3.1.1.running_var"};
    REQUIRE(buffers.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(buffers[i].name == expected[i]);
        CHECK(buffers[i].shape == std::vector<std::size_t>{6});
        CHECK(buffers[i].gradients.empty());
        // Each inside the arena and after the previous one: no two overlap.
        CHECK(buffers[i].values.data() + 6 <= model.buffers().data() + model.buffers().size());
        if (i) CHECK(buffers[i].values.data() >= buffers[i - 1].values.data() + 6);
    }
    // Initial values: running_mean 0, running_var 1; the parameters gamma 1, beta 0.
    for (const auto& b : buffers)
        for (float v : b.values) CHECK(v == (b.name.ends_with("running_var") ? 1.f : 0.f));
    for (float v : model.parameter("1.weight").values) CHECK(v == 1.f);
    for (float v : model.parameter("1.bias").values) CHECK(v == 0.f);

    // Training moves them; initialize() puts them back.
    float* x = model.input(3);
    for (std::size_t i = 0; i < 12; ++i) x[i] = float(i) * 0.3f - 1.f;
    model.forward(3, true);
    CHECK(buffers[3].values[0] != 1.f);
    model.initialize(Seed{1});
    for (const auto& b : buffers)
        for (float v : b.values) CHECK(v == (b.name.ends_with("running_var") ? 1.f : 0.f));
}

TEST_CASE("BatchNorm refuses to train on one value per channel, naming itself") {
    Model<Sequential<Input<4>, BatchNorm<>>> flat{Seed{1}};
    std::fill_n(flat.input(1), 4, 0.5f);
    CHECK_THROWS_WITH_AS(flat.forward(1, true),
                         doctest::Contains("BatchNorm on [4]: training needs more than one value per channel"),
                         std::invalid_argument);
    CHECK_NOTHROW(flat.forward(1, false));  // evaluation uses the running statistics
    // On a sequence one sample has T values per feature: enough.
    Model<Sequential<Input<3, 4>, BatchNorm<>>> sequence{Seed{1}};
    std::fill_n(sequence.input(1), 12, 0.5f);
    CHECK_NOTHROW(sequence.forward(1, true));
}

TEST_CASE("BatchNorm's shape rule and options, at compile time") {
    static_assert(BatchNorm<>::bind<Shape<3, 4, 4>>::channels == 3);  // [C, H, W]: the first axis
    static_assert(BatchNorm<>::bind<Shape<7, 5>>::channels == 5);     // [T, F]: the last axis
    static_assert(BatchNorm<>::bind<Shape<7, 5>>::param_count == 10);
    static_assert(BatchNorm<>::momentum == 0.1 && BatchNorm<>::epsilon == 1e-5);
    static_assert(BatchNorm<Epsilon<1, 1000>>::epsilon == 1e-3 && BatchNorm<Epsilon<1, 1000>>::momentum == 0.1);
    static_assert(Sequential<Input<8>, BatchNorm<>>::param_count == 16);
    CHECK(buffer_count_of<Sequential<Input<8>, Dense<3>, BatchNorm<>>>() == 4 * 3);
}

TEST_CASE("BatchNorm gives the same bits on one thread and on two") {
    // 8 x 24 x 24 per sample, batch 16: large enough that channels are split between threads.
    using Net = Sequential<Input<8, 24, 24>, BatchNorm<>, ReLU, Flatten, Dense<3>>;
    constexpr std::size_t batch = 16, in = 8 * 24 * 24 * batch;
    const std::vector<float> x = random_values(in, 7, -1.f, 3.f), dy = random_values(3 * batch, 8, -1.f, 1.f);
    auto run = [&](int thread_count, std::vector<float>& y, std::vector<float>& grads, std::vector<float>& dx) {
        const int previous = threads();
        set_threads(thread_count);
        Model<Net> model{Seed{9}};
        std::copy(x.begin(), x.end(), model.input(batch));
        const auto out = model.forward(batch, true);
        y.assign(out.begin(), out.end());
        dx.resize(in);
        model.backward(dy.data(), dx.data());
        grads.assign(model.gradients().begin(), model.gradients().end());
        set_threads(previous);
    };
    std::vector<float> y1, g1, dx1, y2, g2, dx2;
    run(1, y1, g1, dx1);
    run(2, y2, g2, dx2);
    CHECK(same_bits(y1, y2));
    CHECK(same_bits(g1, g2));
    CHECK(same_bits(dx1, dx2));
}
