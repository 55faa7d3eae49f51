// The sequence core: token inputs, per-sample lengths, losses that skip padding,
// state that survives calls (core/tokens.hpp, core/layer.hpp's Pass, model.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <typenet/typenet.hpp>

#include "../support/gradient_check.hpp"
#include "../support/error_of.hpp"

using namespace tn;

namespace {

// A stateful layer for the test alone: y = x + s, then s = y, per sample: what a
// stateful recurrent layer does with its last hidden state, with nothing else.
struct RunningSum {
    template <class In>
    struct bind {
        using input_shape = In;
        using output_shape = In;
        static constexpr std::size_t state_size = In::size;
        static std::string name() { return "RunningSum"; }
        static void forward(const Pass& p, const float*, const float* x, float* y, float*, float*) {
            for (std::size_t b = 0; b < p.batch; ++b) {
                float* s = p.state + b * p.state_stride;
                for (std::size_t k = 0; k < In::size; ++k) s[k] = y[b * In::size + k] = x[b * In::size + k] + s[k];
            }
        }
        static void backward(const Pass& p, const float*, const float*, const float*, const float* dy, float* dx,
                             float*, const float*, float*) {
            if (dx) std::copy_n(dy, p.batch * In::size, dx);
        }
    };
};

}  // namespace

TEST_CASE("Tokens<T> and Embedding: rows of the table, ids as integers in the API") {
    using Net = Sequential<Tokens<4>, Embedding<5, 3>>;
    static_assert(std::is_same_v<Model<Net>::output_shape, Shape<4, 3>>);
    static_assert(Model<Net>::token_input && Model<Net>::token_limit == 5 && Model<Net>::max_length == 4);
    Model<Net> model{Seed{3}};
    auto table = model.parameter("0.weight").values;
    const std::vector<std::int32_t> ids{4, 0, 2};
    const auto out = model.predict(std::span<const std::int32_t>(ids));
    REQUIRE(out.size() == 12);
    for (std::size_t t = 0; t < ids.size(); ++t)
        for (std::size_t k = 0; k < 3; ++k) CHECK(out[t * 3 + k] == table[std::size_t(ids[t]) * 3 + k]);

    // An id outside the vocabulary names itself and its position.
    const std::vector<std::int32_t> bad{1, 5};
    CHECK(support::error_of([&] { model.predict(std::span<const std::int32_t>(bad)); }) ==
          "Model::predict: token id 5 at position 1 is outside the vocabulary (0 to 4)");
    // ... and so does forward on a batch filled by hand.
    float* x = model.input(2);
    std::fill_n(x, 8, 1.f);
    x[4 + 2] = 9.f;
    CHECK(support::error_of([&] { model.forward(2); }).find("Embedding<5, 3>: sample 1 of the batch, position 2: token id 9") !=
          std::string::npos);
    // Float features are not ids.
    const std::vector<float> features(4, 0.f);
    CHECK(support::error_of([&] { model.predict(std::span<const float>(features)); }).find("reads token ids") !=
          std::string::npos);
}

TEST_CASE("Embedding with PaddingId: the padding row starts at zero and never trains") {
    using Net = Sequential<Tokens<3>, Embedding<4, 2, PaddingId<0>>, Dense<3>>;
    Model<Net> model{Seed{5}};
    auto table = model.parameter("0.weight");
    CHECK(table.values[0] == 0.f);
    CHECK(table.values[1] == 0.f);
    const float ids[] = {0, 2, 0, 1, 0, 3};
    std::copy(std::begin(ids), std::end(ids), model.input(2));
    const std::vector<float> targets{0, 1, 2, 2, 1, 0};
    auto y = model.forward(2, true);
    std::vector<float> dy(y.size());
    TokenCrossEntropy::compute<Model<Net>::output_shape>(y.data(), targets.data(), dy.data(), 2);
    model.backward(dy.data());
    CHECK(table.gradients[0] == 0.f);
    CHECK(table.gradients[1] == 0.f);
    CHECK(table.gradients[2 * 2] != 0.f);  // id 2 was used
}

