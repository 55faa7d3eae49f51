// LSTM<H>: forward against a loop over PyTorch's equations, gradients against finite
// differences, with lengths, LastState and Stateful (recurrent_test_support.hpp).
#include <doctest/doctest.h>

#include <typenet/typenet.hpp>

#include "../support/gradient_check.hpp"
#include "recurrent_test_support.hpp"

using namespace tn;
using tn::testing::Cell;

TEST_CASE("LSTM: shapes, parameter names and counts are PyTorch's") {
    using Net = Sequential<Input<7, 3>, LSTM<5>>;
    static_assert(std::is_same_v<Net::output_shape, Shape<7, 5>>);
    static_assert(std::is_same_v<Sequential<Input<7, 3>, LSTM<5, LastState>>::output_shape, Shape<5>>);
    static_assert(Net::param_count == 4 * 5 * 3 + 4 * 5 * 5 + 2 * 4 * 5);  // torch: 200
    static_assert(Model<Net>::state_size == 0);
    static_assert(Model<Sequential<Input<7, 3>, LSTM<5, Stateful>>>::state_size == 10);
    Model<Net> model{Seed{1}};
    const auto named = model.named_parameters();
    REQUIRE(named.size() == 4);
    CHECK(named[0].name.ends_with("0.weight_ih_l0"));
    CHECK(named[0].shape == std::vector<std::size_t>{20, 3});
    CHECK(named[1].name.ends_with("0.weight_hh_l0"));
    CHECK(named[1].shape == std::vector<std::size_t>{20, 5});
    CHECK(named[2].name.ends_with("0.bias_ih_l0"));
    CHECK(named[3].name.ends_with("0.bias_hh_l0"));
    // PyTorch's initialisation: U(-1/sqrt(H), 1/sqrt(H)) everywhere, biases too.
    const float a = 1.f / std::sqrt(5.f);
    float lo = 1, hi = -1;
    for (float v : model.parameters()) lo = std::min(lo, v), hi = std::max(hi, v);
    CHECK(lo >= -a);
    CHECK(hi <= a);
    CHECK(lo < -0.8f * a);
    CHECK(hi > 0.8f * a);
    CHECK(LSTM<5, LastState, Stateful>::name() == "LSTM<5, LastState, Stateful>");
}

TEST_CASE("LSTM: forward matches the reference loop, with lengths") {
    testing::check_forward_against_reference<LSTM<5>, 6, 3, 5>(Cell::Lstm, 1);
    testing::check_forward_against_reference<LSTM<5, LastState>, 6, 3, 5>(Cell::Lstm, 2);
    // 37: more than two vectors and a tail, whatever the SIMD width.
    testing::check_forward_against_reference<LSTM<37>, 4, 9, 37>(Cell::Lstm, 3);
}

TEST_CASE("LSTM, Stateful: the next call starts where the last ended, per sample") {
    testing::check_forward_against_reference<LSTM<4, Stateful>, 5, 2, 4>(Cell::Lstm, 4);
    testing::check_forward_against_reference<LSTM<4, Stateful, LastState>, 5, 2, 4>(Cell::Lstm, 5);
}

TEST_CASE("LSTM: gradients match finite differences") {
    using Seq = Sequential<Input<5, 3>, LSTM<4>>;
    using Last = Sequential<Input<5, 3>, LSTM<4, LastState>, Dense<2>>;
    CHECK_GRADIENTS((testing::check_gradients<Seq>(MSE{}, {.batch = 3})));
    CHECK_GRADIENTS((testing::check_gradients<Seq>(MSE{}, {.batch = 3, .lengths = {5, 2, 1}})));
    CHECK_GRADIENTS((testing::check_gradients<Last>(MSE{}, {.batch = 3})));
    CHECK_GRADIENTS((testing::check_gradients<Last>(MSE{}, {.batch = 3, .lengths = {3, 5, 1}})));
    // Stateful, first call (the check resets the state before each forward).
    CHECK_GRADIENTS((testing::check_gradients<Sequential<Input<5, 3>, LSTM<4, Stateful>>>(MSE{}, {.batch = 2})));
}

TEST_CASE("LSTM, Stateful: a second call's gradients treat the state it starts from as a constant") {
    using L = LSTM<4, Stateful>::bind<Shape<5, 3>>;
    const auto params = testing::uniform_values(L::param_count, 6, 0.5f);
    const auto x = testing::uniform_values(2 * 15, 7);
    const auto start = testing::uniform_values(2 * 8, 8, 0.8f);  // as a first call leaves it
    const auto weights = testing::uniform_values(2 * 20, 9);
    const auto r = testing::check_layer_gradients<L>(params, x, weights, 2, {5, 3}, start);
    CHECK_MESSAGE(r.passed(), r.worst);
}

TEST_CASE("LSTM: results are bit-identical on 1 and 2 threads, training and one-step generation") {
    using Generator = Sequential<Tokens<1>, Embedding<11, 24>, LSTM<40, Stateful>, Dense<11>>;
    using Trainee = Sequential<Input<6, 24>, LSTM<40>, Dense<3>>;
    auto generate = [](int threads) {
        set_threads(threads);
        Model<Generator> m{Seed{3}};
        std::vector<float> out;
        for (int step = 0; step < 5; ++step) {  // batch 1: the threads split the weights' rows
            m.input(1)[0] = float(step * 3 % 11);
            const auto y = m.forward(1);
            out.insert(out.end(), y.begin(), y.end());
        }
        return out;
    };
    auto train = [](int threads) {
        set_threads(threads);
        Model<Trainee> m{Seed{4}};
        const auto x = testing::uniform_values(5 * 6 * 24, 5);
        std::copy(x.begin(), x.end(), m.input(5));
        const auto y = m.forward(5, true);
        std::vector<float> out(y.begin(), y.end());
        m.backward(out.data());
        out.insert(out.end(), m.gradients().begin(), m.gradients().end());
        return out;
    };
    const int before = threads();
    const auto g1 = generate(1), g2 = generate(2);
    const auto t1 = train(1), t2 = train(2);
    set_threads(before);
    CHECK(g1 == g2);
    CHECK(t1 == t2);
}
