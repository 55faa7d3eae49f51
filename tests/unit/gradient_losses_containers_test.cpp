// Finite-difference gradient checks of every loss (on flat and sequence outputs)
// and of the containers: Sequential, Residual, Repeat, and them nested (design
// decision 8). Containers use smooth activations, whose pre-activations may fall
// anywhere; the kinked ones are checked alone in gradient_layers_test.cpp.
#include <doctest/doctest.h>

#include <cmath>

#include "support/gradient_check.hpp"

using namespace tn;
using testing::check_gradients;
using testing::GradientCheckOptions;

TEST_CASE("loss gradients match finite differences") {
    SUBCASE("MSE") {
        CHECK_GRADIENTS((check_gradients<Sequential<Input<5>, Dense<3>>>(MSE{})));
        CHECK_GRADIENTS((check_gradients<Sequential<Input<4, 5>, Dense<3>>>(MSE{})));
    }
    SUBCASE("BinaryCrossEntropy on probabilities") {
        CHECK_GRADIENTS((check_gradients<Sequential<Input<5>, Dense<3>, Sigmoid>>(BinaryCrossEntropy{})));
        CHECK_GRADIENTS((check_gradients<Sequential<Input<4, 5>, Dense<1>, Sigmoid>>(BinaryCrossEntropy{})));
    }
    SUBCASE("BinaryCrossEntropyWithLogits, also on large logits") {
        CHECK_GRADIENTS((check_gradients<Sequential<Input<5>, Dense<3>>>(BinaryCrossEntropyWithLogits{})));
        GradientCheckOptions large;
        large.input_range = 8.f;  // logits up to +-8 through Identity: the stable form
        CHECK_GRADIENTS((check_gradients<Sequential<Input<4, 3>, Identity>>(BinaryCrossEntropyWithLogits{}, large)));
    }
    SUBCASE("Hinge, away from the margin (its kink)") {
        // Through Identity the outputs are the inputs, so they can be kept off
        // s * z = 1, the only place hinge has no derivative.
        GradientCheckOptions o;
        o.input_range = 2.f;
        o.kinks = {-1.f, 1.f};
        CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Identity>>(Hinge{}, o)));
        CHECK_GRADIENTS((check_gradients<Sequential<Input<4, 3>, Identity>>(Hinge{}, o)));
    }
    SUBCASE("SoftmaxCrossEntropy, flat and per position of a sequence") {
        CHECK_GRADIENTS((check_gradients<Sequential<Input<5>, Dense<4>>>(SoftmaxCrossEntropy{})));
        CHECK_GRADIENTS((check_gradients<Sequential<Input<6, 5>, Dense<4>>>(SoftmaxCrossEntropy{})));
        GradientCheckOptions wide;
        wide.input_range = 4.f;  // peaked softmax rows
        CHECK_GRADIENTS((check_gradients<Sequential<Input<3, 5>, Identity>>(SoftmaxCrossEntropy{}, wide)));
    }
}

TEST_CASE("the logit losses stay finite and exact on logits far beyond exp's range") {
    // exp(200) overflows float: a naive softmax or log(1 + e^z) would give inf or NaN.
    using Three = Shape<3>;
    const float logits[3] = {200.f, 0.f, -200.f};
    float grad[3];
    const float right = 0.f, wrong = 2.f;
    CHECK(SoftmaxCrossEntropy::compute<Three>(logits, &right, grad, 1) == doctest::Approx(0.0));
    CHECK(grad[0] == doctest::Approx(0.0));
    CHECK(SoftmaxCrossEntropy::compute<Three>(logits, &wrong, grad, 1) == doctest::Approx(400.0));
    CHECK(grad[0] == doctest::Approx(1.0));
    CHECK(grad[2] == doctest::Approx(-1.0));

    const float targets[3] = {1.f, 1.f, 0.f};
    // Per element: log(1 + e^-200) ~ 0, log 2, log(1 + e^-200) ~ 0; mean log(2)/3.
    CHECK(BinaryCrossEntropyWithLogits::compute<Three>(logits, targets, grad, 1) ==
          doctest::Approx(std::log(2.0) / 3));
    CHECK(grad[0] == doctest::Approx(0.0));
    CHECK(grad[1] == doctest::Approx(-0.5 / 3));
    CHECK(grad[2] == doctest::Approx(0.0));
}

TEST_CASE("Sequential: a deep chain and nested Sequentials") {
    CHECK_GRADIENTS(
        (check_gradients<Sequential<Input<6>, Dense<8>, Tanh, Dense<7>, GELU, Dense<5>, Sigmoid, Dense<3>>>(
            SoftmaxCrossEntropy{})));
    CHECK_GRADIENTS((check_gradients<Sequential<Input<5>, Sequential<Dense<6>, Tanh>,
                                                Sequential<Sequential<Dense<5>, GELU>, Identity>, Dense<3>>>(
        MSE{})));
}

TEST_CASE("Residual: y = x + f(x)") {
    CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Residual<Dense<6>, Tanh>, Dense<3>>>(MSE{})));
    // The block is a chain of its own; the skip joins after it.
    CHECK_GRADIENTS(
        (check_gradients<Sequential<Input<6>, Residual<Dense<9>, GELU, Dense<6>>, Dense<3>>>(SoftmaxCrossEntropy{})));
    // First in the model: the skip path carries the input gradient too.
    CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Residual<Dense<6>, Sigmoid>>>(MSE{})));
    // On a sequence, as in a Transformer block.
    CHECK_GRADIENTS((check_gradients<Sequential<Input<4, 6>, Residual<Dense<8>, GELU, Dense<6>>>>(MSE{})));
}

TEST_CASE("Repeat: N copies, each with its own parameters") {
    CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Repeat<3, Residual<Dense<6>, Tanh>>, Dense<2>>>(MSE{})));
    CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Repeat<2, Dense<6>, Sigmoid>, Dense<3>>>(
        BinaryCrossEntropyWithLogits{})));
}

TEST_CASE("containers nested in each other, on a sequence") {
    using Block = Residual<Dense<10>, GELU, Dense<6>>;
    using Net = Sequential<Input<3, 6>, Repeat<2, Block, Sequential<Residual<Dense<6>, Tanh>>>, Dense<4>>;
    CHECK_GRADIENTS((check_gradients<Net>(SoftmaxCrossEntropy{})));
}
