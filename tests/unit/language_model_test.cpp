// Language-model data: the split by position, windows shifted by one, the stream
// layout for truncated BPTT, and a model trained on windows through fit.
#include <doctest/doctest.h>

#include <numeric>
#include <set>
#include <string>
#include <vector>

#include <typenet/data/language_model.hpp>
#include <typenet/typenet.hpp>
#include "../support/error_of.hpp"

using namespace tn;
using namespace tn::data;
using Ids = std::vector<std::int32_t>;

namespace {

Ids iota_ids(std::size_t n) {
    Ids ids(n);
    std::iota(ids.begin(), ids.end(), 0);
    return ids;
}

}  // namespace

TEST_CASE("split_corpus: contiguous parts in order, no overlap, nothing lost") {
    const Ids ids = iota_ids(1000);
    const auto s = split_corpus(ids);
    CHECK(s.train.size() == 900);
    CHECK(s.validation.size() == 50);
    CHECK(s.test.size() == 50);
    Ids joined = s.train;
    joined.insert(joined.end(), s.validation.begin(), s.validation.end());
    joined.insert(joined.end(), s.test.begin(), s.test.end());
    CHECK(joined == ids);  // in order, each id once: no overlap
    CHECK(s.train.back() + 1 == s.validation.front());
    const auto tiny = split_corpus(iota_ids(10), 0.05, 0.05);  // each part gets at least one id
    CHECK(tiny.validation.size() == 1);
    CHECK(tiny.test.size() == 1);
    CHECK(split_corpus(ids, 0.1, 0).test.empty());
    CHECK_THROWS_AS(split_corpus(ids, 0.6, 0.5), std::invalid_argument);
    CHECK_THROWS_AS(split_corpus(iota_ids(2), 0.05, 0.05), std::invalid_argument);
}

TEST_CASE("lm_windows with stride T: targets are the inputs shifted by one, every id predicted once") {
    const Ids ids = iota_ids(23);  // 22 predictions: 5 windows of 4, then a tail of 2
    const Dataset d = lm_windows(ids, 4);
    REQUIRE(d.size() == 6);
    CHECK(d.input_width == 4);
    CHECK(d.target_width == 4);
    for (std::size_t k = 0; k < 5; ++k)
        for (std::size_t t = 0; t < 4; ++t) {
            CHECK(d.tokens[k * 4 + t] == std::int32_t(4 * k + t));
            CHECK(d.targets[k * 4 + t] == float(4 * k + t + 1));
        }
    CHECK(d.lengths == std::vector<std::uint32_t>{4, 4, 4, 4, 4, 2});
    CHECK(Ids(d.tokens.begin() + 20, d.tokens.end()) == Ids{20, 21, 0, 0});
    CHECK(std::vector<float>(d.targets.begin() + 20, d.targets.end()) == std::vector<float>{21, 22, -1, -1});
    // Every id after the first is a target exactly once.
    std::multiset<float> predicted;
    for (const float t : d.targets)
        if (t != -1.f) predicted.insert(t);
    CHECK(predicted.size() == 22);
    CHECK(std::set<float>(predicted.begin(), predicted.end()).size() == 22);
    // A corpus that fills whole windows exactly has no tail and no lengths.
    const Dataset exact = lm_windows(iota_ids(9), 4);
    CHECK(exact.size() == 2);
    CHECK(exact.lengths.empty());
    CHECK(lm_windows(ids, 4, {.tail = false}).size() == 5);
}

TEST_CASE("lm_windows with a smaller stride overlaps; offset shifts the first window") {
    const Ids ids = iota_ids(20);
    const Dataset half = lm_windows(ids, 6, {.stride = 3, .tail = false});
    // starts 0, 3, ..., 12 (12 + 6 + 1 <= 20)
    REQUIRE(half.size() == 5);
    for (std::size_t k = 0; k < 5; ++k) {
        CHECK(half.tokens[k * 6] == std::int32_t(3 * k));
        CHECK(half.targets[k * 6 + 5] == float(3 * k + 6));
    }
    const Dataset with_tail = lm_windows(ids, 6, {.stride = 3});
    REQUIRE(with_tail.size() == 6);  // positions 19 left: one sample of length 1
    CHECK(with_tail.lengths.back() == 1);
    CHECK(with_tail.tokens[5 * 6] == 18);
    CHECK(with_tail.targets[5 * 6] == 19.f);
    const Dataset shifted = lm_windows(ids, 4, {.offset = 2, .tail = false});
    CHECK(shifted.tokens[0] == 2);
    CHECK(shifted.targets[0] == 3.f);
    CHECK(shifted.size() == 4);  // 2, 6, 10, 14
    const Dataset short_corpus = lm_windows(iota_ids(3), 8);  // shorter than one window: the tail only
    CHECK(short_corpus.size() == 1);
    CHECK(short_corpus.lengths == std::vector<std::uint32_t>{2});
    CHECK(support::error_of([] { lm_windows(Ids{5}, 4); }).find("hold no (input, next id) pair") != std::string::npos);
    CHECK(support::error_of([] { lm_windows(Ids{1, -3, 2}, 2, {.name = "book"}); }) ==
          "book: id -3 at position 1 is outside 0 to 2^24 - 1");
}

