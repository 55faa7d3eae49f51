// The labelled-sentence reader and data set, on a small fixture written by the test
// (the format of npm sentiment's test/fixtures), and on the real files when fetched.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <typenet/data/sentiment.hpp>

#include "../support/scratch.hpp"
#include "../support/error_of.hpp"

using namespace tn;
using namespace tn::data;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, std::string_view bytes) { std::ofstream(p, std::ios::binary) << bytes; }

// A fixture in npm sentiment's form, closing placeholder included.
const char* fixture = R"([{"text":"Great food, great service.","class":1},
{"text":"The food was cold and bland.","class":0},
{"text":"I loved the service!","class":1},
{"text":"Cold, slow and rude.  ","class":0},
{"text":"Caf\u00e9 au lait was great \u0096 really.","class":1},
{"text":"Never again.","class":0},
{"text":"","class":null}])";

}  // namespace

TEST_CASE("read_sentiment_json: sentences and labels, the closing placeholder skipped") {
    const fs::path dir = support::scratch_dir("sentiment", "read");
    write_file(dir / "yelp.json", fixture);
    const auto s = read_sentiment_json(dir / "yelp.json");
    REQUIRE(s.size() == 6);
    CHECK(s[0].text == "Great food, great service.");
    CHECK(s[0].label == 1);
    CHECK(s[1].label == 0);
    CHECK(s[0].source == "yelp");
    CHECK(s[4].text == "Caf\xC3\xA9 au lait was great \xC2\x96 really.");
}

TEST_CASE("read_sentiment_json names the file and entry of what is wrong") {
    const fs::path dir = support::scratch_dir("sentiment", "errors");
    const auto broken = [&](const std::string& text) {
        write_file(dir / "bad.json", text);
        return support::error_of([&] { read_sentiment_json(dir / "bad.json"); });
    };
    CHECK(broken(R"([{"text":"ok","class":1},{"text":"hm","class":2}])")
              .find("bad.json: entry 1: \"class\" must be 0 or 1, found 2") != std::string::npos);
    CHECK(broken(R"([{"text":"ok","class":1},{"class":0}])").find("entry 1: no string \"text\"") != std::string::npos);
    CHECK(broken(R"([{"text":"ok"}])").find("entry 0: no \"class\"") != std::string::npos);
    CHECK(broken(R"([{"text":"","class":0}])").find("entry 0: the text is empty") != std::string::npos);
    CHECK(broken(R"({"text":"ok","class":1})").find("expected an array") != std::string::npos);
    CHECK(broken("[{\"text\":\"caf\xE9\",\"class\":1}]").find("bad.json: not valid JSON") != std::string::npos);
    CHECK(broken(R"([{"text":"ok","class":1},)").find("bad.json: not valid JSON") != std::string::npos);
}

TEST_CASE("sentiment_data: a seeded split, a vocabulary of the training part only, padded sequences with labels") {
    const fs::path dir = support::scratch_dir("sentiment", "data");
    write_file(dir / "yelp.json", fixture);
    const auto sentences = read_sentiment_json(dir / "yelp.json");
    const SentimentOptions options{.max_length = 5, .test_fraction = 1.0 / 3, .seed = Seed{3},
                                   .vocabulary = {.min_count = 1}};
    const SentimentData a = sentiment_data(sentences, options);
    CHECK(a.train.size() == 4);
    CHECK(a.test.size() == 2);
    CHECK(a.train.input_width == 5);
    CHECK(a.train.target_width == 1);
    CHECK(a.train.lengths.size() == 4);
    CHECK(a.truncated == 4);  // all but "I loved the service!" (5 tokens) and "Never again." (3)
    CHECK(a.class_names == std::vector<std::string>{"negative", "positive"});
    // The same seed, the same split; another seed, another.
    const SentimentData b = sentiment_data(sentences, options);
    CHECK(a.train.tokens == b.train.tokens);
    CHECK(a.test.targets == b.test.targets);
    SentimentOptions other = options;
    other.seed = Seed{4};
    CHECK(sentiment_data(sentences, other).train.tokens != a.train.tokens);

    // Decoding a sample gives its sentence's first words back, and its label is that sentence's.
    std::set<std::string> training_words;
    for (std::size_t i = 0; i < a.train.size(); ++i) {
        const std::span<const std::int32_t> row(a.train.tokens.data() + i * 5, a.train.lengths[i]);
        for (std::size_t k = a.train.lengths[i]; k < 5; ++k) CHECK(a.train.tokens[i * 5 + k] == 0);  // padding
        const std::string text = a.vocabulary.decode(row);
        bool found = false;
        for (const auto& s : sentences) {
            const auto words = a.vocabulary.split(s.text);
            if (a.vocabulary.decode(a.vocabulary.encode(s.text)).starts_with(text)) {
                found = true;
                CHECK(float(s.label) == a.train.targets[i]);
                training_words.insert(words.begin(), words.end());
            }
        }
        CHECK(found);
    }
    // Built on training sentences only: every word of the vocabulary occurs in them.
    for (std::size_t id = std::size_t(a.vocabulary.first_token_id()); id < a.vocabulary.size(); ++id)
        CHECK(training_words.contains(a.vocabulary.token(std::int32_t(id))));
    // And a test sentence's own words (not in training) are unknown.
    bool any_unknown = false;
    for (const std::int32_t id : a.test.tokens) any_unknown |= id == Vocabulary::unknown_id;
    CHECK(any_unknown);
}

TEST_CASE("sentiment(): a missing file says which fetch-data.sh command gets it") {
    const fs::path dir = support::scratch_dir("sentiment", "missing");
    try {
        sentiment(dir);
        FAIL("no error");
    } catch (const MissingData& e) {
        CHECK(std::string(e.what()).find("no imdb.json in") != std::string::npos);
        CHECK(std::string(e.what()).find("scripts/fetch-data.sh sentiment") != std::string::npos);
    }
}

// On the real files, when they are there (scripts/fetch-data.sh sentiment).
TEST_CASE("The UCI labelled sentences from npm sentiment 5.0.2") {
    fs::path folder;
    try {
        folder = find("sentiment");
    } catch (const MissingData&) {
        MESSAGE("data/sentiment not fetched; skipping (scripts/fetch-data.sh sentiment)");
        return;
    }
    for (const char* source : {"imdb", "yelp", "amazon"}) {
        const auto s = read_sentiment_json(folder / (std::string(source) + ".json"));
        CHECK(s.size() == 1000);
        std::size_t positive = 0;
        for (const auto& x : s) positive += x.label == 1;
        CHECK(positive == 500);
    }
    const SentimentData d = sentiment(folder);
    CHECK(d.train.size() == 2400);
    CHECK(d.test.size() == 600);
    CHECK(d.dropped == 0);
    CHECK(d.vocabulary.size() == 1941);  // words seen twice or more in the 2,400 training sentences
    CHECK(d.train.input_width == 64);
}
