// Training byte-level BPE (text/bpe_training.hpp): the merges of a tiny corpus
// against a count by hand, tie-breaking, save -> load -> the same tokenizer, round
// trips, and a vocabulary learnt from Sherlock Holmes when it is fetched.
#include <doctest/doctest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <typenet/data/text.hpp>
#include <typenet/text/bpe_training.hpp>
#include <typenet/text/byte_pair_encoding.hpp>

#include "../support/error_of.hpp"
#include "../support/scratch.hpp"

using namespace tn::text;
namespace fs = std::filesystem;

namespace {

// The merges as vocab.bpe spells them ("Ġ hug").
std::vector<std::string> merge_lines(const BytePairEncoding& bpe) {
    std::vector<std::string> out;
    for (const auto& m : bpe.merges()) out.push_back(bpe.printable_token(m.left) + " " + bpe.printable_token(m.right));
    return out;
}

constexpr std::string_view paragraph =
    "To Sherlock Holmes she is always the woman. I have seldom heard him mention her under any other name. "
    "In his eyes she eclipses and predominates the whole of her sex. It was not that he felt any emotion akin "
    "to love for Irene Adler. All emotions, and that one particularly, were abhorrent to his cold, precise but "
    "admirably balanced mind. He was, I take it, the most perfect reasoning and observing machine that the "
    "world has seen, but as a lover he would have placed himself in a false position.";

}  // namespace

TEST_CASE("The merges of a tiny corpus are those a count by hand gives") {
    // Pieces: "hug" x1, " hug" x2, " pug", " pun", " bun", " hugs" (x1 each).
    //  1. u g: 5 (hug 1 + hug 2 + pug + hugs); h u is 4, Ġ h 3, the rest 2 or 1.
    //  2. h ug: 4 (hug, hug x2, hugs); Ġ h 3.
    //  3. Ġ hug: 3 (hug x2, hugs).
    //  4. Ġ p and u n are both 2: " " sorts before "u", so Ġ p.
    //  5. u n: 2 (pun, bun). Every pair left is seen once: min_pair_count 2 stops here.
    const std::string corpus = "hug hug hug pug pun bun hugs";
    const auto bpe = train_byte_level_bpe(corpus, 300);
    CHECK(merge_lines(bpe) == std::vector<std::string>{"u g", "h ug", "\xC4\xA0 hug", "\xC4\xA0 p", "u n"});
    CHECK(bpe.vocab_size() == 256 + 5 + 1);
    CHECK(bpe.end_of_text_id() == 261);
    CHECK(bpe.token(256) == "ug");
    CHECK(bpe.token(258) == " hug");
    // With min_pair_count 1 the pairs seen once follow, the first token's bytes first:
    //  6. Ġ b (" " < " hug" < " p" < "b");  7. Ġb un (" b" < " hug" < " p").
    const auto more = train_byte_level_bpe(corpus, 256 + 7 + 1, {.min_pair_count = 1});
    CHECK(merge_lines(more) == std::vector<std::string>{"u g", "h ug", "\xC4\xA0 hug", "\xC4\xA0 p", "u n",
                                                        "\xC4\xA0 b", "\xC4\xA0" "b un"});
    CHECK(more.vocab_size() == 264);
    CHECK(train_byte_level_bpe(corpus, 256 + 3 + 1).merge_count() == 3);  // stops at the vocabulary size
    CHECK(!train_byte_level_bpe(corpus, 256, {.end_of_text = false}).end_of_text_id());
    // The encoder reproduces what training made of its words.
    CHECK(bpe.encode(" hugs") == std::vector<std::int32_t>{258, *bpe.id_of("s")});
    CHECK(bpe.encode(" bun") == std::vector<std::int32_t>{*bpe.id_of(" "), *bpe.id_of("b"), *bpe.id_of("un")});
    CHECK(support::error_of([&] { train_byte_level_bpe(corpus, 256); }) ==
          "train_byte_level_bpe: vocab_size 256 is below the 257 tokens every byte-level BPE has");
}

TEST_CASE("A trained BPE saves in GPT-2's two files, loads back the same, and round-trips any bytes") {
    const auto bpe = train_byte_level_bpe(paragraph, 400, {.min_pair_count = 1});
    CHECK(bpe.vocab_size() == 400);
    CHECK(bpe == train_byte_level_bpe(paragraph, 400, {.min_pair_count = 1}));  // deterministic
    const auto ids = bpe.encode(paragraph);
    CHECK(bpe.decode(ids) == paragraph);
    CHECK(ids.size() * 2 < paragraph.size());  // 143 merges learnt on this very text: under half the bytes
    const fs::path dir = support::scratch_dir("bpe-training", "save");
    bpe.save(dir);
    const auto loaded = BytePairEncoding::load(dir / "encoder.json", dir / "vocab.bpe");
    CHECK(loaded == bpe);
    CHECK(loaded.encode(paragraph) == ids);
    std::mt19937 rng(3);
    for (int round = 0; round < 100; ++round) {
        std::string s(rng() % 100, '\0');
        for (char& c : s) c = static_cast<char>(rng() % 256);
        CHECK(loaded.decode(loaded.encode(s)) == s);
    }
    // Invalid UTF-8 in the corpus: bytes of their own, never merged with their neighbours.
    const auto odd = train_byte_level_bpe("ab\xFF" "ab\xFF" "ab\xFF", 300);
    CHECK(merge_lines(odd) == std::vector<std::string>{"a b"});
}

TEST_CASE("A vocabulary learnt from Sherlock Holmes") {
    std::string book;
    try {
        book = tn::data::sherlock_holmes();
    } catch (const tn::data::MissingData&) {
        MESSAGE("data/text not fetched; skipping (scripts/fetch-data.sh text)");
        return;
    }
    const auto bpe = train_byte_level_bpe(book, 2'000);
    CHECK(bpe.vocab_size() == 2'000);
    const auto ids = bpe.encode(book);
    CHECK(bpe.decode(ids) == book);
    INFO("bytes per token: " << double(book.size()) / ids.size());
    CHECK(double(book.size()) / ids.size() > 3.0);
    CHECK(bpe.id_of(" Holmes").has_value());  // the book's most frequent name is one token
}
