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
    // Repeat (layers.0) > copy 0 (layers.0) > Residual (layers.0) > Dense (layers.0)
    CHECK(named[0].name == "layers.0.layers.0.layers.0.layers.0.weight");
    CHECK(named[0].shape == std::vector<std::size_t>{8, 8});
    CHECK(named[6].name == "layers.1.weight");
    CHECK(named[6].shape == std::vector<std::size_t>{2, 8});
}
