// EncoderDecoder<Encoder, Decoder> (core/encoder_decoder.hpp), its step-by-step session
// (core/encoder_decoder_session.hpp), and greedy and beam decoding (decode/).
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <typenet/core/encoder_decoder.hpp>
#include <typenet/core/encoder_decoder_session.hpp>
#include <typenet/decode/beam_search.hpp>
#include <typenet/decode/greedy.hpp>
#include <typenet/layers/attention_rnn/bahdanau.hpp>
#include <typenet/layers/attention_rnn/luong.hpp>
#include <typenet/typenet.hpp>

#include "support/gradient_check.hpp"

namespace {

constexpr std::size_t V = 7, S = 5, T = 4;
using Encoder = tn::Sequential<tn::Tokens<S>, tn::Embedding<V, 4>, tn::LSTM<6>>;
template <class... Recurrent>
using DecoderOf = tn::Sequential<tn::Tokens<T>, tn::Embedding<V, 4>, tn::LSTM<5, Recurrent...>,
                                 tn::BahdanauAttention<3>, tn::Dense<5>, tn::Tanh, tn::Dense<V>>;
using Net = tn::EncoderDecoder<Encoder, DecoderOf<tn::Stateful>>;
using Stateless = tn::EncoderDecoder<Encoder, DecoderOf<>>;

// Two decoder attention layers over one memory: their memory gradients must add up.
using TwoAttentions = tn::EncoderDecoder<
    Encoder, tn::Sequential<tn::Tokens<T>, tn::Embedding<V, 4>, tn::LSTM<6>, tn::LuongAttention<tn::Dot>,
                            tn::Dense<6>, tn::Tanh, tn::LuongAttention<tn::General>, tn::Dense<V>>>;

// Without attention: the encoder's last real output given at every decoder position.
using NoAttention = tn::EncoderDecoder<
    Encoder, tn::Sequential<tn::Tokens<T>, tn::Embedding<V, 4>, tn::FixedContext, tn::LSTM<5>, tn::Dense<V>>>;

// A row: source ids (padded to S), then the decoder's input ids (padded to T).
std::vector<float> row(std::vector<int> src, std::vector<int> tgt, float pad = 0.f) {
    std::vector<float> r(S + T, pad);
    for (std::size_t i = 0; i < src.size(); ++i) r[i] = float(src[i]);
    for (std::size_t i = 0; i < tgt.size(); ++i) r[S + i] = float(tgt[i]);
    return r;
}

}  // namespace

TEST_CASE("EncoderDecoder: shapes, parameter names encoder.* / decoder.*, summary") {
    static_assert(std::is_same_v<Net::input_shape, tn::Tokens<S + T>>);
    static_assert(std::is_same_v<Net::memory_shape, tn::Shape<S, 6>>);
    static_assert(std::is_same_v<Net::output_shape, tn::Shape<T, V>>);
    static_assert(tn::Model<Net>::max_length == S && tn::Model<Net>::second_max_length == T);
    static_assert(Net::param_count == Encoder::param_count + Net::decoder::param_count);
    tn::Model<Net> model{tn::Seed{1}};
    std::vector<std::string> names;
    for (const auto& t : model.named_parameters()) names.push_back(t.name);
    REQUIRE(names.size() == 3 + 3 + 3 + 3 + 2 + 2 + 1);
    CHECK(names[0] == "encoder.0.weight");
    CHECK(names[1] == "encoder.1.weight_ih_l0");
    CHECK(names[3] == "encoder.1.bias_ih_l0");
    CHECK(names[5] == "decoder.0.weight");
    CHECK(names[10] == "decoder.2.query.weight");
    CHECK(names[12] == "decoder.2.energy.weight");
    CHECK(names.back() == "decoder.5.bias");
    const std::string table = model.summary_table();
    CHECK(table.find("encoder") != std::string::npos);
    CHECK(table.find("decoder") != std::string::npos);
    CHECK(table.find("BahdanauAttention<3>") != std::string::npos);
}

TEST_CASE("EncoderDecoder: finite-difference gradients through decoder, attention and encoder") {
    tn::testing::GradientCheckOptions o;
    o.lengths = {5, 3, 2};  // source lengths: the memory's key-padding mask
    auto r = tn::testing::check_gradients<Net>(tn::TokenCrossEntropy{}, o);
    CHECK_GRADIENTS(r);
    auto two = tn::testing::check_gradients<TwoAttentions>(tn::TokenCrossEntropy{}, o);
    CHECK_GRADIENTS(two);
    auto fixed = tn::testing::check_gradients<NoAttention>(tn::TokenCrossEntropy{}, o);
    CHECK_GRADIENTS(fixed);
}