TEST_CASE("lm_streams: sample b of batch k+1 continues sample b of batch k") {
    const std::size_t T = 4, batch = 3;
    const Ids ids = iota_ids(40);  // 39 predictions: 3 streams of 13, chunks 4 4 4 1
    const Dataset d = lm_streams(ids, T, batch);
    REQUIRE(d.size() == 4 * batch);
    const std::size_t L = 13;
    for (std::size_t k = 0; k < 4; ++k)
        for (std::size_t b = 0; b < batch; ++b) {
            const std::size_t row = k * batch + b;
            const std::size_t len = d.lengths[row];
            CHECK(len == (k < 3 ? 4u : 1u));
            for (std::size_t t = 0; t < len; ++t) {
                CHECK(d.tokens[row * T + t] == std::int32_t(b * L + k * T + t));
                CHECK(d.targets[row * T + t] == float(b * L + k * T + t + 1));
            }
            if (k > 0) {
                // Continuity: this chunk starts where the same sample's previous chunk's targets ended.
                const std::size_t prev = (k - 1) * batch + b;
                CHECK(float(d.tokens[row * T]) == d.targets[prev * T + T - 1]);
            }
        }
    // Streams do not overlap: each id is a target once.
    std::set<float> targets;
    std::size_t counted = 0;
    for (const float t : d.targets)
        if (t != -1.f) targets.insert(t), ++counted;
    CHECK(counted == 39);
    CHECK(targets.size() == 39);
    const Dataset whole = lm_streams(ids, T, batch, false);
    CHECK(whole.size() == 3 * batch);
    CHECK(whole.lengths.empty());
    CHECK(support::error_of([] { lm_streams(iota_ids(5), 4, 8); }).find("cannot fill 8 streams") != std::string::npos);
}

TEST_CASE("Windows train a next-token model through fit with TokenCrossEntropy") {
    // A cyclic corpus 0 1 2 ... 6 0 1 ...: the next id is a function of the current one.
    Ids ids(400);
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = std::int32_t(i % 7);
    const auto parts = split_corpus(ids, 0.1, 0.1);
    const Dataset train = lm_windows(parts.train, 8, {.stride = 4});
    const Dataset valid = lm_windows(parts.validation, 8);
    using Net = Sequential<Tokens<8>, Embedding<7, 8>, Dense<7>>;
    Model<Net> model{Seed{3}};
    const auto history = fit(model, train, TokenCrossEntropy{}, Adam{{.lr = 0.05f}},
                             {.epochs = 20, .batch = 8, .validation = valid, .verbosity = Verbosity::Quiet});
    CHECK(history.epochs.back().val_accuracy == 1.f);
    CHECK(history.epochs.back().val_perplexity < 1.1f);
}

TEST_CASE("lm_sliding_windows: every id predicted once, each after the first with `context` ids before it") {
    for (const std::size_t n : {2, 5, 9, 10, 11, 23}) {
        const auto ids = iota_ids(n);
        const std::size_t T = 4, context = 2;
        const Dataset d = lm_sliding_windows(ids, T, context);
        std::vector<int> predicted(n, 0);
        for (std::size_t row = 0; row < d.size(); ++row)
            for (std::size_t t = 0; t < T; ++t) {
                const float target = d.targets[row * T + t];
                if (target < 0) continue;
                CHECK(target == float(d.tokens[row * T + t] + 1));  // the next id
                ++predicted[std::size_t(target)];
                // Every scored id past the first window sees `context` ids of its window before it.
                if (row > 0) CHECK(t >= context);
            }
        CHECK(predicted[0] == 0);
        for (std::size_t i = 1; i < n; ++i) CHECK(predicted[i] == 1);
    }
    CHECK_THROWS_WITH_AS(lm_sliding_windows(iota_ids(9), 4, 4), doctest::Contains("must be smaller than the window"),
                         std::invalid_argument);
}
