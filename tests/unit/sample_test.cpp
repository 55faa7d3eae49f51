// Sampling from logits (temperature, top-k, top-p), generate's calling protocol, and
// sample_decode over a NextTokenModel (repetition penalty, streaming, stop id).
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <typenet/decode/sample.hpp>
#include <typenet/decode/sample_decode.hpp>
#include "../support/error_of.hpp"

using namespace tn;
using Ids = std::vector<std::int32_t>;

namespace {

std::vector<double> softmax(const std::vector<float>& z, double temperature) {
    double m = z[0];
    for (const float v : z) m = std::max(m, double(v));
    std::vector<double> p(z.size());
    double total = 0;
    for (std::size_t i = 0; i < z.size(); ++i) total += p[i] = std::exp((double(z[i]) - m) / temperature);
    for (double& v : p) v /= total;
    return p;
}

// Draw frequencies against probabilities: each within 4.5 standard deviations of a
// binomial count (a fixed seed, so this is a fixed outcome, not a flaky one).
void check_frequencies(const std::vector<float>& z, const SampleOptions& o, const std::vector<double>& p,
                       std::size_t draws, std::uint64_t seed) {
    Rng rng{Seed{seed}};
    std::vector<std::size_t> count(z.size(), 0);
    for (std::size_t i = 0; i < draws; ++i) ++count[std::size_t(sample(z, o, rng))];
    for (std::size_t i = 0; i < z.size(); ++i) {
        const double f = double(count[i]) / double(draws);
        const double sigma = std::sqrt(p[i] * (1 - p[i]) / double(draws));
        CAPTURE(i);
        CAPTURE(f);
        CAPTURE(p[i]);
        CHECK(std::abs(f - p[i]) <= 4.5 * sigma + 1e-12);
    }
}

}  // namespace

TEST_CASE("Temperature 0 is the argmax (the first of equal maxima) and draws nothing") {
    const std::vector<float> z{0.5f, 2.f, -1.f, 2.f, 1.9f};
    Rng rng{Seed{1}};
    const RngState before = rng.state();
    for (int i = 0; i < 10; ++i) CHECK(sample(z, {.temperature = 0}, rng) == 1);
    CHECK(rng.state() == before);
    CHECK(argmax(z) == 1);
    CHECK(sample_probabilities(z, {.temperature = 0}) == std::vector<double>{0, 1, 0, 0, 0});
    // A tiny temperature is the argmax in practice too (1.9 vs 2 at T = 1e-3: e^-100).
    const std::vector<float> distinct{0.5f, 2.f, -1.f, 1.9f};
    for (int i = 0; i < 100; ++i) CHECK(sample(distinct, {.temperature = 1e-3f}, rng) == 1);
}

