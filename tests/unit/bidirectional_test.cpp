// Bidirectional<Layer, Concat|Sum>: the reverse copy reads each sample backwards
// within its length and its outputs are realigned; checked against the reference
// loop run on the reversed samples, and against finite differences.
#include <doctest/doctest.h>

#include <typenet/typenet.hpp>

#include "../support/gradient_check.hpp"
#include "recurrent_test_support.hpp"

using namespace tn;
using tn::testing::Cell;

namespace {
// The model's output for a batch of 3 (lengths T, 2, 1) against two reference runs
// per sample: forward on x, backward on x reversed within its length.
template <class Spec, std::size_t T, std::size_t D, std::size_t H>
void check_bidirectional_forward(Cell cell, bool sum, std::uint64_t seed) {
    using M = Model<Sequential<Input<T, D>, Spec>>;
    constexpr bool last_state = M::output_shape::rank == 1;
    constexpr std::size_t O = M::output_shape::dims[M::output_shape::rank - 1];
    static_assert(O == 2 * H || O == H);
    M model{Seed{seed}};
    const std::vector<float> params(model.parameters().begin(), model.parameters().end());
    const std::size_t half = params.size() / 2;
    const std::vector<std::uint32_t> lengths{std::uint32_t(T), 2, 1};
    const std::vector<float> x = testing::uniform_values(3 * T * D, seed + 1);
    std::copy(x.begin(), x.end(), model.input(3));
    std::copy(lengths.begin(), lengths.end(), model.lengths(3));
    const auto y = model.forward(3);
    for (std::size_t b = 0; b < 3; ++b) {
        const std::size_t L = lengths[b];
        const float* xb = x.data() + b * T * D;
        std::vector<float> reversed(T * D, 0.f);
        for (std::size_t t = 0; t < L; ++t) std::copy_n(xb + (L - 1 - t) * D, D, reversed.data() + t * D);
        const auto f = testing::reference_run(cell, params.data(), T, D, H, xb, L);
        const auto r = testing::reference_run(cell, params.data() + half, T, D, H, reversed.data(), L);
        for (std::size_t t = 0; t < (last_state ? 1 : T); ++t)
            for (std::size_t k = 0; k < H; ++k) {
                const double fv = last_state ? f.last[k] : f.outputs[t * H + k];
                const double rv = last_state ? r.last[k] : t < L ? r.outputs[(L - 1 - t) * H + k] : 0.0;
                const float* out = y.data() + (b * (last_state ? 1 : T) + t) * O;
                if (sum) {
                    CHECK(out[k] == doctest::Approx(fv + rv).epsilon(1e-5));
                } else {
                    CHECK(out[k] == doctest::Approx(fv).epsilon(1e-5));
                    CHECK(out[H + k] == doctest::Approx(rv).epsilon(1e-5));
                }
            }
    }
}
}  // namespace

