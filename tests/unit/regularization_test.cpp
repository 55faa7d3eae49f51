// Weight penalties and weight decay: SGD's decay against a hand-computed step; the
// L1/L2 penalties' value and gradient by hand (weights only, never biases or
// BatchNorm's scale); the penalised loss against finite differences; train_step
// reporting and applying them.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <vector>

#include "support/gradient_check.hpp"

using namespace tn;
using testing::check_gradients;
using testing::GradientCheckOptions;

namespace {

// Weights of magnitude 0.2 to 0.8 with random signs: L1 has a kink at 0, which a
// finite difference of step 0.01 must not straddle.
struct AwayFromZero {
    static std::string name() { return "AwayFromZero"; }
    static void fill(float* w, std::size_t n, std::size_t, std::size_t, Rng& rng) {
        for (std::size_t i = 0; i < n; ++i) w[i] = (rng.uniform() < 0.5f ? -1.f : 1.f) * rng.uniform(0.2f, 0.8f);
    }
};

}  // namespace

TEST_CASE("SGD with weight decay: g + wd p, then p - lr g (PyTorch)") {
    // g' = (0.2 + 0.1 * 1, -0.4 + 0.1 * -2) = (0.3, -0.6); p = (1 - 0.5 * 0.3, -2 + 0.5 * 0.6)
    std::array<float, 2> p{1.f, -2.f};
    const std::array<float, 2> g{0.2f, -0.4f};
    SGD{{.lr = 0.5f, .weight_decay = 0.1f}}.step(p, g);
    CHECK(p[0] == doctest::Approx(0.85));
    CHECK(p[1] == doctest::Approx(-1.7));

    // Over an arena long enough to be split between threads, with a ragged tail:
    // every element as the formula says.
    const std::size_t n = 100'003;
    std::vector<float> params(n), grads(n);
    Rng rng{Seed{1}};
    for (std::size_t i = 0; i < n; ++i) {
        params[i] = rng.uniform(-1.f, 1.f);
        grads[i] = rng.uniform(-1.f, 1.f);
    }
    const std::vector<float> before = params;
    SGD{{.lr = 0.05f, .weight_decay = 0.01f}}.step(params, grads);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double expected = double(before[i]) - 0.05 * (double(grads[i]) + 0.01 * double(before[i]));
        if (std::abs(params[i] - expected) > 1e-6) ++wrong;
    }
    CHECK(wrong == 0);
}

TEST_CASE("a layer's L1 and L2: value and gradient by hand, on weights only") {
    using Net = Sequential<Input<3>, Dense<2, L1<1, 10>, L2<1, 4>>>;
    static_assert(Dense<2, L1<1, 10>, L2<1, 4>>::penalty.l1 == 0.1f && Dense<2, L2<1, 4>>::penalty.l2 == 0.25f);
    Model<Net> model{Seed{1}};
    auto w = model.parameter("0.weight").values;
    auto b = model.parameter("0.bias").values;
    const std::array<float, 6> weights{0.5f, -1.f, 0.f, 2.f, -0.25f, 1.5f};
    std::copy(weights.begin(), weights.end(), w.begin());
    b[0] = 3.f;  // a bias is not penalised, however large
    b[1] = -4.f;
    // l1 sum|w| + l2 sum w^2 = 0.1 * 5.25 + 0.25 * 7.5625
    CHECK(model.penalty() == doctest::Approx(0.1 * 5.25 + 0.25 * 7.5625));

    std::fill(model.gradients().begin(), model.gradients().end(), 1.f);
    CHECK(model.add_penalty() == doctest::Approx(0.1 * 5.25 + 0.25 * 7.5625));
    auto gw = model.parameter("0.weight").gradients;
    for (std::size_t i = 0; i < 6; ++i) {
        const float sign = weights[i] > 0 ? 1.f : (weights[i] < 0 ? -1.f : 0.f);  // sign(0) = 0
        CHECK(gw[i] == doctest::Approx(1.0 + 0.1 * sign + 2 * 0.25 * weights[i]));
    }
    for (float g : model.parameter("0.bias").gradients) CHECK(g == 1.f);
}

