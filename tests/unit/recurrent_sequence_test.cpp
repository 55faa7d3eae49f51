// Recurrent layers in models: padding changes nothing (a padded batch gives the loss
// and gradients of its samples run alone, unpadded), Stateful carries state from
// call to call until reset_state, and Dropout between stacked LSTMs.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <typenet/typenet.hpp>

#include "../support/gradient_check.hpp"
#include "recurrent_test_support.hpp"

using namespace tn;

namespace {
template <std::size_t T>
using Classifier = Sequential<Tokens<T>, Embedding<9, 4>, LSTM<5, LastState>, Dense<3>>;
template <std::size_t T>
using Tagger = Sequential<Tokens<T>, Embedding<9, 4>, Bidirectional<GRU<5>>, RNN<3>, Dense<3>>;
template <std::size_t T>
using Regressor = Sequential<Input<T, 2>, Bidirectional<LSTM<4, LastState>, Sum>, Dense<2>>;

// The loss and gradients of one sample alone, in a model whose input is exactly its
// length, with the padded model's parameters.
template <template <std::size_t> class Net, std::size_t L, class Loss>
std::pair<double, std::vector<float>> alone(const std::vector<float>& params, const std::vector<float>& x,
                                            const std::vector<float>& targets) {
    using M = Model<Net<L>>;
    M m;
    std::copy(params.begin(), params.end(), m.parameters().begin());
    std::copy(x.begin(), x.begin() + std::ptrdiff_t(M::input_size), m.input(1));
    auto y = m.forward(1, true);
    std::vector<float> dy(y.size());
    const double loss = Loss::template compute<typename M::output_shape>(y.data(), targets.data(), dy.data(), 1);
    m.backward(dy.data());
    return {loss, {m.gradients().begin(), m.gradients().end()}};
}

// The padded batch's loss and gradients, and the input gradient at padded positions.
template <class M, class Loss>
std::pair<double, std::vector<float>> padded_run(M& m, const std::vector<std::vector<float>>& xs,
                                                 const std::vector<std::uint32_t>& lengths,
                                                 const std::vector<float>& targets, std::vector<float>* d_input = nullptr) {
    const std::size_t n = xs.size();
    float* x = m.input(n);
    for (std::size_t b = 0; b < n; ++b) std::copy(xs[b].begin(), xs[b].end(), x + b * M::input_size);
    std::copy(lengths.begin(), lengths.end(), m.lengths(n));
    auto y = m.forward(n, true);
    std::vector<float> dy(y.size());
    const double loss = Loss::template compute<typename M::output_shape>(y.data(), targets.data(), dy.data(), n);
    if (d_input) d_input->assign(M::input_size * n, 0.f);
    m.backward(dy.data(), d_input ? d_input->data() : nullptr);
    return {loss, {m.gradients().begin(), m.gradients().end()}};
}

void check_same(double loss, double expected_loss, const std::vector<float>& g, const std::vector<float>& expected) {
    CHECK(loss == doctest::Approx(expected_loss).epsilon(1e-6));
    REQUIRE(g.size() == expected.size());
    for (std::size_t i = 0; i < g.size(); ++i)
        CHECK(g[i] == doctest::Approx(expected[i]).epsilon(1e-5).scale(0.1));
}
}  // namespace

TEST_CASE("Padding changes neither the loss nor any gradient: LSTM classifier") {
    Model<Classifier<6>> padded{Seed{7}};
    const std::vector<float> params(padded.parameters().begin(), padded.parameters().end());
    // The padding holds ids that would change the result if anything read them.
    const std::vector<std::vector<float>> ids{{1, 2, 3, 4, 5, 6}, {7, 8, 5, 5, 5, 5}, {3, 1, 4, 1, 8, 8}};
    const std::vector<float> labels{0, 2, 1};
    const auto [loss, g] = padded_run<Model<Classifier<6>>, SoftmaxCrossEntropy>(padded, ids, {6, 2, 4}, labels);
    const auto a = alone<Classifier, 6, SoftmaxCrossEntropy>(params, ids[0], {labels[0]});
    const auto b = alone<Classifier, 2, SoftmaxCrossEntropy>(params, ids[1], {labels[1]});
    const auto c = alone<Classifier, 4, SoftmaxCrossEntropy>(params, ids[2], {labels[2]});
    std::vector<float> expected(g.size());
    for (std::size_t i = 0; i < g.size(); ++i) expected[i] = (a.second[i] + b.second[i] + c.second[i]) / 3;
    check_same(loss, (a.first + b.first + c.first) / 3, g, expected);
}

