// Byte-level BPE (text/byte_pair_encoding.hpp) and GPT-2's pre-tokenizer
// (text/pre_tokenizer.hpp): a tiny hand-made vocabulary whose merges are worked out in
// the comments, the file readers' errors, and GPT-2's own vocabulary when fetched
// (scripts/fetch-data.sh tokenizers): known ids, round trips of Sherlock Holmes and of
// random bytes, save() giving back GPT-2's files byte for byte.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <typenet/data/text.hpp>
#include <typenet/text/byte_pair_encoding.hpp>
#include <typenet/text/pre_tokenizer.hpp>

#include "../support/error_of.hpp"
#include "../support/scratch.hpp"

using tn::text::BytePairEncoding;
using tn::text::Gpt2PreTokenizer;
namespace fs = std::filesystem;
using Pieces = std::vector<std::string_view>;

namespace {

void write_file(const fs::path& p, std::string_view bytes) { std::ofstream(p, std::ios::binary) << bytes; }
std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The 256 bytes in GPT-2's order, then the tokens made by `merges` (pairs of token
// strings), each merge making the next id.
BytePairEncoding tiny(const std::vector<std::pair<std::string, std::string>>& merges) {
    std::vector<std::string> tokens;
    for (const unsigned char b : BytePairEncoding::gpt2_byte_order()) tokens.emplace_back(1, static_cast<char>(b));
    std::vector<BytePairEncoding::Merge> list;
    const auto id = [&](const std::string& t) {
        for (std::size_t i = 0; i < tokens.size(); ++i)
            if (tokens[i] == t) return static_cast<std::int32_t>(i);
        FAIL("no token " << t);
        return -1;
    };
    for (const auto& [a, b] : merges) {
        tokens.push_back(a + b);
        list.push_back({id(a), id(b), static_cast<std::int32_t>(tokens.size() - 1)});
    }
    return BytePairEncoding::build(tokens, list);
}

std::vector<std::string> token_strings(const BytePairEncoding& bpe, const std::vector<std::int32_t>& ids) {
    std::vector<std::string> out;
    for (const auto id : ids) out.push_back(bpe.token(id));
    return out;
}

std::optional<fs::path> gpt2_folder() {
    try {
        const fs::path folder = tn::data::find("tokenizers");
        if (fs::exists(folder / "gpt2" / "encoder.json")) return folder;
    } catch (const tn::data::MissingData&) {
    }
    MESSAGE("data/tokenizers not fetched; skipping GPT-2's vocabulary (scripts/fetch-data.sh tokenizers)");
    return std::nullopt;
}

}  // namespace

TEST_CASE("GPT-2's pre-tokenizer: contractions, a space joins the next word, digits, punctuation, white space") {
    const Gpt2PreTokenizer pre;
    CHECK(pre.split("Hello world") == Pieces{"Hello", " world"});
    CHECK(pre.split("it's 42!") == Pieces{"it", "'s", " 42", "!"});
    // \s+(?!\S): a run of spaces before a word leaves its last space to the word.
    CHECK(pre.split("a   b") == Pieces{"a", "  ", " b"});
    CHECK(pre.split("a \n\nb  ") == Pieces{"a", " \n", "\n", "b", "  "});
    CHECK(pre.split("I'LL we'd") == Pieces{"I", "'", "LL", " we", "'d"});  // the contractions are lower case only
    CHECK(pre.split("x += 3.5;") == Pieces{"x", " +=", " 3", ".", "5", ";"});
    CHECK(pre.split("caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87") == Pieces{"caf\xC3\xA9", " \xE4\xB8\xAD\xE6\x96\x87"});
    CHECK(pre.split("").empty());
    // White space is Unicode's White_Space (Python regex's \s): U+0085 is, U+FEFF and U+180E are not.
    CHECK(pre.split("a\xC2\x85") == Pieces{"a", "\xC2\x85"});
    CHECK(pre.split("a \xEF\xBB\xBF") == Pieces{"a", " \xEF\xBB\xBF"});
    CHECK(pre.split("a\xE1\xA0\x8E" "b") == Pieces{"a", "\xE1\xA0\x8E", "b"});
}

TEST_CASE("The pre-tokenizer cuts invalid UTF-8 into single bytes and the valid runs around them") {
    const Gpt2PreTokenizer pre;
    CHECK(pre.split("ab\xFF cd") == Pieces{"ab", "\xFF", " cd"});
    CHECK(pre.split("\xE2\x82 x") == Pieces{"\xE2", "\x82", " x"});           // a truncated sequence
    CHECK(pre.split("\xC0\xAF\xED\xA0\x80") == Pieces{"\xC0", "\xAF", "\xED", "\xA0", "\x80"});  // overlong, surrogate
    // Whatever the bytes, the pieces are the text, in order.
    std::mt19937 rng(7);
    for (int round = 0; round < 200; ++round) {
        std::string s(rng() % 64, '\0');
        for (char& c : s) c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : " aZ9'.\n\xC3\xA9"[rng() % 10]);
        std::string joined;
        for (const auto p : pre.split(s)) {
            CHECK(!p.empty());
            joined += p;
        }
        CHECK(joined == s);
    }
}

