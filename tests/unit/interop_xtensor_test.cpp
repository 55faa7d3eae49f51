#include <doctest/doctest.h>

#include <typenet/interop/xtensor.hpp>
#include <typenet/typenet.hpp>
#include <xtensor/xmath.hpp>

using namespace tn;

TEST_CASE("xtensor views alias the model's parameters and outputs without copying") {
    using Net = Sequential<Input<3>, Dense<2>>;
    Model<Net> m{Seed{3}};
    auto weight = m.parameter("layers.0.weight");
    auto w = as_xtensor(weight);
    REQUIRE(w.shape()[0] == 2);
    REQUIRE(w.shape()[1] == 3);
    w(1, 2) = 5.f;  // writes through to the arena
    CHECK(weight.values[1 * 3 + 2] == 5.f);

    float* x = m.input(2);
    for (int i = 0; i < 6; ++i) x[i] = float(i);
    m.forward(2);
    auto y = output_as_xtensor(m);
    REQUIRE(y.shape()[0] == 2);
    REQUIRE(y.shape()[1] == 2);
    // y = x W^T + b with a zero bias
    CHECK(y(1, 1) == doctest::Approx(3 * w(1, 0) + 4 * w(1, 1) + 5 * w(1, 2)));
}

TEST_CASE("a data set is seen as [samples, width]") {
    Dataset d("tiny", 2, 1);
    d.add({1.f, 2.f}, {0.f});
    d.add({3.f, 4.f}, {1.f});
    auto in = inputs_as_xtensor(d);
    CHECK(in.shape()[0] == 2);
    CHECK(xt::sum(in)() == doctest::Approx(10.f));
    CHECK(targets_as_xtensor(d)(1, 0) == 1.f);
}
