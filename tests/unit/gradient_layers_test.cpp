// Finite-difference gradient checks of every layer (design decision 8): each
// layer alone on its input (the input gradient), and after a Dense (where the
// chain fuses Dense + activation into one GEMM epilogue). The checker itself is
// tested first: it must catch a backward that is slightly wrong.
#include <doctest/doctest.h>

#include "support/gradient_check.hpp"

using namespace tn;
using testing::check_gradients;
using testing::GradientCheckOptions;

namespace {

// A tanh whose backward is off by 5%: a plausible slip (a wrong constant) that a
// gradient check has to catch.
struct SlightlyWrongTanh : Elementwise<SlightlyWrongTanh> {
    static std::string name() { return "SlightlyWrongTanh"; }
    static constexpr bool from_output = true;
    template <class V> static V forward(V x) { return xsimd::tanh(x); }
    template <class V> static V backward(V, V y, V dy) { return dy * (V(1.f) - y * y) * V(1.05f); }
};

// ReLU, LeakyReLU, ELU and SELU bend at 0: keep inputs away from it.
GradientCheckOptions away_from_zero() {
    GradientCheckOptions o;
    o.kinks = {0.f};
    return o;
}

template <class Activation>
void check_activation_alone(const GradientCheckOptions& o = {}) {
    CHECK_GRADIENTS((check_gradients<Sequential<Input<7>, Activation>>(MSE{}, o)));
    // On a sequence, and with 2.5x wider inputs, where the exponentials saturate.
    GradientCheckOptions wide = o;
    wide.input_range = 2.5f;
    CHECK_GRADIENTS((check_gradients<Sequential<Input<3, 5>, Activation>>(MSE{}, wide)));
}

}  // namespace

TEST_CASE("the gradient checker catches a backward that is 5% wrong") {
    const auto wrong = check_gradients<Sequential<Input<6>, Dense<4>, SlightlyWrongTanh>>(MSE{});
    CHECK_FALSE(wrong.passed());
    CHECK(wrong.worst_ratio > 2.0);  // not a near miss
    const auto right = check_gradients<Sequential<Input<6>, Dense<4>, Tanh>>(MSE{});
    CHECK_GRADIENTS(right);
    CHECK(right.checked == (6 * 4 + 4) + 3 * 6);  // every parameter and every input value
}

TEST_CASE("Dense gradients: weights, bias and input") {
    SUBCASE("with bias, flat input") { CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Dense<4>>>(MSE{}))); }
    SUBCASE("without bias") {
        CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Dense<4, NoBias>>>(MSE{})));
    }
    SUBCASE("on a sequence [T, D]: every position shares the weights") {
        CHECK_GRADIENTS((check_gradients<Sequential<Input<5, 6>, Dense<4>>>(MSE{})));
        CHECK_GRADIENTS((check_gradients<Sequential<Input<5, 6>, Dense<3, NoBias>>>(MSE{})));
    }
    SUBCASE("wider than one SIMD vector, with a ragged tail") {
        CHECK_GRADIENTS((check_gradients<Sequential<Input<19>, Dense<21>>>(MSE{})));
    }
    SUBCASE("two in a row (the second one's input gradient flows into the first)") {
        CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Dense<5>, Dense<3>>>(MSE{})));
    }
}

TEST_CASE("smooth activations: alone and fused after Dense") {
    SUBCASE("Sigmoid") {
        check_activation_alone<Sigmoid>();
        CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Dense<5>, Sigmoid>>(MSE{})));
    }
    SUBCASE("Tanh") {
        check_activation_alone<Tanh>();
        CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Dense<5>, Tanh>>(MSE{})));
    }
    SUBCASE("GELU (its fused form also stores the pre-activation)") {
        check_activation_alone<GELU>();
        CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Dense<5>, GELU>>(MSE{})));
        CHECK_GRADIENTS((check_gradients<Sequential<Input<4, 6>, Dense<5>, GELU>>(MSE{})));
    }
    SUBCASE("GELUTanh (GPT-2's gelu_new; fused, it stores the pre-activation as GELU does)") {
        check_activation_alone<GELUTanh>();
        CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Dense<5>, GELUTanh>>(MSE{})));
        CHECK_GRADIENTS((check_gradients<Sequential<Input<4, 6>, Dense<5>, GELUTanh>>(MSE{})));
    }
    SUBCASE("Identity") {
        check_activation_alone<Identity>();
        CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Dense<5>, Identity>>(MSE{})));
    }
}

TEST_CASE("activations with a kink at 0, checked away from it") {
    SUBCASE("ReLU") { check_activation_alone<ReLU>(away_from_zero()); }
    SUBCASE("LeakyReLU, default and steep slopes") {
        check_activation_alone<LeakyReLU<>>(away_from_zero());
        check_activation_alone<LeakyReLU<1, 4>>(away_from_zero());
    }
    SUBCASE("ELU, alpha 1 and 1/2") {
        check_activation_alone<ELU<>>(away_from_zero());
        check_activation_alone<ELU<1, 2>>(away_from_zero());
    }
    SUBCASE("SELU") { check_activation_alone<SELU>(away_from_zero()); }
}

TEST_CASE("Softmax over the last axis") {
    check_activation_alone<Softmax>();
    CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Dense<5>, Softmax>>(MSE{})));
    // Per position of a sequence: rows are independent.
    CHECK_GRADIENTS((check_gradients<Sequential<Input<4, 6>, Dense<5>, Softmax>>(BinaryCrossEntropy{})));
}

TEST_CASE("Flatten passes gradients back in the input's layout") {
    CHECK_GRADIENTS((check_gradients<Sequential<Input<2, 3, 2>, Flatten>>(MSE{})));
    CHECK_GRADIENTS((check_gradients<Sequential<Input<2, 3, 2>, Flatten, Dense<4>>>(MSE{})));
}

TEST_CASE("Step is straight-through: backward passes dy unchanged") {
    // Step's true derivative is 0 almost everywhere; the perceptron rule needs the
    // gradient passed through instead, so compare with dy, not with differences.
    using Net = Sequential<Input<3, 4>, Step>;
    Model<Net> model{Seed{2}};
    Rng rng{Seed{3}};
    constexpr std::size_t batch = 5, size = 12 * batch;
    float* x = model.input(batch);
    std::vector<float> dy(size), dx(size, -7.f);
    for (std::size_t i = 0; i < size; ++i) {
        x[i] = rng.uniform(-1.f, 1.f);
        dy[i] = rng.uniform(-1.f, 1.f);
    }
    auto y = model.forward(batch, true);
    for (std::size_t i = 0; i < size; ++i) REQUIRE(y[i] == (x[i] >= 0.f ? 1.f : 0.f));
    model.backward(dy.data(), dx.data());
    CHECK(dx == dy);
}
