// RNN<H>: forward against a loop over PyTorch's equations, gradients against finite
// differences, with lengths, LastState and Stateful (recurrent_test_support.hpp).
#include <doctest/doctest.h>

#include <typenet/typenet.hpp>

#include "../support/gradient_check.hpp"
#include "recurrent_test_support.hpp"

using namespace tn;
using tn::testing::Cell;

TEST_CASE("RNN: shapes, parameter names and counts are PyTorch's") {
    using Net = Sequential<Input<7, 3>, RNN<5>>;
    static_assert(std::is_same_v<Net::output_shape, Shape<7, 5>>);
    static_assert(std::is_same_v<Sequential<Input<7, 3>, RNN<5, LastState>>::output_shape, Shape<5>>);
    static_assert(Net::param_count == 1 * 5 * 3 + 1 * 5 * 5 + 2 * 1 * 5);
    static_assert(Model<Sequential<Input<7, 3>, RNN<5, Stateful>>>::state_size == 5);
    Model<Net> model{Seed{1}};
    const auto named = model.named_parameters();
    REQUIRE(named.size() == 4);
    CHECK(named[0].name.ends_with("0.weight_ih_l0"));
    CHECK(named[0].shape == std::vector<std::size_t>{1 * 5, 3});
    CHECK(named[1].name.ends_with("0.weight_hh_l0"));
    CHECK(named[1].shape == std::vector<std::size_t>{1 * 5, 5});
    CHECK(named[2].name.ends_with("0.bias_ih_l0"));
    CHECK(named[3].name.ends_with("0.bias_hh_l0"));
    const float a = 1.f / std::sqrt(5.f);
    for (float v : model.parameters()) CHECK(std::abs(v) <= a);
    CHECK(RNN<5, ReturnSequences>::name() == "RNN<5, ReturnSequences>");
}

TEST_CASE("RNN: forward matches the reference loop, with lengths") {
    testing::check_forward_against_reference<RNN<5>, 6, 3, 5>(Cell::Rnn, 1);
    testing::check_forward_against_reference<RNN<5, LastState>, 6, 3, 5>(Cell::Rnn, 2);
    testing::check_forward_against_reference<RNN<37>, 4, 9, 37>(Cell::Rnn, 3);
}

TEST_CASE("RNN, Stateful: the next call starts where the last ended, per sample") {
    testing::check_forward_against_reference<RNN<4, Stateful>, 5, 2, 4>(Cell::Rnn, 4);
    testing::check_forward_against_reference<RNN<4, Stateful, LastState>, 5, 2, 4>(Cell::Rnn, 5);
}

TEST_CASE("RNN: gradients match finite differences") {
    using Seq = Sequential<Input<5, 3>, RNN<4>>;
    using Last = Sequential<Input<5, 3>, RNN<4, LastState>, Dense<2>>;
    CHECK_GRADIENTS((testing::check_gradients<Seq>(MSE{}, {.batch = 3})));
    CHECK_GRADIENTS((testing::check_gradients<Seq>(MSE{}, {.batch = 3, .lengths = {5, 2, 1}})));
    CHECK_GRADIENTS((testing::check_gradients<Last>(MSE{}, {.batch = 3})));
    CHECK_GRADIENTS((testing::check_gradients<Last>(MSE{}, {.batch = 3, .lengths = {3, 5, 1}})));
    CHECK_GRADIENTS((testing::check_gradients<Sequential<Input<5, 3>, RNN<4, Stateful>>>(MSE{}, {.batch = 2})));
}

TEST_CASE("RNN, Stateful: a second call's gradients treat the state it starts from as a constant") {
    using L = RNN<4, Stateful>::bind<Shape<5, 3>>;
    const auto params = testing::uniform_values(L::param_count, 6, 0.5f);
    const auto x = testing::uniform_values(2 * 15, 7);
    const auto start = testing::uniform_values(2 * 4, 8, 0.8f);  // as a first call leaves it
    const auto weights = testing::uniform_values(2 * 20, 9);
    const auto r = testing::check_layer_gradients<L>(params, x, weights, 2, {5, 3}, start);
    CHECK_MESSAGE(r.passed(), r.worst);
}
