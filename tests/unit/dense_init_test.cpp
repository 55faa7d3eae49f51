// Dense's initialisation options reach its tensors: Init<S> for the weights (with
// the right fan-in and fan-out), BiasInit<S> for the bias, and the defaults, Glorot
// uniform weights and zero biases (Keras's). init_test.cpp checks the schemes
// themselves; this checks the wiring. Tolerances as there: with 512 x 256 draws the
// sample variance's relative standard error is below 0.4%, so 3% fails only on a
// wrong variance (a fan-out for a fan-in is off by 2x here), never by chance.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <typenet/typenet.hpp>

using namespace tn;

namespace {

struct Moments {
    double mean = 0, variance = 0, largest = 0;
};
Moments moments(std::span<const float> v) {
    Moments m;
    for (float x : v) m.mean += x;
    m.mean /= double(v.size());
    for (float x : v) {
        m.variance += (x - m.mean) * (x - m.mean);
        m.largest = std::max(m.largest, double(std::abs(x)));
    }
    m.variance /= double(v.size() - 1);
    return m;
}

}  // namespace

TEST_CASE("Init<HeNormal> gives Dense weights of variance 2 / fan_in") {
    Model<Sequential<Input<512>, Dense<256, Init<HeNormal>>>> model{Seed{1}};
    const auto w = moments(model.parameter("0.weight").values);
    CHECK(w.variance == doctest::Approx(2.0 / 512).epsilon(0.03));
    CHECK(std::abs(w.mean) < 4 * std::sqrt(2.0 / 512 / (512 * 256)));
    for (float b : model.parameter("0.bias").values) CHECK(b == 0.f);
}

TEST_CASE("on a sequence [T, F] the fan-in is F, not T x F") {
    Model<Sequential<Input<4, 512>, Dense<256, Init<LeCunUniform>>>> model{Seed{2}};
    const auto w = moments(model.parameter("0.weight").values);
    CHECK(w.variance == doctest::Approx(1.0 / 512).epsilon(0.03));
    CHECK(w.largest <= std::sqrt(3.0 / 512));
}

TEST_CASE("the default is Glorot uniform weights and zero biases") {
    using Default = Sequential<Input<512>, Dense<256>, ReLU, Dense<128>>;
    using Explicit = Sequential<Input<512>, Dense<256, Init<XavierUniform>, BiasInit<Zeros>>, ReLU,
                                Dense<128, Init<Glorot>>>;
    Model<Default> model{Seed{3}};
    const auto w = moments(model.parameter("0.weight").values);
    CHECK(w.variance == doctest::Approx(2.0 / (512 + 256)).epsilon(0.03));
    CHECK(w.largest <= std::sqrt(6.0 / (512 + 256)));
    for (float b : model.parameter("0.bias").values) CHECK(b == 0.f);
    // Spelled out, the same draws.
    Model<Explicit> spelled{Seed{3}};
    CHECK(std::memcmp(model.parameters().data(), spelled.parameters().data(),
                      Default::param_count * sizeof(float)) == 0);
}

TEST_CASE("BiasInit<S> fills the bias, and each layer keeps its own scheme") {
    using Net = Sequential<Input<8>, Dense<300, Init<Zeros>, BiasInit<Constant<1, 10>>>, Dense<4, NoBias, Init<Constant<-2>>>,
                           Dense<3, BiasInit<Constant<3, 2>>>>;
    Model<Net> model{Seed{4}};
    for (float w : model.parameter("0.weight").values) CHECK(w == 0.f);
    for (float b : model.parameter("0.bias").values) CHECK(b == 0.1f);
    for (float w : model.parameter("1.weight").values) CHECK(w == -2.f);
    for (float b : model.parameter("2.bias").values) CHECK(b == 1.5f);
    const auto w2 = moments(model.parameter("2.weight").values);
    CHECK(w2.largest <= std::sqrt(6.0 / (4 + 3)));  // the default, untouched
    CHECK(w2.variance > 0);
}

// Which options Dense knows (the unknown one is a compile error, see
// tests/compile_fail/dense_unknown_option.cpp).
static_assert(std::is_void_v<Dense<4, Init<He>, BiasInit<Zeros>, NoBias, L1<>, L2<1, 1000>>::unknown_option>);
static_assert(std::is_same_v<Dense<4, Init<He>, ReLU, Tanh>::unknown_option, ReLU>);
static_assert(std::is_same_v<Dense<4, Init<He>>::weight_init, HeNormal>);
static_assert(std::is_same_v<Dense<4>::weight_init, XavierUniform> && std::is_same_v<Dense<4>::bias_init, Zeros>);
