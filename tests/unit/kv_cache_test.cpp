// The KV cache (MultiHeadAttention's KVCache<Context>) and LanguageModelSession
// (core/language_model_session.hpp): generation one token at a time gives the logits
// of the whole network run over the prefix, with and without a cache, from a prompt
// or from one start token, and greedy, beam search and the cache's errors behave.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include <typenet/core/language_model_session.hpp>
#include <typenet/decode/beam_search.hpp>
#include <typenet/decode/greedy.hpp>
#include <typenet/typenet.hpp>

#include "support/gradient_check.hpp"

namespace {

constexpr std::size_t V = 11, C = 12, D = 16;
template <class... Cache>
using GptOf = tn::Sequential<tn::Tokens<C>, tn::Embedding<V, D>, tn::LearnedPositions<C>,
                             tn::Repeat<2, tn::TransformerEncoderLayer<2, 32, tn::PreNorm, tn::GELU, tn::Causal,
                                                                       tn::BlockDropout<0>, Cache...>>,
                             tn::LayerNorm<>, tn::Dense<V>>;
using Cached = GptOf<tn::KVCache<C>>;
using Uncached = GptOf<>;

// The whole network's log-probabilities at every position of `ids` (one sample).
std::vector<float> full_log_probs(tn::Model<Uncached>& model, std::span<const std::int32_t> ids) {
    std::fill_n(model.input(1), C, 0.f);
    for (std::size_t t = 0; t < ids.size(); ++t) model.input(1)[t] = float(ids[t]);
    model.lengths(1)[0] = std::uint32_t(ids.size());
    const auto y = model.forward(1);
    std::vector<float> out(y.begin(), y.begin() + std::ptrdiff_t(ids.size() * V));
    tn::log_softmax_rows(out.data(), ids.size(), V);
    return out;
}

template <class Net>
void copy_parameters(const tn::Model<Uncached>& from, tn::Model<Net>& to) {
    REQUIRE(from.parameters().size() == to.parameters().size());
    std::copy(from.parameters().begin(), from.parameters().end(), to.parameters().begin());
}

}  // namespace

TEST_CASE("KVCache: the same parameters and names, state 2 x Context x D per attention layer") {
    CHECK(tn::Model<Cached>::param_count == tn::Model<Uncached>::param_count);
    CHECK(tn::Model<Uncached>::state_size == 0);
    CHECK(tn::Model<Cached>::state_size == 2 * (2 * C * D));
    tn::Model<Cached> cached{tn::Seed{1}};
    tn::Model<Uncached> plain{tn::Seed{1}};
    std::vector<std::string> a, b;
    for (const auto& t : cached.named_parameters()) a.push_back(t.name);
    for (const auto& t : plain.named_parameters()) b.push_back(t.name);
    CHECK(a == b);
    CHECK(std::find(a.begin(), a.end(), "2.0.self_attn.in_proj_weight") != a.end());
}

TEST_CASE("KVCache: a training forward and backward are those of the layer without the cache") {
    tn::Model<Uncached> plain{tn::Seed{3}};
    tn::Model<Cached> cached{tn::Seed{4}};
    copy_parameters(plain, cached);
    const std::vector<std::int32_t> ids{1, 5, 2, 7, 3, 3, 9};
    std::fill_n(plain.input(1), C, 0.f);
    std::fill_n(cached.input(1), C, 0.f);
    for (std::size_t t = 0; t < ids.size(); ++t) plain.input(1)[t] = cached.input(1)[t] = float(ids[t]);
    plain.lengths(1)[0] = cached.lengths(1)[0] = std::uint32_t(ids.size());
    const auto y0 = plain.forward(1, true);
    const std::vector<float> first(y0.begin(), y0.end());
    const auto y1 = cached.forward(1, true);
    REQUIRE(first.size() == y1.size());
    for (std::size_t i = 0; i < first.size(); ++i) CHECK(y1[i] == first[i]);
}

TEST_CASE("LanguageModelSession: each step's log-probabilities are the whole network's, cached or not") {
    tn::Model<Uncached> plain{tn::Seed{7}};
    tn::Model<Cached> cached{tn::Seed{8}};
    copy_parameters(plain, cached);
    tn::LanguageModelSession with_cache(cached);
    tn::LanguageModelSession without(plain);
    CHECK(with_cache.has_kv_cache);
    CHECK(!without.has_kv_cache);
    const std::vector<std::int32_t> ids{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8};
    const auto reference = full_log_probs(plain, ids);
    with_cache.begin(1);
    without.begin(1);
    std::vector<float> a(V), b(V);
    double largest = 0;
    for (std::size_t t = 0; t < C; ++t) {
        with_cache.step(std::span<const std::int32_t>(ids).subspan(t, 1), a.data());
        without.step(std::span<const std::int32_t>(ids).subspan(t, 1), b.data());
        for (std::size_t v = 0; v < V; ++v) {
            largest = std::max(largest, double(std::abs(a[v] - reference[t * V + v])));
            CHECK(b[v] == doctest::Approx(reference[t * V + v]).epsilon(1e-5));
        }
    }
    CHECK(largest < 1e-5);
    // The context is full: one more step is refused, naming the position.
    const std::int32_t one = 1;
    CHECK_THROWS_WITH_AS(with_cache.step(std::span<const std::int32_t>(&one, 1), a.data()),
                         doctest::Contains("position 12 is past the model's context of 12"), std::out_of_range);
}