TEST_CASE("EncoderDecoder: padding changes nothing (source and target lengths)") {
    tn::Model<Net> model{tn::Seed{3}};
    const auto run = [&](float pad) {
        const auto a = row({1, 2, 3}, {0, 4}, pad), b = row({5, 6, 1, 2, 3}, {0, 2, 3, 4}, pad);
        float* x = model.input(2);
        std::copy(a.begin(), a.end(), x);
        std::copy(b.begin(), b.end(), x + S + T);
        model.lengths(2)[0] = 3, model.lengths(2)[1] = 5;
        model.second_lengths(2)[0] = 2, model.second_lengths(2)[1] = 4;
        const auto y = model.forward(2);
        return std::vector<float>(y.begin(), y.end());
    };
    const auto zeros = run(0.f), sixes = run(6.f);
    for (std::size_t t = 0; t < 2; ++t)  // sample 0's real target positions
        for (std::size_t v = 0; v < V; ++v) CHECK(zeros[t * V + v] == sixes[t * V + v]);
    for (std::size_t i = T * V; i < 2 * T * V; ++i) CHECK(zeros[i] == sixes[i]);  // sample 1 is full
}

TEST_CASE("EncoderDecoder: fit and evaluate read two-part rows (Dataset::add_pair)") {
    tn::Dataset d("pairs", S + T, T);
    const std::vector<std::int32_t> src{1, 2, 3}, tgt{0, 3, 2};
    const std::vector<float> targets{3, 2, 1, -1};
    d.add_pair(S, src, tgt, targets);
    d.add_pair(S, std::vector<std::int32_t>{4, 5}, std::vector<std::int32_t>{0, 5, 4, 2}, std::vector<float>{5, 4, 2, 1});
    CHECK(d.lengths == std::vector<std::uint32_t>{3, 2});
    CHECK(d.second_lengths == std::vector<std::uint32_t>{3, 4});
    CHECK(d.tokens.size() == 2 * (S + T));
    CHECK(d.slice(1, 2).second_lengths == std::vector<std::uint32_t>{4});
    tn::Model<Net> model{tn::Seed{2}};
    auto history = tn::fit(model, d, tn::TokenCrossEntropy{}, tn::Adam{{.lr = 0.05f}},
                           {.epochs = 30, .batch = 2, .verbosity = tn::Verbosity::Quiet});
    const auto e = tn::evaluate(model, d, tn::TokenCrossEntropy{});
    CHECK(e.accuracy == doctest::Approx(1.0));
    // A set of one-part rows is refused by name.
    tn::Dataset plain("plain", S + T, T);
    plain.add_sequence(src, targets);
    CHECK_THROWS_WITH_AS(tn::evaluate(model, plain, tn::TokenCrossEntropy{}),
                         doctest::Contains("has no second_lengths"), std::invalid_argument);
}

TEST_CASE("EncoderDecoderSession: stepping one token at a time matches the teacher-forced forward") {
    tn::Model<Net> model{tn::Seed{5}};
    tn::Model<Stateless> stateless{tn::Seed{9}};
    std::copy(model.parameters().begin(), model.parameters().end(), stateless.parameters().begin());
    const std::vector<std::vector<std::int32_t>> sources{{1, 2, 3}, {4, 5, 6, 1, 2}};
    tn::EncoderDecoderSession session(model);  // stateful LSTM: O(1) per step
    tn::EncoderDecoderSession again(stateless);  // no state: reruns the prefix
    session.record_alignments = true;
    session.encode(sources);
    again.encode(sources);
    const tn::DecodeOptions o{.start = 0, .end = 6, .max_length = T};
    const auto stepped = tn::greedy(session, 2, o), rerun = tn::greedy(again, 2, o);
    CHECK(stepped == rerun);
    for (std::size_t b = 0; b < 2; ++b) {
        // Feed <bos> + the greedy output to the whole decoder: the argmax at every
        // position is the token greedy chose there.
        std::vector<int> fed{0};
        for (auto id : stepped[b]) fed.push_back(id);
        fed.resize(std::min<std::size_t>(fed.size(), T));
        const auto r = row({sources[b].begin(), sources[b].end()}, fed);
        std::copy(r.begin(), r.end(), model.input(1));
        model.lengths(1)[0] = std::uint32_t(sources[b].size());
        model.second_lengths(1)[0] = std::uint32_t(fed.size());
        const auto y = model.forward(1);
        for (std::size_t t = 0; t < stepped[b].size(); ++t) {
            std::size_t best = 0;
            for (std::size_t v = 1; v < V; ++v)
                if (y[t * V + v] > y[t * V + best]) best = v;
            CHECK(std::int32_t(best) == stepped[b][t]);
        }
        // One row of weights per step, over the real source positions only.
        const auto& a = session.alignments(b);
        REQUIRE(a.size() % S == 0);
        for (std::size_t r0 = 0; r0 < a.size(); r0 += S) {
            double total = 0;
            for (std::size_t s = 0; s < S; ++s) {
                total += a[r0 + s];
                if (s >= sources[b].size()) CHECK(a[r0 + s] == 0.f);
            }
            CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
        }
    }
    // Beam search over one source, the memory shared by the beams, width 1 is greedy.
    session.encode(sources[1]);
    const auto beam = tn::beam_search(session, {.width = 1, .start = 0, .end = 6, .max_length = T});
    REQUIRE(!beam.empty());
    CHECK(beam[0].tokens == stepped[1]);
    const auto wide = tn::beam_search(session, {.width = 3, .start = 0, .end = 6, .max_length = T});
    REQUIRE(!wide.empty());
    CHECK(wide[0].score >= beam[0].score - 1e-9);
}