TEST_CASE("Padding changes neither the loss nor any gradient: bidirectional GRU tagger, per-token loss") {
    Model<Tagger<5>> padded{Seed{9}};
    const std::vector<float> params(padded.parameters().begin(), padded.parameters().end());
    const std::vector<std::vector<float>> ids{{1, 2, 3, 4, 5}, {6, 7, 0, 3, 0}};
    const std::vector<std::vector<float>> tags{{0, 1, 2, 0, 1}, {2, 2, -1, -1, -1}};
    std::vector<float> targets = tags[0];
    targets.insert(targets.end(), tags[1].begin(), tags[1].end());
    const auto [loss, g] = padded_run<Model<Tagger<5>>, TokenCrossEntropy>(padded, ids, {5, 2}, targets);
    const auto a = alone<Tagger, 5, TokenCrossEntropy>(params, ids[0], tags[0]);
    const auto b = alone<Tagger, 2, TokenCrossEntropy>(params, ids[1], {tags[1][0], tags[1][1]});
    std::vector<float> expected(g.size());
    for (std::size_t i = 0; i < g.size(); ++i) expected[i] = (5 * a.second[i] + 2 * b.second[i]) / 7;
    check_same(loss, (5 * a.first + 2 * b.first) / 7, g, expected);
}

TEST_CASE("Padding changes neither the loss nor any gradient: float features, and their gradient is 0 there") {
    Model<Regressor<4>> padded{Seed{3}};
    const std::vector<float> params(padded.parameters().begin(), padded.parameters().end());
    const std::vector<std::vector<float>> xs{{0.1f, -0.5f, 0.7f, 0.2f, 9, 9, 9, 9}, {1, 0.3f, -0.2f, 0.4f, 0.5f, -1, 0, 0.6f}};
    const std::vector<float> targets{0.5f, -0.5f, 0.2f, 0.1f};
    std::vector<float> dx;
    const auto [loss, g] = padded_run<Model<Regressor<4>>, MSE>(padded, xs, {2, 4}, targets, &dx);
    const auto a = alone<Regressor, 2, MSE>(params, xs[0], {targets[0], targets[1]});
    const auto b = alone<Regressor, 4, MSE>(params, xs[1], {targets[2], targets[3]});
    std::vector<float> expected(g.size());
    for (std::size_t i = 0; i < g.size(); ++i) expected[i] = (a.second[i] + b.second[i]) / 2;
    check_same(loss, (a.first + b.first) / 2, g, expected);
    for (std::size_t i = 4; i < 8; ++i) CHECK(dx[i] == 0.f);  // sample 0's positions 2 and 3
    CHECK(dx[0] != 0.f);
}