TEST_CASE("BPE merges the lowest-ranked pair everywhere, left to right, until none applies") {
    // Merges by rank: 0 "a a", 1 "b c", 2 "aa a", 3 "aa bc".
    const auto bpe = tiny({{"a", "a"}, {"b", "c"}, {"aa", "a"}, {"aa", "bc"}});
    CHECK(bpe.vocab_size() == 260);
    // "aaa": rank 0 at 0-1 (then 1-2 overlaps it) -> aa a; rank 2 -> aaa.
    CHECK(token_strings(bpe, bpe.encode("aaa")) == std::vector<std::string>{"aaa"});
    // "aaaa": rank 0 twice -> aa aa; "aa aa" is no merge.
    CHECK(token_strings(bpe, bpe.encode("aaaa")) == std::vector<std::string>{"aa", "aa"});
    // "aabc": ranks 0 and 1 -> aa bc, then rank 3 -> aabc.
    CHECK(token_strings(bpe, bpe.encode("aabc")) == std::vector<std::string>{"aabc"});
    // "aaabc": aa a bc (ranks 0, 1), then rank 2 (aa a) before rank 3 (aa bc): aaa bc.
    CHECK(token_strings(bpe, bpe.encode("aaabc")) == std::vector<std::string>{"aaa", "bc"});
    // Pieces are encoded apart: " aa" is " " + "aa" (no merge has the space).
    CHECK(token_strings(bpe, bpe.encode("aa aa")) == std::vector<std::string>{"aa", " ", "aa"});
    CHECK(bpe.encode("xyz") == std::vector<std::int32_t>{*bpe.id_of("x"), *bpe.id_of("y"), *bpe.id_of("z")});
    CHECK(bpe.decode(bpe.encode("aaabc aabc!")) == "aaabc aabc!");
    CHECK(bpe.byte_id('!') == 0);  // GPT-2's byte order: '!' first
    CHECK(bpe.byte_id(' ') == 220);
    CHECK(bpe.printable_token(*bpe.id_of(" ")) == "\xC4\xA0");  // Ġ
}

TEST_CASE("A merge file whose ranks do not follow the order tokens are made in is still encoder.py's") {
    // Rank 0 "a b" ... rank 2 "x ab" is fine; here "ab c" (rank 0) names "ab" before
    // "a b" (rank 1) makes it. encoder.py: "abc" -> (rank 1) ab c -> (rank 0) abc.
    std::vector<std::string> tokens;
    for (const unsigned char b : BytePairEncoding::gpt2_byte_order()) tokens.emplace_back(1, static_cast<char>(b));
    tokens.push_back("ab");
    tokens.push_back("abc");
    const auto id = [&](const char* t) { return static_cast<std::int32_t>(std::find(tokens.begin(), tokens.end(), t) - tokens.begin()); };
    const auto bpe = BytePairEncoding::build(tokens, {{id("ab"), id("c"), id("abc")}, {id("a"), id("b"), id("ab")}});
    CHECK(token_strings(bpe, bpe.encode("abc")) == std::vector<std::string>{"abc"});
    // "ababc": rank 1 twice -> ab ab c; then rank 0 -> ab abc.
    CHECK(token_strings(bpe, bpe.encode("ababc")) == std::vector<std::string>{"ab", "abc"});
}

TEST_CASE("decode(encode(s)) == s for random bytes, invalid UTF-8 included; long pieces stay fast") {
    const auto bpe = tiny({{"a", "a"}, {"aa", "aa"}, {" ", " "}, {"\xC3", "\xA9"}});
    std::mt19937 rng(42);
    for (int round = 0; round < 300; ++round) {
        std::string s(rng() % 200, '\0');
        for (char& c : s) c = static_cast<char>(rng() % 256);
        const auto ids = bpe.encode(s);
        CHECK(bpe.decode(ids) == s);
    }
    // One piece of a million letters, and a million spaces: n log n, not n^2.
    const auto start = std::chrono::steady_clock::now();
    const std::string letters(1'000'000, 'a'), spaces(1'000'000, ' ');
    CHECK(bpe.encode(letters).size() == 250'000);  // aaaa each
    CHECK(bpe.decode(bpe.encode(spaces)) == spaces);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));  // n^2 would take hours; 5 s under ASan
}

