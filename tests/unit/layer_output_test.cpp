// Model::for_each_layer_output: every top-level layer's output after a forward, in
// order, with its name and size; a Dense fused with its activation shows the pair's
// output (its own is never stored), a container its final output.
#include <doctest/doctest.h>

#include <cmath>
#include <span>
#include <string>
#include <vector>

#include <typenet/typenet.hpp>

using namespace tn;

namespace {
struct Seen {
    std::size_t index;
    std::string name;
    std::vector<float> values;
};

template <class Net>
std::vector<Seen> outputs_of(const Model<Net>& model) {
    std::vector<Seen> seen;
    model.for_each_layer_output([&](std::size_t i, const std::string& name, std::span<const float> v) {
        seen.push_back({i, name, {v.begin(), v.end()}});
    });
    return seen;
}
}  // namespace

TEST_CASE("for_each_layer_output shows each layer's output of the last forward") {
    using Net = Sequential<Input<3>, Dense<2>, Tanh, Dense<1>>;
    Model<Net> model{Seed{1}};
    // Weights set by hand, so that every value can be computed here.
    auto w1 = model.parameter("0.weight").values;  // [2, 3]
    auto b1 = model.parameter("0.bias").values;
    auto w2 = model.parameter("2.weight").values;  // [1, 2]
    auto b2 = model.parameter("2.bias").values;
    const float W1[6] = {0.5f, -1.f, 0.25f, 2.f, 0.f, -0.5f}, B1[2] = {0.1f, -0.2f}, W2[2] = {1.5f, -2.f}, B2 = 0.3f;
    std::copy(W1, W1 + 6, w1.begin());
    std::copy(B1, B1 + 2, b1.begin());
    std::copy(W2, W2 + 2, w2.begin());
    b2[0] = B2;

    const float x[2][3] = {{1.f, 2.f, 3.f}, {-1.f, 0.5f, 0.f}};
    std::copy(&x[0][0], &x[0][0] + 6, model.input(2));
    const auto out = model.forward(2);

    const auto seen = outputs_of(model);
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].name == "Dense<2>");
    CHECK(seen[1].name == "Tanh");
    CHECK(seen[2].name == "Dense<1>");
    for (std::size_t i = 0; i < 3; ++i) CHECK(seen[i].index == i);
    CHECK(seen[0].values.size() == 4);  // batch 2 x 2 units
    CHECK(seen[1].values.size() == 4);
    CHECK(seen[2].values.size() == 2);

    for (std::size_t b = 0; b < 2; ++b) {
        float z = B2;
        for (std::size_t j = 0; j < 2; ++j) {
            float pre = B1[j];
            for (std::size_t k = 0; k < 3; ++k) pre += W1[j * 3 + k] * x[b][k];
            const float hidden = std::tanh(pre);
            CHECK(seen[1].values[b * 2 + j] == doctest::Approx(hidden).epsilon(1e-5));
            // Dense<2> fuses with Tanh and stores only tanh(z): it shows the pair's output.
            CHECK(seen[0].values[b * 2 + j] == seen[1].values[b * 2 + j]);
            z += W2[j] * hidden;
        }
        CHECK(seen[2].values[b] == doctest::Approx(z).epsilon(1e-5));
        CHECK(seen[2].values[b] == out[b]);  // the last layer's output is the model's
    }

    // A smaller batch afterwards: the spans follow the last forward's batch.
    model.forward(1);
    const auto one = outputs_of(model);
    CHECK(one[1].values.size() == 2);
    CHECK(one[1].values[0] == seen[1].values[0]);
}

TEST_CASE("for_each_layer_output shows a container's final output, and an unfused layer its own") {
    // Identity between Dense and ReLU keeps ReLU out of Dense's fused epilogue, so
    // the pre-activation is stored and shown; Residual is one entry.
    using Net = Sequential<Input<2>, Dense<3>, Identity, ReLU, Residual<Dense<3>>>;
    Model<Net> model{Seed{2}};
    auto w = model.parameter("0.weight").values;
    auto b = model.parameter("0.bias").values;
    const float W[6] = {1.f, 0.f, 0.f, 1.f, -1.f, -1.f};
    std::copy(W, W + 6, w.begin());
    std::fill(b.begin(), b.end(), 0.f);
    const float x[2] = {0.5f, 2.f};
    std::copy(x, x + 2, model.input(1));
    const auto out = model.forward(1);

    const auto seen = outputs_of(model);
    REQUIRE(seen.size() == 4);
    CHECK(seen[0].values == std::vector<float>{0.5f, 2.f, -2.5f});  // pre-activation, negative entry kept
    CHECK(seen[2].values == std::vector<float>{0.5f, 2.f, 0.f});    // after ReLU
    CHECK(seen[3].name.find("Residual") != std::string::npos);
    CHECK(seen[3].values == std::vector<float>(out.begin(), out.end()));
}