TEST_CASE("Stateful: a long sequence in two calls is the sequence in one call, until reset_state") {
    // Stateful LSTM over 3 + 3 steps against the plain LSTM over all 6.
    using Whole = Sequential<Input<6, 2>, LSTM<4>>;
    using Half = Sequential<Input<3, 2>, LSTM<4, Stateful>>;
    Model<Whole> whole{Seed{5}};
    Model<Half> half;
    std::copy(whole.parameters().begin(), whole.parameters().end(), half.parameters().begin());
    const std::vector<float> x = testing::uniform_values(2 * 12, 11);
    std::copy(x.begin(), x.end(), whole.input(2));
    const auto all = whole.forward(2);
    auto run_half = [&](std::size_t from) {  // steps from..from+2 of both samples
        float* in = half.input(2);
        for (std::size_t b = 0; b < 2; ++b) std::copy_n(x.data() + b * 12 + from * 2, 6, in + b * 6);
        const auto y = half.forward(2, true);  // training writes the state too
        return std::vector<float>(y.begin(), y.end());
    };
    const auto first = run_half(0), second = run_half(3);
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t i = 0; i < 12; ++i) {
            CHECK(first[b * 12 + i] == doctest::Approx(all[b * 24 + i]).epsilon(1e-6));
            CHECK(second[b * 12 + i] == doctest::Approx(all[b * 24 + 12 + i]).epsilon(1e-6));
        }
    // After reset_state the second half starts from zero: the output of a fresh start.
    half.reset_state();
    const auto again = run_half(0);
    CHECK(again == first);
    half.reset_state();
    const auto fresh_second = run_half(3);
    CHECK(fresh_second != second);
    // A sample that stops early leaves the state at its last real position.
    half.reset_state();
    float* in = half.input(1);
    std::copy_n(x.data(), 6, in);
    half.lengths(1)[0] = 2;
    half.forward(1);
    std::copy_n(x.data() + 4, 6, half.input(1));  // continues from step 2
    const auto continued = half.forward(1);
    Model<Sequential<Input<5, 2>, LSTM<4>>> five;
    std::copy(whole.parameters().begin(), whole.parameters().end(), five.parameters().begin());
    std::copy_n(x.data(), 10, five.input(1));
    const auto reference = five.forward(1);
    for (std::size_t i = 0; i < 12; ++i) CHECK(continued[i] == doctest::Approx(reference[8 + i]).epsilon(1e-6));
}

TEST_CASE("Dropout between stacked LSTMs: per element in training, identity in evaluation, gradients exact") {
    using Net = Sequential<Input<5, 3>, LSTM<6>, Dropout<30>, LSTM<4>>;
    static_assert(std::is_same_v<Net::output_shape, Shape<5, 4>>);
    Model<Net> model{Seed{2}};
    std::vector<std::string> names;
    for (const auto& t : model.named_parameters()) names.push_back(t.name);
    REQUIRE(names.size() == 8);
    CHECK(names[0].ends_with("0.weight_ih_l0"));
    CHECK(names[4].ends_with("2.weight_ih_l0"));  // the second LSTM is layer 2
    const auto x = testing::uniform_values(2 * 15, 4);
    std::copy(x.begin(), x.end(), model.input(2));
    auto copy = [](std::span<const float> s) { return std::vector<float>(s.begin(), s.end()); };
    const auto evaluated = copy(model.forward(2));
    CHECK(copy(model.forward(2)) == evaluated);  // no dropout in evaluation
    const auto trained = copy(model.forward(2, true));
    // The first LSTM's output after Dropout: about 30% zeros in training.
    std::size_t zeros = 0, total = 0;
    model.for_each_layer_output([&](std::size_t i, const std::string&, std::span<const float> v) {
        if (i != 1) return;
        for (float f : v) zeros += f == 0.f, ++total;
    });
    CHECK(total == 2 * 5 * 6);
    CHECK(zeros > total / 10);
    CHECK(zeros < total / 2);
    CHECK(trained != evaluated);
    CHECK_GRADIENTS((testing::check_gradients<Net>(MSE{}, {.batch = 2})));
    CHECK_GRADIENTS((testing::check_gradients<Net>(MSE{}, {.batch = 3, .lengths = {5, 1, 3}})));
}

TEST_CASE("An LSTM language model trains with fit: the loss falls") {
    // Predict the next id of a cycle 0 1 2 3 4 0 1 ...: needs the previous ids.
    using Net = Sequential<Tokens<8>, Embedding<5, 8>, LSTM<16>, Dense<5>>;
    Dataset data("cycles", 8, 8);
    for (int s = 0; s < 40; ++s) {
        std::vector<std::int32_t> ids(8);
        std::vector<float> next(8);
        for (int t = 0; t < 8; ++t) ids[std::size_t(t)] = (s + t) % 5, next[std::size_t(t)] = float((s + t + 1) % 5);
        data.add_sequence(ids, next);
    }
    Model<Net> model{Seed{1}};
    const auto history = fit(model, data, TokenCrossEntropy{}, Adam{{.lr = 0.02f}},
                             {.epochs = 25, .batch = 8, .verbosity = Verbosity::Quiet});
    CHECK(history.epochs.back().loss < 0.1f * history.epochs.front().loss);
}
