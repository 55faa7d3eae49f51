// Dropout: the identity in evaluation; in training a mask with the promised
// fraction of zeros and survivors scaled by 1/(1 - p); the same seed gives the same
// masks; gradients with the mask held fixed; the run-time rate override.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "support/gradient_check.hpp"

using namespace tn;
using testing::check_gradients;

namespace {

constexpr std::size_t width = 1000, batch = 50;  // 50,000 values per forward

// Runs one forward of a Dropout model on inputs that are never zero, and returns
// the fraction of outputs dropped; every survivor must be x * keep, where
// keep = 1/(1 - p) for one layer.
template <class Net>
double dropped_fraction(Model<Net>& model, float keep, bool training = true) {
    float* x = model.input(batch);
    for (std::size_t i = 0; i < width * batch; ++i) x[i] = 1.f + float(i % 7);
    auto y = model.forward(batch, training);
    std::size_t dropped = 0, wrong = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        if (y[i] == 0.f) ++dropped;
        else if (std::abs(y[i] - x[i] * keep) > 1e-6f * x[i] * keep) ++wrong;  // (two layers round twice)
    }
    CHECK(wrong == 0);
    return double(dropped) / double(y.size());
}

// Within 5 standard deviations of a binomial proportion over n draws: a correct
// mask fails this about once in 3 million runs, a rate off by 0.02 always.
void check_rate(double fraction, double p) {
    const double sd = std::sqrt(p * (1 - p) / double(width * batch));
    CHECK(std::abs(fraction - p) <= 5 * sd + 1e-12);
}

}  // namespace

TEST_CASE("Dropout is the identity in evaluation") {
    Model<Sequential<Input<width>, Dropout<50>>> model{Seed{1}};
    CHECK(dropped_fraction(model, 1.f, false) == 0.0);
    float* x = model.input(3);
    for (std::size_t i = 0; i < 3 * width; ++i) x[i] = float(i) - 1000.f;
    auto y = model.forward(3, false);
    CHECK(std::memcmp(y.data(), x, y.size() * sizeof(float)) == 0);
}

TEST_CASE("Dropout drops the fraction its rate says, and scales the rest by 1/(1 - p)") {
    SUBCASE("Dropout<50>") {
        Model<Sequential<Input<width>, Dropout<50>>> model{Seed{2}};
        check_rate(dropped_fraction(model, 2.f), 0.5);
    }
    SUBCASE("Dropout<1, 5> = 0.2") {
        Model<Sequential<Input<width>, Dropout<1, 5>>> model{Seed{3}};
        check_rate(dropped_fraction(model, 1.f / 0.8f), 0.2);
    }
    SUBCASE("Dropout<> = 0.5, PyTorch's default") {
        static_assert(Dropout<>::rate == 0.5f);
        Model<Sequential<Input<width>, Dropout<>>> model{Seed{4}};
        check_rate(dropped_fraction(model, 2.f), 0.5);
    }
    SUBCASE("Dropout<0> is the identity in training too") {
        Model<Sequential<Input<width>, Dropout<0>>> model{Seed{5}};
        CHECK(dropped_fraction(model, 1.f) == 0.0);
    }
}

TEST_CASE("set_dropout_rate overrides every Dropout's rate at run time") {
    Model<Sequential<Input<width>, Dropout<50>, Dropout<50>>> model{Seed{6}};
    model.set_dropout_rate(0.1f);
    REQUIRE(model.dropout_rate() == 0.1f);
    // Two layers at 0.1 each keep 0.9^2 of the values, scaled twice by 1/0.9.
    const float keep = 1.f / 0.9f;
    check_rate(dropped_fraction(model, keep * keep), 1 - 0.81);
    model.clear_dropout_rate();
    CHECK_FALSE(model.dropout_rate().has_value());
    Model<Sequential<Input<width>, Dropout<50>>> single{Seed{7}};
    single.set_dropout_rate(0.3f);
    check_rate(dropped_fraction(single, 1.f / 0.7f), 0.3);
    single.set_dropout_rate(0.f);
    CHECK(dropped_fraction(single, 1.f) == 0.0);
    CHECK_THROWS_WITH_AS(single.set_dropout_rate(1.f), doctest::Contains("Model::set_dropout_rate"),
                         std::invalid_argument);
    CHECK_THROWS_AS(single.set_dropout_rate(-0.1f), std::invalid_argument);
}

TEST_CASE("the same seed gives the same masks; successive steps give new ones") {
    using Net = Sequential<Input<width>, Dropout<50>>;
    Model<Net> a{Seed{9}}, b{Seed{9}}, c{Seed{10}};
    auto mask_of = [](Model<Net>& m) {
        float* x = m.input(2);
        std::fill_n(x, 2 * width, 1.f);
        auto y = m.forward(2, true);
        return std::vector<float>(y.begin(), y.end());
    };
    const auto first = mask_of(a);
    CHECK(first == mask_of(b));   // same seed
    CHECK(first != mask_of(c));   // another seed
    CHECK(first != mask_of(a));   // the next step draws a new mask
}

TEST_CASE("Dropout's backward passes gradients through the kept values only") {
    // With the mask held fixed (the checker restarts the generator for every
    // forward), dropout is linear: dx = dy * mask.
    CHECK_GRADIENTS((check_gradients<Sequential<Input<6>, Dense<5>, Tanh, Dropout<30>, Dense<3>>>(MSE{})));
    CHECK_GRADIENTS((check_gradients<Sequential<Input<3, 4>, Dropout<50>, Dense<3>>>(MSE{})));

    // And exactly: dx is dy where the value was kept (times 2 at p = 0.5), 0 elsewhere.
    Model<Sequential<Input<40>, Dropout<50>>> model{Seed{11}};
    float* x = model.input(3);
    std::fill_n(x, 120, 1.f);
    auto y = model.forward(3, true);
    std::vector<float> dy(120), dx(120);
    for (std::size_t i = 0; i < 120; ++i) dy[i] = float(i) + 0.5f;
    model.backward(dy.data(), dx.data());
    for (std::size_t i = 0; i < 120; ++i) CHECK(dx[i] == (y[i] == 0.f ? 0.f : 2.f * dy[i]));
    // In evaluation backward is the identity too.
    model.forward(3, false);
    model.backward(dy.data(), dx.data());
    CHECK(dx == dy);
}