TEST_CASE("the model's Regularization reaches every weight, adds to the layers' own, and skips the rest") {
    using Net = Sequential<Input<4>, Dense<3, L2<1, 10>>, BatchNorm<>, Dense<2>>;
    Model<Net> model{Seed{2}};
    auto sum_of_squares = [](std::span<const float> v) {
        double s = 0;
        for (float x : v) s += double(x) * x;
        return s;
    };
    const double first = sum_of_squares(model.parameter("0.weight").values);
    const double last = sum_of_squares(model.parameter("2.weight").values);
    CHECK(model.penalty() == doctest::Approx(0.1 * first));  // only layer 0 asks for one
    model.set_regularization({.l2 = 0.01f});
    CHECK(model.penalty() == doctest::Approx(0.11 * first + 0.01 * last));

    // Gradients: weights gain 2 l2 w, while biases and BatchNorm's gamma and beta
    // keep what backward wrote.
    std::fill(model.gradients().begin(), model.gradients().end(), 0.f);
    model.add_penalty();
    for (auto& t : model.named_parameters()) {
        CAPTURE(t.name);
        const double l2 = t.name == "0.weight" ? 0.11 : (t.name == "2.weight" ? 0.01 : 0.0);
        for (std::size_t i = 0; i < t.values.size(); ++i)
            CHECK(t.gradients[i] == doctest::Approx(2 * l2 * t.values[i]));
    }
    CHECK_THROWS_WITH_AS(model.set_regularization({.l1 = -1.f}), doctest::Contains("Model::set_regularization"),
                         std::invalid_argument);
}

TEST_CASE("the penalised loss matches finite differences") {
    SUBCASE("L2 in a layer's type") {
        CHECK_GRADIENTS((check_gradients<Sequential<Input<5>, Dense<4, L2<1, 5>>, Tanh, Dense<2>>>(MSE{})));
    }
    SUBCASE("L1 in a layer's type, weights kept off its kink") {
        CHECK_GRADIENTS(
            (check_gradients<Sequential<Input<5>, Dense<4, Init<AwayFromZero>, L1<1, 20>>, Tanh, Dense<2>>>(MSE{})));
    }
    SUBCASE("the model's L1 and L2 on every weight, with a layer's own on top") {
        GradientCheckOptions o;
        o.regularization = {.l1 = 0.03f, .l2 = 0.1f};
        CHECK_GRADIENTS((check_gradients<Sequential<Input<5>, Dense<4, Init<AwayFromZero>, L2<1, 10>>, Tanh,
                                                    Dense<3, Init<AwayFromZero>>, BatchNorm<>, Dense<2, Init<AwayFromZero>>>>(
            MSE{}, o)));
    }
}

TEST_CASE("train_step reports the penalised loss and steps along the penalised gradient") {
    // Two models alike but for the model-wide L2 (both have the last layer's L1).
    using Net = Sequential<Input<4>, Dense<3>, Tanh, Dense<2, L1<1, 100>>>;
    Model<Net> plain{Seed{5}}, penalised{Seed{5}};
    penalised.set_regularization({.l2 = 0.05f});
    Rng rng{Seed{6}};
    float* xp = plain.input(4);
    float* xq = penalised.input(4);
    for (std::size_t i = 0; i < 16; ++i) xp[i] = xq[i] = rng.uniform(-1.f, 1.f);
    const std::vector<float> targets{0, 1, 1, 0, 0.5f, 0.5f, -1, 1};
    const double extra = double(penalised.penalty()) - double(plain.penalty());
    REQUIRE(extra > 0.0);
    std::vector<bool> is_weight;
    std::vector<float> before;
    for (auto& t : penalised.named_parameters())
        for (float v : t.values) {
            is_weight.push_back(t.name.ends_with("weight"));
            before.push_back(v);
        }
    SGD sgd{{.lr = 0.1f}};
    const StepResult a = plain.train_step(4, targets.data(), MSE{}, sgd);
    const StepResult b = penalised.train_step(4, targets.data(), MSE{}, sgd);
    CHECK(b.loss == doctest::Approx(double(a.loss) + extra).epsilon(1e-6));
    // Same data gradient, plus 2 l2 w on weights: they end lr 2 l2 w apart.
    for (std::size_t i = 0; i < Net::param_count; ++i) {
        const double shift = is_weight[i] ? 0.1 * 2 * 0.05 * before[i] : 0.0;
        CHECK(penalised.parameters()[i] == doctest::Approx(plain.parameters()[i] - shift).epsilon(1e-5));
    }
}
