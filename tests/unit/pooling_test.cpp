// MaxPool, AvgPool and GlobalAvgPool: against plain loops (tests/support/naive_conv.hpp),
// with strides, overlapping windows, padding, several channels and batches; gradients
// by finite differences.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <typenet/typenet.hpp>

#include "support/gradient_check.hpp"
#include "support/naive_conv.hpp"

using namespace tn;
using testing::check_gradients;

namespace {

// Distinct values 0.1 apart, shuffled: no ties in a window, and no perturbation of
// +-0.01 can change which value wins, so finite differences see a smooth function.
std::vector<float> spaced_values(std::size_t n, std::uint64_t seed) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = 0.1f * float(i) - 0.05f * float(n);
    Rng rng{Seed{seed}};
    for (std::size_t i = n - 1; i > 0; --i) std::swap(v[i], v[rng.below(i + 1)]);
    return v;
}

template <class Net>
void check_pool_forward(bool max, std::size_t k, std::size_t stride, std::size_t pad, std::size_t batch) {
    using In = typename Net::input_shape;
    constexpr std::size_t C = In::dims[0], H = In::dims[1], W = In::dims[2];
    Model<Net> model{Seed{1}};
    const auto x = spaced_values(C * H * W * batch, 2);
    std::copy(x.begin(), x.end(), model.input(batch));
    const auto y = model.forward(batch, true);
    const auto expected = testing::naive_pool(max, batch, C, H, W, k, stride, pad, x);
    REQUIRE(y.size() == expected.size());
    for (std::size_t i = 0; i < y.size(); ++i) {
        CAPTURE(i);
        CHECK(double(y[i]) == doctest::Approx(expected[i]).epsilon(1e-6));
    }
}

// d(sum w * y)/dx by backward and by central differences, on spaced inputs.
template <class Net>
void check_pool_gradient(std::size_t batch) {
    Model<Net> model{Seed{1}};
    auto x = spaced_values(Model<Net>::input_size * batch, 3);
    std::vector<float> w(Model<Net>::output_size * batch);
    Rng rng{Seed{4}};
    for (float& v : w) v = rng.uniform(-1.f, 1.f);
    auto loss = [&] {
        std::copy(x.begin(), x.end(), model.input(batch));
        const auto y = model.forward(batch, true);
        double l = 0;
        for (std::size_t i = 0; i < y.size(); ++i) l += double(w[i]) * y[i];
        return l;
    };
    loss();
    std::vector<float> dx(x.size());
    model.backward(w.data(), dx.data());
    double largest = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const float saved = x[i];
        x[i] = saved + 0.01f;
        const double up = loss(), hi = x[i];
        x[i] = saved - 0.01f;
        const double down = loss(), lo = x[i];
        x[i] = saved;
        const double numeric = (up - down) / (hi - lo);
        CAPTURE(i);
        CHECK(double(dx[i]) == doctest::Approx(numeric).epsilon(1e-3).scale(1e-4));
        largest = std::max(largest, std::abs(double(dx[i])));
    }
    CHECK(largest > 0.1);
}

}  // namespace

TEST_CASE("MaxPool equals the loop pooling") {
    SUBCASE("2x2, stride 2") { check_pool_forward<Sequential<Input<3, 8, 6>, MaxPool<2>>>(true, 2, 2, 0, 3); }
    SUBCASE("3x3, stride 2, overlapping, odd size (the last row and column left over)") {
        check_pool_forward<Sequential<Input<2, 9, 8>, MaxPool<3, 2>>>(true, 3, 2, 0, 2);
    }
    SUBCASE("3x3, stride 2, Pad<1>: padding never wins") {
        check_pool_forward<Sequential<Input<2, 7, 6>, MaxPool<3, 2, Pad<1>>>>(true, 3, 2, 1, 2);
    }
    SUBCASE("stride 1") { check_pool_forward<Sequential<Input<1, 5, 5>, MaxPool<2, 1>>>(true, 2, 1, 0, 2); }
}