TEST_CASE("Bidirectional: shapes and PyTorch's _reverse names") {
    using Net = Sequential<Input<6, 3>, Bidirectional<GRU<4>>>;
    static_assert(std::is_same_v<Net::output_shape, Shape<6, 8>>);
    static_assert(std::is_same_v<Sequential<Input<6, 3>, Bidirectional<GRU<4>, Sum>>::output_shape, Shape<6, 4>>);
    static_assert(std::is_same_v<Sequential<Input<6, 3>, Bidirectional<LSTM<4, LastState>>>::output_shape, Shape<8>>);
    // Another layer for the backward direction (Keras's backward_layer).
    static_assert(std::is_same_v<Sequential<Input<6, 3>, Bidirectional<LSTM<4>, Concat, GRU<2>>>::output_shape,
                                 Shape<6, 6>>);
    static_assert(Net::param_count == 2 * GRU<4>::bind<Shape<6, 3>>::param_count);
    Model<Net> model{Seed{2}};
    std::vector<std::string> names;
    for (const auto& t : model.named_parameters()) names.push_back(t.name.substr(t.name.rfind('.') + 1));
    CHECK(names == std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                            "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                                            "bias_hh_l0_reverse"});
    CHECK(Bidirectional<GRU<4>, Sum>::name() == "Bidirectional<GRU<4>, Sum>");
}

TEST_CASE("Bidirectional: forward matches the reference, reversed within each length") {
    check_bidirectional_forward<Bidirectional<LSTM<4>>, 5, 3, 4>(Cell::Lstm, false, 1);
    check_bidirectional_forward<Bidirectional<GRU<4>, Sum>, 5, 3, 4>(Cell::Gru, true, 2);
    check_bidirectional_forward<Bidirectional<RNN<4, LastState>>, 5, 3, 4>(Cell::Rnn, false, 3);
    check_bidirectional_forward<Bidirectional<LSTM<4, LastState>, Sum>, 5, 3, 4>(Cell::Lstm, true, 4);
}

TEST_CASE("Bidirectional: gradients match finite differences, concat and sum, with lengths") {
    using Concatenated = Sequential<Input<5, 3>, Bidirectional<LSTM<3>>>;
    using Summed = Sequential<Input<5, 3>, Bidirectional<GRU<3>, Sum>>;
    using Last = Sequential<Input<5, 3>, Bidirectional<RNN<3, LastState>>, Dense<2>>;
    using Mixed = Sequential<Input<5, 3>, Bidirectional<LSTM<3>, Concat, GRU<2>>>;
    CHECK_GRADIENTS((testing::check_gradients<Concatenated>(MSE{}, {.batch = 3})));
    CHECK_GRADIENTS((testing::check_gradients<Concatenated>(MSE{}, {.batch = 3, .lengths = {5, 2, 3}})));
    CHECK_GRADIENTS((testing::check_gradients<Summed>(MSE{}, {.batch = 3, .lengths = {1, 5, 4}})));
    CHECK_GRADIENTS((testing::check_gradients<Last>(MSE{}, {.batch = 3, .lengths = {5, 2, 1}})));
    CHECK_GRADIENTS((testing::check_gradients<Mixed>(MSE{}, {.batch = 2, .lengths = {4, 5}})));
}

TEST_CASE("Bidirectional in summary(): one row, with both directions' parameters") {
    Model<Sequential<Tokens<6>, Embedding<10, 3>, Bidirectional<LSTM<4>>, Dense<2>>> model;
    const std::string table = model.summary_table();
    CHECK(table.find("Bidirectional<LSTM<4>>") != std::string::npos);
    CHECK(table.find("[6, 8]") != std::string::npos);
    CHECK(table.find(std::to_string(2 * (16 * 3 + 16 * 4 + 32))) != std::string::npos);  // 288
}

TEST_CASE("Bidirectional of a block with buffers: each direction keeps its own running statistics") {
    using Net = Sequential<Input<4, 3>, Bidirectional<Sequential<Dense<5>, BatchNorm<>, Tanh>, Sum>, MeanOverTime>;
    Model<Net> model{Seed{1}};
    const auto buffers = model.named_buffers();
    REQUIRE(buffers.size() == 4);
    CHECK(buffers[0].name.ends_with("running_mean"));
    CHECK(buffers[2].name.ends_with("running_mean_reverse"));
    const auto x = testing::uniform_values(2 * 12, 3);
    std::copy(x.begin(), x.end(), model.input(2));
    model.lengths(2)[0] = 4, model.lengths(2)[1] = 2;
    model.forward(2, true);
    // Both directions saw the same positions, so... not the same values: the reverse
    // one normalised the reversed sequences with its own weights.
    CHECK(buffers[0].values[0] != 0.f);
    CHECK(buffers[2].values[0] != 0.f);
    CHECK(buffers[0].values[0] != buffers[2].values[0]);
    CHECK_GRADIENTS((testing::check_gradients<Net>(MSE{}, {.batch = 3})));
}
