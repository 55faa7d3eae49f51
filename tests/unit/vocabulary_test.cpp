// Character and word vocabularies: ids, cut-offs, the unknown token, encode/decode
// both ways, and the file that travels with a trained model.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <typenet/data/text.hpp>
#include <typenet/data/vocabulary.hpp>

#include "../support/scratch.hpp"
#include "../support/error_of.hpp"

using namespace tn::data;
namespace fs = std::filesystem;
using Ids = std::vector<std::int32_t>;

namespace {

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const fs::path& p, std::string_view bytes) { std::ofstream(p, std::ios::binary) << bytes; }

}  // namespace

TEST_CASE("Character vocabulary: specials first, then by frequency, ties in byte order") {
    const auto v = Vocabulary::characters("abracadabra");  // a5 b2 r2 c1 d1
    CHECK(v.kind() == VocabularyKind::characters);
    CHECK(v.size() == 7);
    CHECK(v.token(Vocabulary::pad_id) == "<pad>");
    CHECK(v.token(Vocabulary::unknown_id) == "<unk>");
    CHECK(v.first_token_id() == 2);
    CHECK(v.token(2) == "a");
    CHECK(v.token(3) == "b");
    CHECK(v.token(4) == "r");
    CHECK(v.token(5) == "c");
    CHECK(v.token(6) == "d");
    CHECK(v.count(2) == 5);
    CHECK(v.count(Vocabulary::pad_id) == 0);
    CHECK(v.encode("cab") == Ids{5, 2, 3});
    CHECK(v.decode(Ids{5, 2, 3}) == "cab");
    CHECK(support::error_of([&] { v.token(7); }) == "Vocabulary: id 7 is outside 0 to 6");
    CHECK(support::error_of([&] { v.begin_id(); }).find("no <bos>") != std::string::npos);
}

TEST_CASE("Character vocabulary: code points, not bytes; unknowns; round trip") {
    const std::string text = "na\xC3\xAFve caf\xC3\xA9 \xE2\x82\xAC" "5\n";  // naïve café €5
    const auto v = Vocabulary::characters(text);
    CHECK(v.contains("\xC3\xAF"));
    CHECK(v.contains("\xE2\x82\xAC"));
    CHECK(!v.contains("\xC3"));
    const Ids ids = v.encode(text);
    CHECK(ids.size() == decode_utf8(text).size());
    CHECK(v.decode(ids) == text);
    CHECK(v.encode(v.decode(ids)) == ids);
    // Unknown characters: id 1, shown as U+FFFD.
    const Ids z = v.encode("az");
    CHECK(z == Ids{v.id("a"), Vocabulary::unknown_id});
    CHECK(v.decode(z) == "a\xEF\xBF\xBD");
    CHECK(support::error_of([&] { v.encode("ok\xFF"); }).starts_with("text: invalid UTF-8 at byte 2"));
    CHECK(support::error_of([&] { v.decode(Ids{2, 99}); }).find("id 99 at position 1 is outside") != std::string::npos);
}

TEST_CASE("Cut-offs: min_count and max_size send the rest to unknown, and count it") {
    const std::string text = "aaaa bbb cc d";  // a4 ' '3 b3 c2 d1
    const auto all = Vocabulary::characters(text);
    CHECK(all.size() == 2 + 5);
    const auto v = Vocabulary::characters(text, {.min_count = 3});
    CHECK(v.size() == 2 + 3);  // a, ' ', b
    CHECK(v.id("c") == Vocabulary::unknown_id);
    CHECK(v.id("d") == Vocabulary::unknown_id);
    CHECK(v.count(Vocabulary::unknown_id) == 3);  // cc d
    CHECK(v.encode("abcd") == Ids{2, v.id("b"), 1, 1});
    const auto top = Vocabulary::characters(text, {.max_size = 4});
    CHECK(top.size() == 4);
    CHECK(top.token(2) == "a");
    CHECK(top.token(3) == " ");  // ' ' (0x20) before 'b' at equal counts
    CHECK(support::error_of([&] { Vocabulary::characters(text, {.max_size = 2}); }).find("leaves no room") !=
          std::string::npos);
}

