// BLEU against NLTK without NLTK: tests/reference/make_bleu.py ran Debian's python3-nltk
// (3.8) on fixed sentences and wrote tests/reference/bleu_nltk.json; every number here is
// compared to it to 1e-12. Then the properties that the reference does not show.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <typenet/eval/bleu.hpp>

#include "../support/error_of.hpp"

using namespace tn;
namespace fs = std::filesystem;

namespace {

nlohmann::json nltk_reference() {
    const fs::path file = fs::path(__FILE__).parent_path().parent_path() / "reference" / "bleu_nltk.json";
    std::ifstream in(file);
    REQUIRE_MESSAGE(in, "cannot open " << file.string());
    return nlohmann::json::parse(in);
}

// NLTK's BLEU where an order has no match and nothing smooths it is about 1e-78 (the
// smallest double stands in for the zero precision); ours is 0: the absolute part of
// the tolerance covers that, and nothing else is near it.
void check_close(double ours, double nltk, const std::string& what) {
    INFO(what << ": typenet " << ours << ", NLTK " << nltk);
    CHECK(std::abs(ours - nltk) <= 1e-12 * std::max(1.0, std::abs(nltk)));
}

const Words w(const std::string& text) {
    Words out;
    std::string word;
    for (char c : text) {
        if (c == ' ') {
            if (!word.empty()) out.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) out.push_back(word);
    return out;
}

}  // namespace

TEST_CASE("corpus_bleu and sentence_bleu match NLTK on every reference case") {
    const auto reference = nltk_reference();
    const auto& cases = reference.at("cases");
    REQUIRE(cases.size() >= 9);
    for (const auto& item : cases.items()) {
        // Not a structured binding: clang 14 cannot capture one in INFO's lambda.
        const std::string name = item.key();
        const auto& c = item.value();
        INFO("case " << name);
        const auto refs = c.at("references").get<std::vector<std::vector<Words>>>();
        const auto hyps = c.at("hypotheses").get<std::vector<Words>>();

        const BleuScore plain = corpus_bleu(refs, hyps);
        check_close(plain.bleu, c.at("corpus"), "corpus BLEU-4");
        check_close(plain.brevity_penalty, c.at("brevity"), "brevity penalty");
        CHECK(plain.hypothesis_length == c.at("hypothesis_length").get<std::size_t>());
        CHECK(plain.reference_length == c.at("reference_length").get<std::size_t>());
        const auto precisions = c.at("precisions");
        REQUIRE(plain.precisions.size() == 4);
        for (std::size_t n = 0; n < 4; ++n)
            check_close(plain.precisions[n], precisions[n][0].get<double>() / precisions[n][1].get<double>(),
                        "p_" + std::to_string(n + 1));

        const BleuOptions smoothed{.smoothing = BleuSmoothing::epsilon};
        check_close(corpus_bleu(refs, hyps, smoothed).bleu, c.at("corpus_smooth"), "corpus BLEU-4, method1");
        check_close(corpus_bleu(refs, hyps, {.max_order = 2}).bleu, c.at("corpus_bigram"), "corpus BLEU-2");

        for (std::size_t i = 0; i < hyps.size(); ++i) {
            check_close(sentence_bleu(refs[i], hyps[i]).bleu, c.at("sentence")[i], "sentence " + std::to_string(i));
            check_close(sentence_bleu(refs[i], hyps[i], smoothed).bleu, c.at("sentence_smooth")[i],
                        "sentence " + std::to_string(i) + ", method1");
        }
    }
}

TEST_CASE("the reference holds the edge cases the brief names") {
    const auto cases = nltk_reference().at("cases");
    // A hypothesis shorter than every reference: a penalty below 1.
    CHECK(cases.at("shorter_than_every_reference").at("brevity").get<double>() < 0.5);
    // An order with no match: NLTK's unsmoothed BLEU is (almost) 0, smoothing lifts it.
    CHECK(cases.at("no_fourgram_match").at("precisions")[3][0] == 0);
    CHECK(cases.at("no_fourgram_match").at("corpus").get<double>() < 1e-70);
    CHECK(cases.at("no_fourgram_match").at("corpus_smooth").get<double>() > 0.1);
    // Several references.
    CHECK(cases.at("nltk_doc_example").at("references")[0].size() == 3);
}

TEST_CASE("BLEU on ids is BLEU on the words they stand for") {
    const std::vector<std::vector<Words>> refs{{w("the cat is on the mat"), w("there is a cat on the mat")},
                                               {w("a b c d")}};
    const std::vector<Words> hyps{w("the cat the cat on the mat"), w("a b d c")};
    const std::vector<std::vector<TokenIds>> ref_ids{{{1, 2, 3, 4, 1, 5}, {6, 3, 7, 2, 4, 1, 5}}, {{8, 9, 10, 11}}};
    const std::vector<TokenIds> hyp_ids{{1, 2, 1, 2, 4, 1, 5}, {8, 9, 11, 10}};
    const BleuOptions smoothed{.smoothing = BleuSmoothing::epsilon};
    CHECK(corpus_bleu(ref_ids, hyp_ids, smoothed).bleu == corpus_bleu(refs, hyps, smoothed).bleu);
    CHECK(corpus_bleu(ref_ids, hyp_ids, smoothed).bleu > 0);
}

TEST_CASE("counts add up: a corpus scored in parts is the corpus scored at once") {
    const std::vector<std::vector<TokenIds>> refs{{{1, 2, 3, 4, 5}}, {{6, 7, 8}}, {{1, 1, 2, 2, 3, 9, 9}}};
    const std::vector<TokenIds> hyps{{1, 2, 3, 5}, {6, 7, 8, 8}, {1, 2, 2, 3, 9}};
    BleuCounts total;
    for (std::size_t i = 0; i < hyps.size(); ++i) total += bleu_counts(refs[i], hyps[i]);
    const BleuScore parts = bleu_from_counts(total, {.smoothing = BleuSmoothing::epsilon});
    const BleuScore whole = corpus_bleu(refs, hyps, {.smoothing = BleuSmoothing::epsilon});
    CHECK(parts.bleu == whole.bleu);
    CHECK(total.hypothesis_length == 13);
    CHECK(total.reference_length == 15);
    // Corpus BLEU is not the mean of the sentence scores (micro, not macro, averaging).
    double mean = 0;
    for (std::size_t i = 0; i < hyps.size(); ++i)
        mean += sentence_bleu(refs[i], hyps[i], {.smoothing = BleuSmoothing::epsilon}).bleu / 3;
    CHECK(std::abs(mean - whole.bleu) > 1e-3);
}

TEST_CASE("BLEU's extremes: identical is 1, nothing in common is 0, an empty hypothesis is 0") {
    const std::vector<TokenIds> ref{{4, 5, 6, 7, 8}};
    CHECK(sentence_bleu(ref, TokenIds{4, 5, 6, 7, 8}).bleu == doctest::Approx(1.0).epsilon(1e-15));
    CHECK(sentence_bleu(ref, TokenIds{1, 2, 3}, {.smoothing = BleuSmoothing::epsilon}).bleu == 0);
    const BleuScore empty = sentence_bleu(ref, TokenIds{}, {.smoothing = BleuSmoothing::epsilon});
    CHECK(empty.bleu == 0);
    CHECK(empty.brevity_penalty == 0);
    // Longer than the reference: no penalty, only lower precision.
    CHECK(sentence_bleu(ref, TokenIds{4, 5, 6, 7, 8, 9}).brevity_penalty == 1);
}

TEST_CASE("BLEU's errors say what is wrong") {
    const std::vector<std::vector<TokenIds>> refs{{{1, 2}}, {}};
    const std::vector<TokenIds> hyps{{1, 2}, {3}};
    CHECK(support::error_of([&] { corpus_bleu(refs, hyps); }) == "BLEU: hypothesis 1 has no reference");
    CHECK(support::error_of([&] { corpus_bleu(std::span(refs).first(1), hyps); }) ==
          "BLEU: 2 hypotheses but 1 sets of references");
    CHECK(support::error_of([&] {
              corpus_bleu(std::vector<std::vector<TokenIds>>{}, std::vector<TokenIds>{});
          }) == "BLEU: no hypothesis to score (an empty corpus)");
    CHECK(support::error_of([&] { sentence_bleu(refs[0], hyps[0], {.max_order = 0}); }) ==
          "BLEU: max_order must be at least 1");
    BleuCounts four = bleu_counts(refs[0], hyps[0]);
    CHECK(support::error_of([&] { four += bleu_counts(refs[0], hyps[0], 2); }) ==
          "BLEU: adding counts of 2 n-gram orders to counts of 4");
    CHECK(support::error_of([&] { bleu_from_counts(four, {.max_order = 3}); }) ==
          "BLEU: counts of 4 n-gram orders for BLEU-3");
}