TEST_CASE("MaxPool passes the gradient to the winner only") {
    check_pool_gradient<Sequential<Input<2, 6, 6>, MaxPool<2>>>(3);
    check_pool_gradient<Sequential<Input<2, 7, 7>, MaxPool<3, 2>>>(2);  // overlaps: a value can win twice
    check_pool_gradient<Sequential<Input<2, 7, 6>, MaxPool<3, 2, Pad<1>>>>(2);

    // Ties go to the first value of the window, as in PyTorch.
    Model<Sequential<Input<1, 2, 2>, MaxPool<2>>> model{Seed{1}};
    std::fill_n(model.input(1), 4, 3.f);
    model.forward(1, true);
    const float dy = 1.f;
    float dx[4];
    model.backward(&dy, dx);
    CHECK(dx[0] == 1.f);
    CHECK(dx[1] + dx[2] + dx[3] == 0.f);
}

TEST_CASE("AvgPool equals the loop pooling; padding is left out of the count") {
    check_pool_forward<Sequential<Input<3, 8, 6>, AvgPool<2>>>(false, 2, 2, 0, 3);
    check_pool_forward<Sequential<Input<2, 9, 8>, AvgPool<3, 2>>>(false, 3, 2, 0, 2);
    check_pool_forward<Sequential<Input<2, 7, 6>, AvgPool<3, 2, Pad<1>>>>(false, 3, 2, 1, 2);
    // A corner window of AvgPool<3, 1, Pad<1>> on ones sees 4 real values: mean 1, not 4/9.
    Model<Sequential<Input<1, 3, 3>, AvgPool<3, 1, Pad<1>>>> model{Seed{1}};
    std::fill_n(model.input(1), 9, 1.f);
    const auto y = model.forward(1, false);
    CHECK(std::all_of(y.begin(), y.end(), [](float v) { return v == 1.f; }));
}

TEST_CASE("AvgPool and GlobalAvgPool gradients by finite differences") {
    CHECK_GRADIENTS((check_gradients<Sequential<Input<2, 6, 6>, AvgPool<2>>>(MSE{})));
    CHECK_GRADIENTS((check_gradients<Sequential<Input<2, 7, 6>, AvgPool<3, 2, Pad<1>>>>(MSE{})));
    CHECK_GRADIENTS((check_gradients<Sequential<Input<3, 4, 5>, GlobalAvgPool>>(MSE{})));
    CHECK_GRADIENTS(
        (check_gradients<Sequential<Input<2, 6, 6>, Conv2D<3, Kernel<3>>, Tanh, GlobalAvgPool, Dense<2>>>(MSE{})));
}

TEST_CASE("GlobalAvgPool: the mean of each channel") {
    using Net = Sequential<Input<3, 4, 5>, GlobalAvgPool>;
    static_assert(std::is_same_v<Net::output_shape, Shape<3>>);
    Model<Net> model{Seed{1}};
    float* x = model.input(2);
    for (std::size_t i = 0; i < 120; ++i) x[i] = float(i);
    const auto y = model.forward(2, false);
    for (std::size_t m = 0; m < 6; ++m) CHECK(y[m] == doctest::Approx(20.0 * double(m) + 9.5));
}

TEST_CASE("pool names and shapes") {
    using Net = Sequential<Input<4, 9, 9>, MaxPool<3, 2, Pad<1>>, AvgPool<2>, GlobalAvgPool>;
    using L = Net::layers;
    static_assert(std::is_same_v<at_t<0, L>::output_shape, Shape<4, 5, 5>>);
    static_assert(std::is_same_v<at_t<1, L>::output_shape, Shape<4, 2, 2>>);
    CHECK(at_t<0, L>::name() == "MaxPool<3, 2, Pad<1>>");
    CHECK(at_t<1, L>::name() == "AvgPool<2>");
    CHECK(at_t<2, L>::name() == "GlobalAvgPool");
}