TEST_CASE("Word vocabulary: lower-cased words and punctuation, begin/end tokens, decode joins readably") {
    const std::vector<std::string> texts{"The cat sat.", "The dog sat, the cat ran!", "A dog's life."};
    const auto v = Vocabulary::words(texts, {.begin_end = true});
    CHECK(v.kind() == VocabularyKind::words);
    CHECK(v.lowercase());
    CHECK(v.begin_id() == 2);
    CHECK(v.end_id() == 3);
    CHECK(v.token(4) == "the");  // 3 times
    CHECK(v.count(4) == 3);
    CHECK(v.id("The") == Vocabulary::unknown_id);  // id() takes tokens as split, already lower-cased
    const Ids ids = v.encode("The dog ran.", true);
    CHECK(ids.front() == v.begin_id());
    CHECK(ids.back() == v.end_id());
    CHECK(ids.size() == 6);
    CHECK(v.decode(ids) == "the dog ran.");
    CHECK(v.decode(v.encode("A cat, a dog's life!")) == "a cat, a dog's life!");
    const Ids u = v.encode("The zebra sat");
    CHECK(u[1] == Vocabulary::unknown_id);
    CHECK(v.decode(u) == "the <unk> sat");
    // split, then join: the same ids back for any text of known tokens.
    const Ids known = v.encode("sat, the dog! the cat... a life");
    CHECK(v.encode(v.decode(known)) == known);
    const auto cased = Vocabulary::words(texts, {.lowercase = false});
    CHECK(cased.contains("The"));
    CHECK(cased.contains("the"));
}

TEST_CASE("save and load: the same vocabulary back, escapes and all") {
    const fs::path dir = support::scratch_dir("vocabulary", "save");
    const std::string text = "line one\nline\ttwo \\ back\r\x01\xC3\xA9";
    const auto chars = Vocabulary::characters(text, {.begin_end = true});
    chars.save(dir / "chars.vocab");
    const auto again = Vocabulary::load(dir / "chars.vocab");
    CHECK(again == chars);
    CHECK(again.encode(text) == chars.encode(text));
    CHECK(again.has_begin_end());
    const std::string file = read_all(dir / "chars.vocab");
    CHECK(file.starts_with("typenet vocabulary 1\nkind characters\nlowercase 0\nbegin_end 1\nsize "));
    CHECK(file.find("\t\\n\n") != std::string::npos);
    CHECK(file.find("\t\\x01\n") != std::string::npos);

    const auto words = Vocabulary::words("It is what it is, isn't it?", {.min_count = 2});
    words.save(dir / "words.vocab");
    CHECK(Vocabulary::load(dir / "words.vocab") == words);
}

TEST_CASE("load names the file and line of what is wrong") {
    const fs::path dir = support::scratch_dir("vocabulary", "load");
    const auto v = Vocabulary::characters("aab");
    v.save(dir / "good.vocab");
    const std::string good = read_all(dir / "good.vocab");  // header 5 lines, then <pad> <unk> a b
    const auto broken = [&](std::string text) {
        write_file(dir / "bad.vocab", text);
        return support::error_of([&] { Vocabulary::load(dir / "bad.vocab"); });
    };
    CHECK(broken("hello\n").find("bad.vocab, line 1: not a typenet vocabulary file") != std::string::npos);
    std::string s = good;
    s.replace(s.find("kind characters"), 15, "kind bytes");
    CHECK(broken(s).find("line 2: kind must be characters or words") != std::string::npos);
    CHECK(broken(good.substr(0, good.size() - 4)).find("line 9: the file ends early") != std::string::npos);
    s = good;
    s.replace(s.find("\ta\n"), 3, "\tb\n");
    CHECK(broken(s).find("line 9: \"b\" appears twice") != std::string::npos);
    s = good;
    s.replace(s.find("\ta\n"), 3, "\tab\n");
    CHECK(broken(s).find("line 8: id 2: \"ab\" is more than one character") != std::string::npos);
    s = good;
    s.replace(s.find("<unk>"), 5, "<unknown>");
    CHECK(broken(s).find("line 7: id 1 must be <unk>") != std::string::npos);
    s = good;
    s.replace(s.find("\ta\n"), 3, "\t\xC3\n");
    CHECK(broken(s).find("line 8: the token of id 2: invalid UTF-8 at byte 0") != std::string::npos);
    s = good;
    s.replace(s.find("\ta\n"), 3, "\t\\q\n");
    CHECK(broken(s).find("line 8: the token of id 2: unknown escape \\q") != std::string::npos);
    CHECK(support::error_of([&] { Vocabulary::load(dir / "none.vocab"); }).find("cannot open the vocabulary file") !=
          std::string::npos);
}
