// UTF-8 decoding, text files, the word tokenizer, and the two books when fetched.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <typenet/data/text.hpp>
#include <typenet/data/text_tokenizer.hpp>

#include "../support/scratch.hpp"
#include "../support/error_of.hpp"

using namespace tn::data;
namespace fs = std::filesystem;

namespace {

// The offset a Utf8Error reports for `bytes`, or npos when they decode.
std::size_t bad_offset(std::string_view bytes) {
    try {
        decode_utf8(bytes);
    } catch (const Utf8Error& e) {
        return e.offset;
    }
    return std::string::npos;
}

void write_file(const fs::path& p, std::string_view bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("UTF-8: 1- to 4-byte code points decode and encode back") {
    const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";  // a é € 😀 z
    const std::u32string cps = decode_utf8(text);
    CHECK(cps == std::u32string{U'a', 0xE9, 0x20AC, 0x1F600, U'z'});
    CHECK(encode_utf8(cps) == text);
    // The extremes of each length.
    const std::u32string edges{0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF};
    CHECK(decode_utf8(encode_utf8(edges)) == edges);
    CHECK_NOTHROW(validate_utf8(text));
}

TEST_CASE("UTF-8: invalid bytes are refused with the offset where the bad sequence starts") {
    CHECK(bad_offset("abc\x80") == 3);                   // a continuation byte with no lead
    CHECK(bad_offset("ab\xC3") == 2);                    // truncated at the end
    CHECK(bad_offset("ab\xE2\x82z") == 2);               // a lead byte followed by ASCII
    CHECK(bad_offset("\xC0\xAF") == 0);                  // overlong '/' (C0, C1 never occur)
    CHECK(bad_offset("x\xE0\x80\xAF") == 1);             // overlong 3-byte form
    CHECK(bad_offset("xy\xF0\x8F\xBF\xBF") == 2);        // overlong 4-byte form
    CHECK(bad_offset("\xED\xA0\x80") == 0);              // a surrogate, U+D800
    CHECK(bad_offset("ok\xF4\x90\x80\x80") == 2);        // above U+10FFFF
    CHECK(bad_offset("\xF5\x80\x80\x80") == 0);          // never a lead byte
    CHECK(bad_offset("\xC3\xA9\xFF") == 2);
    CHECK(support::error_of([] { decode_utf8("caf\xC3(", "menu.txt"); }) ==
          "menu.txt: invalid UTF-8 at byte 3: byte 0xC3 starts a 2-byte sequence but byte 4 is 0x28, "
          "not a continuation byte");
    CHECK(support::error_of([] { validate_utf8("ab\xED\xBF\xBF"); }) ==
          "text: invalid UTF-8 at byte 2: byte 0xED starts a 3-byte sequence but byte 3 is 0xBF "
          "(a surrogate, U+D800..U+DFFF)");
    CHECK(support::error_of([] { validate_utf8("abc\xE2\x82"); }) ==
          "text: invalid UTF-8 at byte 3: byte 0xE2 starts a 3-byte sequence but the text ends after 2");
    // Latin-1, the usual mistake: é as the single byte E9.
    CHECK(support::error_of([] { validate_utf8("caf\xE9 au lait", "latin1.txt"); }).starts_with("latin1.txt: invalid UTF-8 at byte 3"));
}

TEST_CASE("read_text drops the BOM and CRs, keeps a Gutenberg book's body, names bad files") {
    const fs::path dir = support::scratch_dir("text", "read_text");
    write_file(dir / "crlf.txt", "\xEF\xBB\xBFone\r\ntwo\rthree\n");
    CHECK(read_text(dir / "crlf.txt") == "one\ntwo\nthree\n");
    CHECK(read_text(dir / "crlf.txt", {.strip_bom = false, .unix_newlines = false}) ==
          "\xEF\xBB\xBFone\r\ntwo\rthree\n");

    write_file(dir / "book.txt",
               "Licence text\r\n*** START OF THIS PROJECT GUTENBERG EBOOK A BOOK ***\r\n\r\n\r\nChapter 1\r\n"
               "It was dark.\r\n\r\n*** END OF THIS PROJECT GUTENBERG EBOOK A BOOK ***\r\nMore licence\r\n");
    CHECK(read_text(dir / "book.txt", {.gutenberg_body = true}) == "Chapter 1\nIt was dark.\n");
    CHECK(support::error_of([&] { read_text(dir / "crlf.txt", {.gutenberg_body = true}); })
              .find("crlf.txt: no Project Gutenberg \"*** START OF\" line") != std::string::npos);

    write_file(dir / "latin1.txt", "line one\nna\xEFve\n");
    const std::string e = support::error_of([&] { read_text(dir / "latin1.txt"); });
    CHECK(e.find("latin1.txt: invalid UTF-8 at byte 11") != std::string::npos);
    CHECK(support::error_of([&] { read_text(dir / "absent.txt"); }).find("cannot open the text file") != std::string::npos);
}

TEST_CASE("The books' readers say which fetch-data.sh command gets a missing file") {
    const fs::path dir = support::scratch_dir("text", "empty");
    try {
        sherlock_holmes(dir);
        FAIL("no error");
    } catch (const MissingData& e) {
        CHECK(std::string(e.what()).find("no pg1661.txt in") != std::string::npos);
        CHECK(std::string(e.what()).find("scripts/fetch-data.sh text") != std::string::npos);
    }
    CHECK_THROWS_AS(tom_sawyer(dir), MissingData);
}

TEST_CASE("split_words: lower-cased words, apostrophes inside words, one token per punctuation mark") {
    CHECK(split_words("Holmes's hat -- it's gone!") ==
          std::vector<std::string>{"holmes's", "hat", "-", "-", "it's", "gone", "!"});
    CHECK(split_words("'Quoted,' she said; the boys' caps.") ==
          std::vector<std::string>{"'", "quoted", ",", "'", "she", "said", ";", "the", "boys", "'", "caps", "."});
    CHECK(split_words("Don\xE2\x80\x99t") == std::vector<std::string>{"don\xE2\x80\x99t"});  // U+2019
    CHECK(split_words("  \t\n ") .empty());
    CHECK(split_words("ABC def", false) == std::vector<std::string>{"ABC", "def"});
    CHECK(split_words("route 66, 3.5") == std::vector<std::string>{"route", "66", ",", "3", ".", "5"});
    // Non-ASCII letters: lower-cased, kept inside words. É -> é, Ω -> ω, Я -> я, Ł -> ł, Ÿ -> ÿ.
    CHECK(split_words("CAF\xC3\x89 \xCE\xA9 \xD0\xAF \xC5\x81\xC3\xB3" "d\xC5\xBA \xC5\xB8") ==
          std::vector<std::string>{"caf\xC3\xA9", "\xCF\x89", "\xD1\x8F", "\xC5\x82\xC3\xB3""d\xC5\xBA", "\xC3\xBF"});
    // A C1 control (the sentiment fixtures' U+0096, once Windows-1252's dash) separates.
    CHECK(split_words("them \xC2\x96 a") == std::vector<std::string>{"them", "a"});
    CHECK(split_words("a\xE2\x80\x94" "b") == std::vector<std::string>{"a", "\xE2\x80\x94", "b"});  // em dash
    CHECK(bad_offset("ok") == std::string::npos);
    CHECK(support::error_of([] { split_words("fine \xC3", false, "review 7"); }).starts_with("review 7: invalid UTF-8 at byte 5"));
}

TEST_CASE("to_lower and char_class on the ranges they cover") {
    CHECK(to_lower(U'A') == U'a');
    CHECK(to_lower(U'z') == U'z');
    CHECK(to_lower(0xD7) == 0xD7);    // the multiplication sign has no case
    CHECK(to_lower(0xDF) == 0xDF);    // ß
    CHECK(to_lower(0x100) == 0x101);  // Ā
    CHECK(to_lower(0x139) == 0x13A);  // Ĺ (odd capital)
    CHECK(to_lower(0x3A3) == 0x3C3);  // Σ
    CHECK(to_lower(0x401) == 0x451);  // Ё
    CHECK(char_class(U'_') == CharClass::punctuation);
    CHECK(char_class(0xA0) == CharClass::space);
    CHECK(char_class(0xFEFF) == CharClass::space);
    CHECK(char_class(0x65E5) == CharClass::letter);  // 日
}

// On the real files, when they are there (scripts/fetch-data.sh text).
TEST_CASE("The two books from golang-github-pierrec-lz4-dev") {
    fs::path folder;
    try {
        folder = find("text");
    } catch (const MissingData&) {
        MESSAGE("data/text not fetched; skipping (scripts/fetch-data.sh text)");
        return;
    }
    const std::string holmes = sherlock_holmes(folder);
    CHECK(holmes.size() == 562'531);  // of the file's 594,933 bytes: no BOM, CRs or licence
    CHECK(decode_utf8(holmes).size() == 562'516);
    CHECK(holmes.find('\r') == std::string::npos);
    CHECK(holmes.find("To Sherlock Holmes she is always THE woman.") != std::string::npos);
    CHECK(holmes.find("*** START") == std::string::npos);
    const std::string tom = tom_sawyer(folder);
    CHECK(tom.size() == 387'851);
    CHECK(tom.find("THE ADVENTURES OF TOM SAWYER") != std::string::npos);
}
