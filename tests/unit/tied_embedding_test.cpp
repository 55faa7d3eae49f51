// TiedEmbedding (layers/tied_embedding.hpp) and the GPT composition
// (layers/transformer/gpt.hpp): the tied model computes what an Embedding and a
// bias-free Dense holding the same table compute, its gradient is the sum of theirs,
// it passes finite differences, and a GPT steps through its KV cache.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include <typenet/typenet.hpp>

#include "../support/gradient_check.hpp"

using namespace tn;

namespace {
constexpr std::size_t V = 9, D = 4, T = 5;
using Tied = Sequential<Tokens<T>, TiedEmbedding<V, D, LearnedPositions<T>, Dense<D>, Tanh>>;
using Untied = Sequential<Tokens<T>, Embedding<V, D>, LearnedPositions<T>, Dense<D>, Tanh, Dense<V, NoBias>>;
}  // namespace

TEST_CASE("TiedEmbedding: the table embeds and gives the logits; its gradient is both uses' sum") {
    Model<Tied> tied{Seed{4}};
    Model<Untied> untied{Seed{5}};
    const auto tp = tied.named_parameters();
    REQUIRE(tp.size() == 4);
    CHECK(tp[0].name == "0.weight");
    CHECK(tp[0].shape == std::vector<std::size_t>{V, D});
    CHECK(tp[1].name == "0.0.weight");  // the positions, Body's child 0
    CHECK(tp[2].name == "0.1.weight");
    CHECK(Model<Tied>::param_count + V * D == Model<Untied>::param_count);
    // The untied model with both tables equal to the tied one's, the rest copied.
    auto up = untied.named_parameters();
    std::copy(tp[0].values.begin(), tp[0].values.end(), up[0].values.begin());  // Embedding
    std::copy(tp[1].values.begin(), tp[1].values.end(), up[1].values.begin());  // positions
    std::copy(tp[2].values.begin(), tp[2].values.end(), up[2].values.begin());  // Dense weight
    std::copy(tp[3].values.begin(), tp[3].values.end(), up[3].values.begin());  // Dense bias
    std::copy(tp[0].values.begin(), tp[0].values.end(), up[4].values.begin());  // the head
    // The table starts at N(0, 0.02^2), not nn.Embedding's N(0, 1).
    double sq = 0;
    for (float w : tp[0].values) sq += double(w) * w;
    CHECK(std::sqrt(sq / double(V * D)) < 0.05);

    // One batch of two sequences (the second padded); the gradients are those of a
    // step whose update (lr 1e-30) leaves every float as it was.
    const std::vector<float> x{1, 4, 2, 8, 3, 7, 7, 5, 0, 0};
    const std::vector<float> targets{4, 2, 8, 3, 0, 7, 5, 1, -1, -1};
    const auto step = [&](auto& model) {
        std::copy(x.begin(), x.end(), model.input(2));
        model.lengths(2)[0] = 5;
        model.lengths(2)[1] = 3;
        SGD sgd{{.lr = 1e-30f}};
        return model.train_step(2, targets.data(), TokenCrossEntropy{}, sgd);
    };
    const auto a = step(tied);
    const auto b = step(untied);
    CHECK(a.loss == doctest::Approx(b.loss).epsilon(1e-6));
    const auto tg = tied.named_parameters(), ug = untied.named_parameters();
    for (std::size_t i = 0; i < V * D; ++i)
        CHECK(tg[0].gradients[i] == doctest::Approx(ug[0].gradients[i] + ug[4].gradients[i]).epsilon(1e-5));
    for (std::size_t k = 1; k < 4; ++k)
        for (std::size_t i = 0; i < tg[k].gradients.size(); ++i)
            CHECK(tg[k].gradients[i] == doctest::Approx(ug[k].gradients[i]).epsilon(1e-5));
}

TEST_CASE("TiedEmbedding: gradients match finite differences, with and without lengths") {
    CHECK_GRADIENTS((testing::check_gradients<Tied>(TokenCrossEntropy{}, {.batch = 3})));
    CHECK_GRADIENTS((testing::check_gradients<Tied>(TokenCrossEntropy{}, {.batch = 3, .lengths = {5, 2, 1}})));
    // A GPT's table and positions start at N(0, 0.02^2): a finite-difference step of
    // 0.01 is half their size, where the LayerNorm after them is far from linear. Moved
    // to a generic point (parameters + U(-0.5, 0.5)), the check measures the gradient.
    using Small = GPT<1, 8, 2, 6, 7, BlockDropout<0>>;
    CHECK_GRADIENTS((testing::check_gradients<Small>(TokenCrossEntropy{}, {.batch = 2, .parameter_noise = 0.5f})));
    CHECK_GRADIENTS((testing::check_gradients<Small>(
        TokenCrossEntropy{}, {.batch = 2, .parameter_noise = 0.5f, .lengths = {6, 3}})));
}

TEST_CASE("GPT: its KV cache steps to the whole network's log-probabilities") {
    using Net = GPT<2, 16, 4, 10, 13, BlockDropout<0>>;
    Model<Net> model{Seed{8}};
    const std::vector<std::int32_t> ids{3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
    std::fill_n(model.input(1), 10, 0.f);
    for (std::size_t t = 0; t < ids.size(); ++t) model.input(1)[t] = float(ids[t]);
    model.lengths(1)[0] = 10;
    const auto y = model.forward(1);
    std::vector<float> reference(y.begin(), y.end());
    log_softmax_rows(reference.data(), 10, 13);
    LanguageModelSession session(model);
    CHECK(session.has_kv_cache);
    CHECK(session.prompt(std::span<const std::int32_t>(ids).first(4)) == 1);
    session.begin(1);
    std::vector<float> lp(13);
    for (std::size_t t = 3; t < 10; ++t) {
        session.step(std::span<const std::int32_t>(ids).subspan(t, 1), lp.data());
        for (std::size_t v = 0; v < 13; ++v) CHECK(lp[v] == doctest::Approx(reference[t * 13 + v]).epsilon(1e-5));
    }
}