TEST_CASE("At temperature 1 the draws' frequencies match the softmax; at 0.5 and 2, softmax(z / T)") {
    const std::vector<float> z{1.f, 0.f, -1.f, 2.f, 0.5f};
    check_frequencies(z, {.temperature = 1}, softmax(z, 1), 200'000, 11);
    check_frequencies(z, {.temperature = 0.5f}, softmax(z, 0.5), 200'000, 12);
    check_frequencies(z, {.temperature = 2}, softmax(z, 2), 200'000, 13);
    const auto p = sample_probabilities(z, {.temperature = 1});
    const auto q = softmax(z, 1);
    for (std::size_t i = 0; i < z.size(); ++i) CHECK(p[i] == doctest::Approx(q[i]).epsilon(1e-12));
}

TEST_CASE("top_k samples among the k largest logits, renormalised") {
    const std::vector<float> z{1.f, 0.f, -1.f, 2.f, 0.5f};
    const SampleOptions o{.temperature = 1, .top_k = 3};  // ids 3, 0, 4
    std::vector<double> expected(5, 0.0);
    const double total = std::exp(2.0) + std::exp(1.0) + std::exp(0.5);
    expected[3] = std::exp(2.0) / total;
    expected[0] = std::exp(1.0) / total;
    expected[4] = std::exp(0.5) / total;
    const auto p = sample_probabilities(z, o);
    for (std::size_t i = 0; i < 5; ++i) CHECK(p[i] == doctest::Approx(expected[i]).epsilon(1e-12));
    check_frequencies(z, o, expected, 100'000, 21);
    // Ties at the cut go to the lower id; top_k = 1 is the argmax; k above the size is all.
    const std::vector<float> tied{0.f, 1.f, 1.f, 1.f};
    const auto t2 = sample_probabilities(tied, {.top_k = 2});
    CHECK(t2 == std::vector<double>{0, 0.5, 0.5, 0});
    Rng rng{Seed{2}};
    for (int i = 0; i < 20; ++i) CHECK(sample(z, {.top_k = 1}, rng) == 3);
    CHECK(sample_probabilities(z, {.top_k = 99}) == sample_probabilities(z, {}));
}

TEST_CASE("top_p keeps the most probable ids until their probability reaches p") {
    // softmax of z: 3: 0.563, 0: 0.207, 4: 0.126, 1: 0.076, 2: 0.028 (rounded).
    const std::vector<float> z{1.f, 0.f, -1.f, 2.f, 0.5f};
    const auto full = softmax(z, 1);
    // p = 0.5: id 3 alone reaches it; p = 0.7: 3 and 0 (0.770); p = 0.8: 3, 0 and 4 (0.896).
    CHECK(sample_probabilities(z, {.top_p = 0.5f}) == std::vector<double>{0, 0, 0, 1, 0});
    const auto two = sample_probabilities(z, {.top_p = 0.7f});
    CHECK(two[3] == doctest::Approx(full[3] / (full[3] + full[0])).epsilon(1e-12));
    CHECK(two[0] == doctest::Approx(full[0] / (full[3] + full[0])).epsilon(1e-12));
    CHECK(two[1] == 0.0);
    CHECK(two[4] == 0.0);
    const auto three = sample_probabilities(z, {.top_p = 0.8f});
    CHECK(three[4] > 0.0);
    CHECK(three[1] == 0.0);
    check_frequencies(z, {.top_p = 0.8f}, three, 100'000, 31);
    // After temperature and top_k: top_k = 2 leaves 3 and 0, top_p = 0.7 of those is 3.
    CHECK(sample_probabilities(z, {.top_k = 2, .top_p = 0.7f}) == std::vector<double>{0, 0, 0, 1, 0});
    CHECK(sample_probabilities(z, {.top_p = 1.f}) == sample_probabilities(z, {}));
    Rng rng{Seed{5}};
    CHECK(support::error_of([&] { sample(z, {.top_p = 0.f}, rng); }).find("top_p must be in (0, 1]") !=
          std::string::npos);
    CHECK(support::error_of([&] { sample(z, {.top_p = 1.5f}, rng); }).find("top_p must be in (0, 1]") !=
          std::string::npos);
}

TEST_CASE("Masked logits (-inf) are never drawn; bad input is named") {
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> z{-inf, 0.f, -inf, 0.f};
    Rng rng{Seed{3}};
    for (int i = 0; i < 200; ++i) {
        const auto id = sample(z, {}, rng);
        CHECK((id == 1 || id == 3));
    }
    const std::vector<float> nan{0.f, std::numeric_limits<float>::quiet_NaN()};
    CHECK(support::error_of([&] { sample(nan, {}, rng); }) == "sample: logit 1 is NaN");
    CHECK(support::error_of([&] { sample(z, {.temperature = -1}, rng); }).find("temperature must be finite and >= 0") !=
          std::string::npos);
    CHECK(support::error_of([&] { sample(std::vector<float>{}, {}, rng); }) == "sample: no logits to choose from");
}

TEST_CASE("generate: calls with the whole context and the first new position; stops at stop_id") {
    // A "model" whose next token is (last + 1) mod 5, sure of it.
    std::vector<std::size_t> starts, sizes;
    const auto next = [&](std::span<const std::int32_t> context, std::size_t start) {
        starts.push_back(start);
        sizes.push_back(context.size());
        std::vector<float> logits(5, 0.f);
        logits[std::size_t((context.back() + 1) % 5)] = 50.f;
        return logits;
    };
    Rng rng{Seed{4}};
    const Ids prompt{3, 4};
    const Ids out = generate(next, prompt, 6, SampleOptions{.temperature = 0}, rng);
    CHECK(out == Ids{0, 1, 2, 3, 4, 0});
    CHECK(starts == std::vector<std::size_t>{0, 2, 3, 4, 5, 6});  // the prompt once, then one new token each
    CHECK(sizes == std::vector<std::size_t>{2, 3, 4, 5, 6, 7});
    const Ids stopped = generate(next, prompt, 6, GenerateOptions{.sampling = {.temperature = 0}, .stop_id = 2}, rng);
    CHECK(stopped == Ids{0, 1, 2});
    // The one-argument form, and a std::function: both bind.
    const auto whole = [](std::span<const std::int32_t> context) {
        std::vector<float> logits(5, 0.f);
        logits[context.size() % 5] = 50.f;
        return logits;
    };
    CHECK(generate(whole, prompt, 3, SampleOptions{.temperature = 0}, rng) == Ids{2, 3, 4});
    const std::function<std::vector<float>(std::span<const std::int32_t>, std::size_t)> f = next;
    CHECK(generate(f, prompt, 2, SampleOptions{.temperature = 0}, rng) == Ids{0, 1});
    CHECK(support::error_of([&] { generate(next, Ids{}, 3, SampleOptions{}, rng); }).find("the prompt is empty") !=
          std::string::npos);
    // Sampled (temperature 1), a seed fixes the text.
    Rng a{Seed{9}}, b{Seed{9}};
    const auto flat = [](std::span<const std::int32_t>) { return std::vector<float>(7, 0.f); };
    CHECK(generate(flat, prompt, 30, SampleOptions{}, a) == generate(flat, prompt, 30, SampleOptions{}, b));
}

TEST_CASE("sample_decode: streams each id, stops at the stop id or when told, penalises repeats as p^theta") {
    // A model that gives the id after the newest one (mod 4) probability 0.6, the
    // newest itself 0.4 (the prefix's first id is `start`).
    const auto model_fn = [](std::span<const std::int32_t> prefix) {
        std::vector<float> lp(4, -30.f);
        const auto last = std::size_t(prefix.back());
        lp[(last + 1) % 4] = std::log(0.6f);
        lp[last] = std::log(0.4f);
        return lp;
    };
    PrefixModel model(4, model_fn);
    Rng rng{Seed{1}};
    Ids streamed;
    const auto greedy_like = sample_decode(model, {.sampling = {.temperature = 0}, .start = 0, .max_length = 5}, rng,
                                           [&](std::int32_t id) { streamed.push_back(id); });
    CHECK(greedy_like == Ids{1, 2, 3, 0, 1});
    CHECK(streamed == greedy_like);
    // The stop id ends it (and is returned); a callback returning false ends it too.
    CHECK(sample_decode(model, {.sampling = {.temperature = 0}, .start = 0, .stop = 2, .max_length = 9}, rng) ==
          Ids{1, 2});
    std::size_t calls = 0;
    CHECK(sample_decode(model, {.sampling = {.temperature = 0}, .start = 0, .max_length = 9}, rng,
                        [&](std::int32_t) { return ++calls < 3; })
              .size() == 3);
    // With id 1 penalised from the start at theta = 2, 0.6^2 = 0.36 < 0.4: the model
    // stays on 0 (itself), which then is seen too: 0.4^2 = 0.16 < 0.36, back to 1.
    const Ids prompt{1};
    CHECK(sample_decode(model, {.sampling = {.temperature = 0}, .repetition_penalty = 2.f, .penalized = prompt,
                                .start = 0, .max_length = 2},
                        rng) == Ids{0, 1});
    CHECK(support::error_of([&] { sample_decode(model, {.repetition_penalty = 0.5f}, rng); })
              .find("repetition_penalty must be >= 1") != std::string::npos);
    // Sampled, a seed fixes the output.
    Rng a{Seed{3}}, b{Seed{3}};
    CHECK(sample_decode(model, {.start = 0, .max_length = 20}, a) == sample_decode(model, {.start = 0, .max_length = 20}, b));
}
