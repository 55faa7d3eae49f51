// Each optimizer against steps worked out by hand on two parameters.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <typenet/optim/adagrad.hpp>
#include <typenet/optim/adam.hpp>
#include <typenet/optim/momentum.hpp>
#include <typenet/optim/rmsprop.hpp>
#include <typenet/optim/sgd.hpp>

using namespace tn;

namespace {
template <class Opt>
std::array<float, 2> run(Opt opt, std::array<float, 2> p, std::initializer_list<std::array<float, 2>> grads) {
    for (auto g : grads) opt.step(p, g);
    return p;
}
}  // namespace

TEST_CASE("SGD: p - lr g") {
    auto p = run(SGD{{.lr = 0.5f}}, {1.f, -2.f}, {{0.2f, -0.4f}});
    CHECK(p[0] == doctest::Approx(0.9f));
    CHECK(p[1] == doctest::Approx(-1.8f));
}

TEST_CASE("Momentum: the second step carries mu times the first gradient") {
    // v1 = g1 = 1;          p1 = 1 - 0.1 * 1 = 0.9
    // v2 = 0.9 * 1 + 2 = 2.9; p2 = 0.9 - 0.1 * 2.9 = 0.61
    auto p = run(Momentum{{.lr = 0.1f, .momentum = 0.9f}}, {1.f, 0.f}, {{1.f, 0.f}, {2.f, 0.f}});
    CHECK(p[0] == doctest::Approx(0.61f));
    CHECK(p[1] == 0.f);
}

TEST_CASE("Nesterov: steps along g + mu v") {
    // v1 = 1, p1 = 1 - 0.1 (1 + 0.9) = 0.81
    // v2 = 0.9 + 2 = 2.9, p2 = 0.81 - 0.1 (2 + 0.9 * 2.9) = 0.349
    auto p = run(Nesterov{{.lr = 0.1f, .momentum = 0.9f}}, {1.f, 0.f}, {{1.f, 0.f}, {2.f, 0.f}});
    CHECK(p[0] == doctest::Approx(0.349f));
}

TEST_CASE("weight decay adds wd p to the gradient") {
    // g' = 0 + 0.5 * 2 = 1, v = 1, p = 2 - 0.1 = 1.9
    auto p = run(Momentum{{.lr = 0.1f, .momentum = 0.9f, .weight_decay = 0.5f}}, {2.f, 0.f}, {{0.f, 0.f}});
    CHECK(p[0] == doctest::Approx(1.9f));
}

TEST_CASE("Adagrad: step lr g / sqrt(sum g^2)") {
    // s1 = 4, p1 = 1 - 0.1 * 2 / 2 = 0.9;  s2 = 4 + 9 = 13, p2 = 0.9 - 0.1 * 3 / sqrt(13)
    auto p = run(Adagrad{{.lr = 0.1f}}, {1.f, 0.f}, {{2.f, 0.f}, {3.f, 0.f}});
    CHECK(p[0] == doctest::Approx(0.9 - 0.3 / std::sqrt(13.0)));
}

TEST_CASE("RMSProp: step lr g / sqrt(decayed mean of g^2)") {
    // s1 = 0.01 * 4 = 0.04, p1 = 1 - 0.1 * 2 / 0.2 = 0
    auto p = run(RMSProp{{.lr = 0.1f, .alpha = 0.99f}}, {1.f, 0.f}, {{2.f, 0.f}});
    CHECK(p[0] == doctest::Approx(0.0).epsilon(1e-5));
}

TEST_CASE("Adam: the first step is lr times the sign of the gradient") {
    // m1 = 0.1 g, v1 = 0.001 g^2; corrected: m = g, v = g^2; step = lr g / |g|
    auto p = run(Adam{{.lr = 0.01f}}, {1.f, 1.f}, {{3.f, -0.25f}});
    CHECK(p[0] == doctest::Approx(0.99f));
    CHECK(p[1] == doctest::Approx(1.01f));
}

TEST_CASE("Adam: second step, by hand") {
    // g1 = 1, g2 = 2. m2 = 0.9*0.1 + 0.1*2 = 0.29, v2 = 0.999*0.001 + 0.001*4 = 0.004999
    // m^ = 0.29 / 0.19, v^ = 0.004999 / 0.001999; p2 = p1 - lr m^ / sqrt(v^)
    const double m_hat = 0.29 / (1 - 0.81), v_hat = 0.004999 / (1 - 0.998001);
    auto p = run(Adam{{.lr = 0.01f}}, {1.f, 0.f}, {{1.f, 0.f}, {2.f, 0.f}});
    CHECK(p[0] == doctest::Approx(1.0 - 0.01 - 0.01 * m_hat / std::sqrt(v_hat)).epsilon(1e-5));
}

TEST_CASE("AdamW decays the weights, Adam decays the gradient") {
    // With a zero gradient, AdamW still shrinks p by lr * wd * p; Adam with L2 sees g = wd p
    // and takes a full sign step.
    auto w = run(AdamW{{.lr = 0.1f, .weight_decay = 0.5f}}, {2.f, 0.f}, {{0.f, 0.f}});
    CHECK(w[0] == doctest::Approx(2.f * (1.f - 0.05f)));
    auto a = run(Adam{{.lr = 0.1f, .weight_decay = 0.5f}}, {2.f, 0.f}, {{0.f, 0.f}});
    CHECK(a[0] == doctest::Approx(1.9f));
}
