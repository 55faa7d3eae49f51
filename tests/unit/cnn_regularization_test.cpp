// BatchNorm2D (BatchNorm that insists on images) and Dropout2D (whole channels).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include <typenet/typenet.hpp>

#include "support/gradient_check.hpp"

using namespace tn;
using testing::check_gradients;
using testing::GradientCheckOptions;

TEST_CASE("BatchNorm2D is BatchNorm on [C, H, W]: same parameters, buffers and outputs") {
    using A = Sequential<Input<3, 4, 5>, BatchNorm2D<Epsilon<1, 1000>>, ReLU>;
    using B = Sequential<Input<3, 4, 5>, BatchNorm<Epsilon<1, 1000>>, ReLU>;
    static_assert(A::param_count == 6 && A::buffer_count == B::buffer_count);
    Model<A> a{Seed{1}};
    Model<B> b{Seed{1}};
    Rng rng{Seed{2}};
    float* xa = a.input(4);
    float* xb = b.input(4);
    for (std::size_t i = 0; i < 4 * 60; ++i) xa[i] = xb[i] = rng.uniform(-2.f, 3.f);
    for (bool training : {true, false}) {
        const auto ya = a.forward(4, training), yb = b.forward(4, training);
        CHECK(std::memcmp(ya.data(), yb.data(), ya.size() * sizeof(float)) == 0);
    }
    const auto names = a.named_buffers();
    REQUIRE(names.size() == 2);
    CHECK(names[0].name == "0.running_mean");
    CHECK(names[1].name == "0.running_var");

    GradientCheckOptions o;
    o.batch = 4;
    o.parameter_noise = 0.5f;
    CHECK_GRADIENTS((check_gradients<Sequential<Input<3, 3, 4>, BatchNorm2D<>>>(MSE{}, o)));
    CHECK_GRADIENTS((check_gradients<Sequential<Input<2, 5, 5>, Conv2D<3, Kernel<3>>, BatchNorm2D<>, Tanh>>(MSE{}, o)));
}

namespace {
constexpr std::size_t C = 16, H = 3, W = 4, plane = H * W;
using Drop = Sequential<Input<C, H, W>, Dropout2D<50>>;
}  // namespace

TEST_CASE("Dropout2D drops whole channels, scales the rest by 1/(1 - p), and is the identity in evaluation") {
    Model<Drop> model{Seed{3}};
    constexpr std::size_t batch = 32;
    float* x = model.input(batch);
    for (std::size_t i = 0; i < batch * C * plane; ++i) x[i] = 1.f + float(i % 7);
    const std::vector<float> input(x, x + batch * C * plane);

    const auto y = model.forward(batch, true);
    std::size_t dropped = 0;
    for (std::size_t m = 0; m < batch * C; ++m) {
        const bool gone = y[m * plane] == 0.f;
        dropped += gone;
        for (std::size_t i = 0; i < plane; ++i) {
            CAPTURE(m);
            CHECK(y[m * plane + i] == (gone ? 0.f : 2.f * input[m * plane + i]));
        }
    }
    // 512 channels at p = 0.5: 256 +- 3 sigma (sigma = 11.3).
    CHECK(dropped > 222);
    CHECK(dropped < 290);

    // Backward: the same mask on the gradient.
    std::vector<float> dy(y.size()), dx(y.size());
    for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = float(i % 11) - 5.f;
    model.backward(dy.data(), dx.data());
    for (std::size_t i = 0; i < dy.size(); ++i) CHECK(dx[i] == (y[i] == 0.f ? 0.f : 2.f * dy[i]));

    const auto eval = model.forward(batch, false);
    CHECK(std::equal(eval.begin(), eval.end(), input.begin()));
}

TEST_CASE("Dropout2D: seeded masks, the run-time rate, gradients") {
    Model<Drop> a{Seed{4}}, b{Seed{4}};
    auto masks = [](Model<Drop>& m) {
        std::fill_n(m.input(4), 4 * C * plane, 1.f);
        const auto y = m.forward(4, true);
        return std::vector<float>(y.begin(), y.end());
    };
    const auto first = masks(a);
    CHECK(first == masks(b));
    CHECK(first != masks(a));  // the next step draws new ones

    a.set_dropout_rate(0.f);
    const auto none = masks(a);
    CHECK(std::all_of(none.begin(), none.end(), [](float v) { return v == 1.f; }));

    CHECK_GRADIENTS((check_gradients<Sequential<Input<4, 3, 3>, Dropout2D<1, 3>, Flatten, Dense<3>>>(MSE{})));
    CHECK(Dropout2D<1, 3>::name() == "Dropout2D<1, 3>");
}
