#include <doctest/doctest.h>

#include <typenet/typenet.hpp>

using namespace tn;

namespace {
using Lenet = Sequential<Input<400>, Dense<120>, Tanh, Dense<84>, Tanh, Dense<10>>;
static_assert(std::is_same_v<Lenet::output_shape, Shape<10>>);
static_assert(Lenet::param_count == 400 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10);

using PerPosition = Sequential<Input<6, 16>, Dense<32>, GELU, Dense<16>>;
static_assert(std::is_same_v<PerPosition::output_shape, Shape<6, 16>>);
static_assert(PerPosition::param_count == 16 * 32 + 32 + 32 * 16 + 16);

using Block = Sequential<Residual<Dense<8>, ReLU, Dense<8>>>;
using Stack = Sequential<Input<8>, Repeat<3, Residual<Dense<8>, Tanh>>, Dense<2, NoBias>>;
static_assert(Stack::param_count == 3 * 72 + 16);
static_assert(std::is_same_v<Stack::output_shape, Shape<2>>);
}  // namespace

TEST_CASE("parameters are named as PyTorch names them") {
    Model<Stack> m{Seed{1}};
    auto named = m.named_parameters();
    REQUIRE(named.size() == 7);
    // Repeat (0) > copy 0, which is the Residual (0) > Dense (0); docs/design.md
    CHECK(named[0].name == "0.0.0.weight");
    CHECK(named[0].shape == std::vector<std::size_t>{8, 8});
    CHECK(named[6].name == "1.weight");
    CHECK(named[6].shape == std::vector<std::size_t>{2, 8});
}

namespace {
// A model used as a block (Keras's nesting): the same network as its layers written
// out, with its parameters one level deeper in the names.
using Encoder = Sequential<Input<8>, Dense<16>, ReLU, Dense<4>, Tanh>;
using Nested = Sequential<Input<8>, Encoder, Dense<3>>;
using Flat = Sequential<Input<8>, Dense<16>, ReLU, Dense<4>, Tanh, Dense<3>>;
static_assert(std::is_same_v<Nested::output_shape, Shape<3>>);
static_assert(Nested::param_count == Flat::param_count);
// Bound where it is used, a model is the chain its layers make without the Input.
static_assert(std::is_same_v<Encoder::bind<Shape<8>>, Sequential<Dense<16>, ReLU, Dense<4>, Tanh>::bind<Shape<8>>>);
// Residual and Repeat take one as their block.
static_assert(Sequential<Input<4>, Residual<Sequential<Input<4>, Dense<4>>>, Repeat<2, Sequential<Input<4>, Dense<4>>>>::
                  param_count == 3 * 20);
// A single copy may change the shape (no copy is given its output).
static_assert(std::is_same_v<Sequential<Input<6>, Repeat<1, Dense<5>>>::output_shape, Shape<5>>);

std::vector<float> values(std::span<const float> s) { return {s.begin(), s.end()}; }
}  // namespace

TEST_CASE("a model used as a block computes and trains as its layers written out") {
    Model<Nested> nested{Seed{3}};
    Model<Flat> flat{Seed{3}};
    // The same seed draws the same weights, in the same order.
    REQUIRE(values(nested.parameters()) == values(flat.parameters()));

    const auto names = nested.named_parameters();
    REQUIRE(names.size() == 6);
    CHECK(names[0].name == "0.0.weight");
    CHECK(names[0].shape == std::vector<std::size_t>{16, 8});
    CHECK(names[3].name == "0.2.bias");
    CHECK(names[5].name == "1.bias");
    CHECK(flat.named_parameters()[3].name == "2.bias");

    // The same batches, the same steps: the same bits, outputs and weights.
    Rng rng{Seed{11}};
    constexpr std::size_t batch = 5;
    std::vector<float> x(batch * 8), targets(batch);
    Adam adam_nested{{.lr = 0.01f}}, adam_flat{{.lr = 0.01f}};
    for (int step = 0; step < 20; ++step) {
        for (float& v : x) v = rng.uniform(-1.f, 1.f);
        for (std::size_t b = 0; b < batch; ++b) targets[b] = float((step + b) % 3);
        std::copy(x.begin(), x.end(), nested.input(batch));
        std::copy(x.begin(), x.end(), flat.input(batch));
        const StepResult a = nested.train_step(batch, targets.data(), SoftmaxCrossEntropy{}, adam_nested);
        const StepResult b = flat.train_step(batch, targets.data(), SoftmaxCrossEntropy{}, adam_flat);
        REQUIRE(a.loss == b.loss);
    }
    CHECK(values(nested.parameters()) == values(flat.parameters()));
    const std::vector<float> sample(x.begin(), x.begin() + 8);
    CHECK(nested.predict(sample) == flat.predict(sample));
}