// A hand-made next-token distribution over {0: <bos>, 1: <eos>, 2: a, 3: b}:
//   after <bos>: a 0.6, b 0.4
//   after a:     <eos> 0.4, a 0.3, b 0.3          P(a <eos>) = 0.24
//   after b:     <eos> 0.9, a 0.05, b 0.05        P(b <eos>) = 0.36
//   after two tokens: <eos> 1
// Greedy takes a (0.6), then <eos>: 0.24. A beam of 2 keeps b and finds 0.36.
TEST_CASE("greedy and beam search differ where they provably must") {
    const auto table = [](std::span<const std::int32_t> prefix) {
        const auto lp = [](std::vector<double> p) {
            std::vector<float> out;
            for (double v : p) out.push_back(v > 0 ? float(std::log(v)) : -1e30f);
            return out;
        };
        if (prefix.size() == 1) return lp({0, 0, 0.6, 0.4});
        if (prefix.size() == 2 && prefix[1] == 2) return lp({0, 0.4, 0.3, 0.3});
        if (prefix.size() == 2 && prefix[1] == 3) return lp({0, 0.9, 0.05, 0.05});
        return lp({0, 1, 0, 0});
    };
    tn::PrefixModel m(4, table);
    const auto g = tn::greedy(m, 1, {.start = 0, .end = 1, .max_length = 5});
    CHECK(g[0] == std::vector<std::int32_t>{2});
    const auto b1 = tn::beam_search(m, {.width = 1, .start = 0, .end = 1, .max_length = 5});
    CHECK(b1[0].tokens == std::vector<std::int32_t>{2});
    CHECK(b1[0].log_prob == doctest::Approx(std::log(0.24)).epsilon(1e-6));
    const auto b2 = tn::beam_search(m, {.width = 2, .start = 0, .end = 1, .max_length = 5});
    CHECK(b2[0].tokens == std::vector<std::int32_t>{3});
    CHECK(b2[0].log_prob == doctest::Approx(std::log(0.36)).epsilon(1e-6));
    CHECK(b2[0].finished);
}

// Length normalisation (Wu et al. 2016): <eos> at once has P 0.3 (|Y| = 1); "a <eos>"
// has 0.7 x 0.35 = 0.245 (|Y| = 2). alpha = 0 ranks by log P: the empty output.
// alpha = 2: log(0.245) / (7/6)^2 = -1.0330 beats log(0.3) / 1 = -1.2040.
TEST_CASE("beam search: Wu et al.'s length penalty changes which hypothesis wins") {
    const auto table = [](std::span<const std::int32_t> prefix) {
        std::vector<float> lp(3, -1e30f);  // {0: <bos>, 1: <eos>, 2: a}
        if (prefix.size() == 1) lp[1] = std::log(0.3f), lp[2] = std::log(0.7f);
        else if (prefix.size() == 2) lp[1] = std::log(0.35f), lp[2] = std::log(0.65f);
        else lp[1] = 0.f;
        return lp;
    };
    tn::PrefixModel m(3, table);
    const auto plain = tn::beam_search(m, {.width = 3, .alpha = 0.f, .start = 0, .end = 1, .max_length = 4});
    CHECK(plain[0].tokens.empty());
    CHECK(plain[0].score == doctest::Approx(std::log(0.3)));
    const auto normalised = tn::beam_search(m, {.width = 3, .alpha = 2.f, .start = 0, .end = 1, .max_length = 4});
    CHECK(normalised[0].tokens == std::vector<std::int32_t>{2});
    CHECK(normalised[0].score == doctest::Approx(std::log(0.245) / std::pow(7.0 / 6.0, 2)).epsilon(1e-5));
}