TEST_CASE("Embedding's gradient matches finite differences, with and without lengths") {
    using Net = Sequential<Tokens<5>, Embedding<7, 3>, Dense<4>, Tanh, Dense<6>>;
    CHECK_GRADIENTS((testing::check_gradients<Net>(TokenCrossEntropy{}, {.batch = 3})));
    CHECK_GRADIENTS((testing::check_gradients<Net>(TokenCrossEntropy{}, {.batch = 3, .lengths = {5, 2, 1}})));
}

TEST_CASE("MeanOverTime averages the real positions only; its gradient matches finite differences") {
    using Net = Sequential<Input<4, 3>, MeanOverTime, Dense<2>>;
    Model<Net> model{Seed{1}};
    float* x = model.input(2);
    for (std::size_t i = 0; i < 24; ++i) x[i] = float(i);
    std::uint32_t* lengths = model.lengths(2);
    lengths[0] = 2;
    lengths[1] = 4;
    model.forward(2);
    // Looking inside: MeanOverTime's output is layer 0's.
    std::vector<float> mean;
    model.for_each_layer_output([&](std::size_t i, const std::string&, std::span<const float> v) {
        if (i == 0) mean.assign(v.begin(), v.end());
    });
    REQUIRE(mean.size() == 6);
    CHECK(mean[0] == doctest::Approx((0 + 3) / 2.0));       // sample 0: positions 0, 1
    CHECK(mean[3] == doctest::Approx((12 + 15 + 18 + 21) / 4.0));  // sample 1: all four
    CHECK_GRADIENTS((testing::check_gradients<Net>(MSE{}, {.batch = 3, .lengths = {4, 2, 1}})));
}

TEST_CASE("Lengths outside 1..T are refused, naming the sample") {
    Model<Sequential<Input<4, 3>, MeanOverTime>> model;
    model.input(2);
    std::uint32_t* lengths = model.lengths(2);
    lengths[0] = 4;
    lengths[1] = 5;
    CHECK(support::error_of([&] { model.forward(2); }) ==
          "Model::forward: sample 1 of the batch has length 5, but a length is 1 to 4 (the input is [4, 3])");
}

namespace {
// A padded batch must give the loss and gradients of its samples run alone,
// unpadded: the same parameters in a model whose Tokens<L> is each sample's length.
template <std::size_t T>
using Classifier = Sequential<Tokens<T>, Embedding<9, 4>, Dense<5>, Tanh, MeanOverTime, Dense<3>>;
template <std::size_t T>
using Tagger = Sequential<Tokens<T>, Embedding<9, 4>, Dense<5>, Tanh, Dense<3>>;

template <template <std::size_t> class Net, std::size_t L, class Loss>
std::pair<double, std::vector<float>> alone(const std::vector<float>& params, const std::vector<float>& ids,
                                            const std::vector<float>& targets, const Loss&) {
    Model<Net<L>> m;
    std::copy(params.begin(), params.end(), m.parameters().begin());
    std::copy(ids.begin(), ids.begin() + L, m.input(1));
    using Out = typename Model<Net<L>>::output_shape;
    auto y = m.forward(1, true);
    std::vector<float> dy(y.size());
    const double loss = Loss::template compute<Out>(y.data(), targets.data(), dy.data(), 1);
    m.backward(dy.data());
    return {loss, {m.gradients().begin(), m.gradients().end()}};
}
}  // namespace