TEST_CASE("LanguageModelSession: a prompt is prefilled once and then stepped, for every hypothesis") {
    tn::Model<Uncached> plain{tn::Seed{11}};
    tn::Model<Cached> cached{tn::Seed{12}};
    copy_parameters(plain, cached);
    tn::LanguageModelSession with_cache(cached);
    tn::LanguageModelSession without(plain);
    const std::vector<std::int32_t> prompt{2, 7, 1, 8, 2};
    CHECK(with_cache.prompt(prompt) == 2);
    CHECK(without.prompt(prompt) == 2);
    // Greedy from the prompt: the same tokens either way, and each is the argmax of
    // the whole network over the prompt and the tokens before it.
    const tn::DecodeOptions o{.start = 2, .end = 0, .max_length = C - prompt.size() + 1};
    const auto fast = tn::greedy(with_cache, 3, o), slow = tn::greedy(without, 3, o);
    CHECK(fast == slow);
    CHECK(fast[0] == fast[2]);
    std::vector<std::int32_t> seen = prompt;
    for (std::int32_t id : fast[0]) {
        if (seen.size() == C) break;
        const auto lp = full_log_probs(plain, seen);
        const float* last = lp.data() + (seen.size() - 1) * V;
        CHECK(std::int32_t(std::max_element(last, last + V) - last) == id);
        seen.push_back(id);
    }
    // Beam search: the cache's rows follow their beams (width 1 is greedy).
    const auto one = tn::beam_search(with_cache, {.width = 1, .start = 2, .end = 0, .max_length = 5});
    REQUIRE(!one.empty());
    CHECK(std::vector<std::int32_t>(fast[0].begin(), fast[0].begin() + std::ptrdiff_t(std::min<std::size_t>(5, fast[0].size()))) ==
          one[0].tokens);
    const auto wide = tn::beam_search(with_cache, {.width = 4, .start = 2, .end = 0, .max_length = 5});
    const auto wide_slow = tn::beam_search(without, {.width = 4, .start = 2, .end = 0, .max_length = 5});
    REQUIRE(wide.size() == wide_slow.size());
    for (std::size_t i = 0; i < wide.size(); ++i) {
        CHECK(wide[i].tokens == wide_slow[i].tokens);
        CHECK(wide[i].log_prob == doctest::Approx(wide_slow[i].log_prob).epsilon(1e-5));
    }
}

TEST_CASE("KVCache: errors name what went wrong") {
    tn::Model<Cached> cached{tn::Seed{2}};
    tn::LanguageModelSession session(cached);
    const std::vector<std::int32_t> bad{1, 11};
    CHECK_THROWS_WITH_AS(session.prompt(bad), doctest::Contains("prompt position 1: token id 11 is outside"),
                         std::out_of_range);
    const std::vector<std::int32_t> too_long(C + 1, 1);
    CHECK_THROWS_WITH_AS(session.prompt(too_long), doctest::Contains("13 ids; the model reads 1 to 12"),
                         std::invalid_argument);
    // The layer itself: training at a position past 0 would need gradients through
    // the cache, and is refused.
    using L = tn::MultiHeadAttention<2, tn::Causal, tn::KVCache<4>>::bind<tn::Shape<1, 4>>;
    std::vector<float> params(L::param_count, 0.1f), x(4, 1.f), y(4), cache(L::cache_size), work(L::workspace_size),
        state(L::state_size, 0.f);
    tn::Pass p{.batch = 1, .training = true};
    p.state = state.data();
    p.state_stride = L::state_size;
    p.start = 2;
    CHECK_THROWS_WITH_AS(L::forward(p, params.data(), x.data(), y.data(), cache.data(), work.data()),
                         doctest::Contains("training reads each sequence whole"), std::logic_error);
    p.training = false;
    p.start = 4;
    CHECK_THROWS_WITH_AS(L::forward(p, params.data(), x.data(), y.data(), cache.data(), work.data()),
                         doctest::Contains("positions 4 to 4 do not fit the KV cache of 4 positions"),
                         std::out_of_range);
}