TEST_CASE("decode names an id outside the vocabulary and its position; build refuses what is not BPE") {
    const auto bpe = tiny({{"a", "b"}});
    CHECK(support::error_of([&] { bpe.decode(std::vector<std::int32_t>{1, 256, 300}); }) ==
          "BytePairEncoding::decode: id 300 at position 2 is outside 0..256");
    CHECK(support::error_of([&] { bpe.decode(std::vector<std::int32_t>{-1}); }) ==
          "BytePairEncoding::decode: id -1 at position 0 is outside 0..256");
    CHECK(support::error_of([] { BytePairEncoding{}.encode("x"); }).find("empty BytePairEncoding") != std::string::npos);
    std::vector<std::string> tokens;
    for (int b = 1; b < 256; ++b) tokens.emplace_back(1, static_cast<char>(b));
    CHECK(support::error_of([&] { BytePairEncoding::build(tokens, {}); }) ==
          "BytePairEncoding: no token is the single byte 0x00 (\"\xC4\x80\"): byte-level BPE needs all 256");
    tokens.emplace_back(1, '\0');
    tokens.push_back("ab");
    CHECK_NOTHROW(BytePairEncoding::build(tokens, {{'a' - 1, 'b' - 1, 256}}));
    CHECK(support::error_of([&] { BytePairEncoding::build(tokens, {{'a' - 1, 'b' - 1, 255}}); }) ==
          "BytePairEncoding: merge 0 makes \"\xC4\x80\" of \"a\" and \"b\"");  // id 255 is the NUL byte, not "ab"
    CHECK(support::error_of([&] { BytePairEncoding::build(tokens, {{'a' - 1, 'b' - 1, 256}, {'a' - 1, 'b' - 1, 256}}); }) ==
          "BytePairEncoding: merge 1 of \"a\" and \"b\" comes twice");
}

TEST_CASE("save and load: GPT-2's two-file format, and errors that name the file and the line or token") {
    const fs::path dir = support::scratch_dir("bpe", "files");
    const auto bpe = tiny({{"h", "e"}, {" ", "t"}, {" t", "he"}, {"\"", "\\"}});
    bpe.save(dir / "tiny");
    const std::string vocab = read_file(dir / "tiny" / "vocab.bpe");
    CHECK(vocab == "#version: 0.2\nh e\nĠ t\nĠt he\n\" \\\n");
    const std::string encoder = read_file(dir / "tiny" / "encoder.json");
    CHECK(encoder.starts_with("{\"!\": 0, \"\\\"\": 1, "));
    CHECK(encoder.find("\"\\u0120the\": 258") != std::string::npos);  // non-ASCII as \uXXXX, as Python's json.dump
    CHECK(encoder.find("\"\\\"\\\\\": 259}") != std::string::npos);
    const auto again = BytePairEncoding::load(dir / "tiny" / "encoder.json", dir / "tiny" / "vocab.bpe");
    CHECK(again == bpe);
    CHECK(again.encode(" the") == std::vector<std::int32_t>{258});

    const auto broken_vocab = [&](std::string_view text) {
        write_file(dir / "bad.bpe", text);
        return support::error_of([&] { BytePairEncoding::load(dir / "tiny" / "encoder.json", dir / "bad.bpe"); });
    };
    const std::string bad = (dir / "bad.bpe").string();
    CHECK(broken_vocab("#version: 0.2\nh e\nĠt\n") == bad + ": line 3: expected two tokens separated by one space, found \"Ġt\"");
    CHECK(broken_vocab("h e\nh  e\n") == bad + ": line 2: expected two tokens separated by one space, found \"h  e\"");
    CHECK(broken_vocab("h e\nh e\n") == bad + ": line 2: the merge \"h e\" is already on line 1");
    CHECK(broken_vocab("h e\nx y\n") ==
          bad + ": line 2: the merge makes \"xy\", which " + (dir / "tiny" / "encoder.json").string() + " does not have");
    CHECK(broken_vocab("h e\n\nĠ t\n") == bad + ": line 2: a blank line before the last merge");
    CHECK(broken_vocab("h \xE4\xB8\xAD\n") == bad + ": line 1: U+4E2D is not one of GPT-2's 256 byte characters");
    CHECK(broken_vocab("h e\n\n\n") == "(no error)");  // blank lines at the end are fine

    const auto broken_encoder = [&](std::string_view text) {
        write_file(dir / "bad.json", text);
        return support::error_of([&] { BytePairEncoding::load(dir / "bad.json", dir / "tiny" / "vocab.bpe"); });
    };
    const std::string bj = (dir / "bad.json").string();
    CHECK(broken_encoder("{\"a\": 0, \"b\": 1").starts_with(bj + ": not valid JSON: parse error at line 1, column"));
    CHECK(broken_encoder("[1, 2]") == bj + ": expected one object of token: id, found an array");
    CHECK(broken_encoder("{\"a\": 0, \"b\": 1.5}") == bj + ": the id of \"b\" is 1.5, not a whole number");
    CHECK(broken_encoder("{\"a\": 0, \"b\": 7}") ==
          bj + ": the id of \"b\" is 7, outside 0..1 (the ids of 2 tokens must be 0..1)");
    CHECK(broken_encoder("{\"a\": 0, \"b\": 0}") == bj + ": two tokens have the id 0, \"a\" and \"b\"");
    CHECK(broken_encoder("{\"a\": 0, \"a\": 1}") == bj + ": the token \"a\" appears twice");
    CHECK(broken_encoder("{\"a\": 0, \"\\u4e2d\": 1}") ==
          bj + ": the token \"\xE4\xB8\xAD\" (id 1) has U+4E2D, which is not one of GPT-2's 256 byte characters");
    CHECK(broken_encoder("{\"a\": 0, \"b\": 1}") == bj + ": no token is the single byte 0x00 (\"\xC4\x80\"): byte-level BPE needs all 256");
    CHECK(broken_encoder("{}") == bj + ": holds no tokens");
    CHECK(support::error_of([&] { BytePairEncoding::load(dir / "absent.json", dir / "tiny" / "vocab.bpe"); }) ==
          (dir / "absent.json").string() + ": cannot open the file");
    try {
        BytePairEncoding::gpt2(dir);
        FAIL("no error");
    } catch (const tn::data::MissingData& e) {
        CHECK(std::string(e.what()).find("scripts/fetch-data.sh tokenizers") != std::string::npos);
    }
}