TEST_CASE("Padding changes neither the loss nor any gradient (sequence classification)") {
    Model<Classifier<6>> padded{Seed{7}};
    const std::vector<float> params(padded.parameters().begin(), padded.parameters().end());
    // Three samples of lengths 6, 2, 4; the padding holds ids that would change the
    // result if anything read them.
    const std::vector<std::vector<float>> ids{{1, 2, 3, 4, 5, 6}, {7, 8, 5, 5, 5, 5}, {3, 1, 4, 1, 8, 8}};
    const std::vector<float> labels{0, 2, 1};
    float* x = padded.input(3);
    for (std::size_t b = 0; b < 3; ++b) std::copy(ids[b].begin(), ids[b].end(), x + 6 * b);
    std::uint32_t* lengths = padded.lengths(3);
    lengths[0] = 6, lengths[1] = 2, lengths[2] = 4;
    auto y = padded.forward(3, true);
    std::vector<float> dy(y.size());
    const double loss = SoftmaxCrossEntropy::compute<Shape<3>>(y.data(), labels.data(), dy.data(), 3);
    padded.backward(dy.data());

    const auto a = alone<Classifier, 6>(params, ids[0], {labels[0]}, SoftmaxCrossEntropy{});
    const auto b = alone<Classifier, 2>(params, ids[1], {labels[1]}, SoftmaxCrossEntropy{});
    const auto c = alone<Classifier, 4>(params, ids[2], {labels[2]}, SoftmaxCrossEntropy{});
    CHECK(loss == doctest::Approx((a.first + b.first + c.first) / 3).epsilon(1e-6));
    const auto g = padded.gradients();
    for (std::size_t i = 0; i < g.size(); ++i)
        // float sums in another order: equal to ~1e-6 of the gradients (<= 0.1) in size
        CHECK(g[i] == doctest::Approx((a.second[i] + b.second[i] + c.second[i]) / 3).epsilon(1e-5).scale(0.1));
}

TEST_CASE("Padding changes neither the loss nor any gradient (per-token loss, ignore id)") {
    Model<Tagger<5>> padded{Seed{9}};
    const std::vector<float> params(padded.parameters().begin(), padded.parameters().end());
    const std::vector<std::vector<float>> ids{{1, 2, 3, 4, 5}, {6, 7, 0, 0, 0}};
    const std::vector<std::vector<float>> tags{{0, 1, 2, 0, 1}, {2, 2, -1, -1, -1}};
    float* x = padded.input(2);
    std::vector<float> targets;
    for (std::size_t s = 0; s < 2; ++s) {
        std::copy(ids[s].begin(), ids[s].end(), x + 5 * s);
        targets.insert(targets.end(), tags[s].begin(), tags[s].end());
    }
    std::uint32_t* lengths = padded.lengths(2);
    lengths[0] = 5, lengths[1] = 2;
    auto y = padded.forward(2, true);
    std::vector<float> dy(y.size());
    using Out = Model<Tagger<5>>::output_shape;
    const double loss = TokenCrossEntropy::compute<Out>(y.data(), targets.data(), dy.data(), 2);
    CHECK(TokenCrossEntropy::counted<Out>(targets.data(), 2) == 7);
    padded.backward(dy.data());

    const auto a = alone<Tagger, 5>(params, ids[0], tags[0], TokenCrossEntropy{});
    const auto b = alone<Tagger, 2>(params, ids[1], {tags[1][0], tags[1][1]}, TokenCrossEntropy{});
    // Averaged over the 7 real tokens: 5 of sample 0, 2 of sample 1.
    CHECK(loss == doctest::Approx((5 * a.first + 2 * b.first) / 7).epsilon(1e-6));
    const auto g = padded.gradients();
    for (std::size_t i = 0; i < g.size(); ++i)
        CHECK(g[i] == doctest::Approx((5 * a.second[i] + 2 * b.second[i]) / 7).epsilon(1e-5).scale(0.1));
}

TEST_CASE("State survives calls per sample, whatever the batch size, until reset_state") {
    using Net = Sequential<Input<2>, RunningSum>;
    static_assert(Model<Net>::state_size == 2);
    Model<Net> model;
    auto run = [&](std::vector<float> x) {
        const std::size_t n = x.size() / 2;
        std::copy(x.begin(), x.end(), model.input(n));
        auto y = model.forward(n);
        return std::vector<float>(y.begin(), y.end());
    };
    CHECK(run({1, 2, 10, 20}) == std::vector<float>{1, 2, 10, 20});
    CHECK(run({1, 1, 1, 1}) == std::vector<float>{2, 3, 11, 21});
    CHECK(run({1, 1}) == std::vector<float>{3, 4});                  // a smaller batch: sample 0 goes on
    CHECK(run({0, 0, 0, 0, 5, 5}) == std::vector<float>{3, 4, 11, 21, 5, 5});  // a larger one keeps both
    model.reset_state();
    CHECK(run({1, 1}) == std::vector<float>{1, 1});
}