TEST_CASE("GPT-2's vocabulary: known ids, the book and random bytes round trip, save gives its files back") {
    const auto folder = gpt2_folder();
    if (!folder) return;
    const auto bpe = BytePairEncoding::gpt2(*folder);
    CHECK(bpe.vocab_size() == 50'257);
    CHECK(bpe.merge_count() == 50'000);
    CHECK(bpe.encode("Hello world") == std::vector<std::int32_t>{15496, 995});
    CHECK(bpe.encode(" Hello") == std::vector<std::int32_t>{18435});
    CHECK(bpe.id_of(" Hello") == 18435);
    CHECK(bpe.printable_token(18435) == "\xC4\xA0Hello");
    CHECK(bpe.end_of_text_id() == 50256);
    CHECK(bpe.decode(std::vector<std::int32_t>{50256}) == "<|endoftext|>");
    CHECK(support::error_of([&] { bpe.decode(std::vector<std::int32_t>{995, 50257}); }) ==
          "BytePairEncoding::decode: id 50257 at position 1 is outside 0..50256");

    std::mt19937 rng(1661);
    for (int round = 0; round < 200; ++round) {
        std::string s(rng() % 300, '\0');
        for (char& c : s) c = static_cast<char>(rng() % 256);
        CHECK(bpe.decode(bpe.encode(s)) == s);
    }
    try {
        const std::string book = tn::data::sherlock_holmes();
        const auto ids = bpe.encode(book);
        CHECK(bpe.decode(ids) == book);
        CHECK(ids.size() < book.size() / 3);  // about 4.3 bytes a token in English prose
    } catch (const tn::data::MissingData&) {
        MESSAGE("data/text not fetched; skipping the book (scripts/fetch-data.sh text)");
    }
    const fs::path dir = support::scratch_dir("bpe", "gpt2");
    bpe.save(dir);
    CHECK(read_file(dir / "encoder.json") == read_file(*folder / "gpt2" / "encoder.json"));
    CHECK(read_file(dir / "vocab.bpe") == read_file(*folder / "gpt2" / "vocab.bpe"));

    // A corrupt copy: the error names the copy and the line.
    std::string vocab = read_file(*folder / "gpt2" / "vocab.bpe");
    const std::size_t line3 = vocab.find('\n', vocab.find('\n') + 1) + 1;  // "Ġ a" on line 3
    vocab.replace(line3, vocab.find('\n', line3) - line3, "\xC4\xA0" "a");
    write_file(dir / "vocab.bpe", vocab);
    CHECK(support::error_of([&] { BytePairEncoding::load(dir / "encoder.json", dir / "vocab.bpe"); }) ==
          (dir / "vocab.bpe").string() + ": line 3: expected two tokens separated by one space, found \"\xC4\xA0" "a\"");
    std::string encoder = read_file(*folder / "gpt2" / "encoder.json");
    encoder.resize(encoder.size() / 2);
    write_file(dir / "encoder.json", encoder);
    CHECK(support::error_of([&] { BytePairEncoding::load(dir / "encoder.json", *folder / "gpt2" / "vocab.bpe"); })
              .starts_with((dir / "encoder.json").string() + ": not valid JSON: parse error at line 1, column"));
}