TEST_CASE("Dataset of token ids: add_sequence pads and records lengths; slice and gather carry them") {
    Dataset d("toy", 4, 1);
    d.add_sequence(std::vector<std::int32_t>{3, 1, 2, 2}, std::vector<float>{1});
    d.add_sequence(std::vector<std::int32_t>{5}, std::vector<float>{0}, 7);
    REQUIRE(d.size() == 2);
    CHECK(d.lengths == std::vector<std::uint32_t>{4, 1});
    CHECK(d.tokens == std::vector<std::int32_t>{3, 1, 2, 2, 5, 7, 7, 7});
    const Dataset tail = d.slice(1, 2);
    CHECK(tail.lengths == std::vector<std::uint32_t>{1});
    std::vector<float> x(8), t(2);
    std::vector<std::uint32_t> lengths(2);
    const std::size_t order[] = {1, 0};
    d.gather(order, x.data(), t.data(), lengths.data());
    CHECK(x == std::vector<float>{5, 7, 7, 7, 3, 1, 2, 2});
    CHECK(lengths == std::vector<std::uint32_t>{1, 4});
    d.lengths.pop_back();
    CHECK(support::error_of([&] { d.validate(); }) == "toy: it holds 1 lengths for 2 samples; give one per sample or none");
    CHECK(support::error_of([&] { d.add_sequence(std::vector<std::int32_t>{1, 2, 3, 4, 5}, std::vector<float>{0}); })
              .find("needs 1 to 4 token ids") != std::string::npos);
}

TEST_CASE("fit on token ids: learns, weights the loss by real tokens, names bad data") {
    // Tag each token with its id mod 3: a per-token task an embedding solves.
    using Net = Sequential<Tokens<6>, Embedding<12, 8>, Dense<3>>;
    Dataset train("tags", 6, 6);
    Rng rng{Seed{4}};
    for (int s = 0; s < 64; ++s) {
        const std::size_t length = 1 + rng.below(6);
        std::vector<std::int32_t> ids(length);
        std::vector<float> tags(6, TokenCrossEntropy::ignore_id);
        for (std::size_t t = 0; t < length; ++t) {
            ids[t] = std::int32_t(rng.below(12));
            tags[t] = float(ids[t] % 3);
        }
        train.add_sequence(ids, tags);
    }
    Model<Net> model{Seed{1}};
    const auto history = fit(model, train, TokenCrossEntropy{}, Adam{{.lr = 0.05f}},
                             {.epochs = 30, .batch = 16, .validation = train, .verbosity = Verbosity::Quiet});
    CHECK(history.epochs.back().val_accuracy == 1.f);
    CHECK(history.epochs.back().val_perplexity == doctest::Approx(std::exp(history.epochs.back().val_loss)));
    CHECK(history.epochs.back().loss < 0.1f * history.epochs.front().loss);

    Dataset bad = train;
    bad.tokens[6 * 3 + 2] = 12;
    CHECK(support::error_of([&] { evaluate(model, bad, TokenCrossEntropy{}); }) ==
          "evaluation set 'tags': sample 3, position 2: token id 12 is outside the vocabulary (0 to 11)");
    Dataset floats("floats", 6, 6);
    floats.add(std::vector<float>(6, 0.f), std::vector<float>(6, 0.f));
    CHECK(support::error_of([&] { evaluate(model, floats, TokenCrossEntropy{}); }).find("holds float features") !=
          std::string::npos);
    Dataset long_lengths = train;
    long_lengths.lengths[5] = 7;
    CHECK(support::error_of([&] { evaluate(model, long_lengths, TokenCrossEntropy{}); }) ==
          "evaluation set 'tags': sample 5 has length 7, but the model's input [6] takes 1 to 6");
    // -1 marks padding for TokenCrossEntropy only: SoftmaxCrossEntropy calls it a bad label.
    CHECK(support::error_of([&] { evaluate(model, train, SoftmaxCrossEntropy{}); }).find("is -1, but the model has 3") !=
          std::string::npos);
}
