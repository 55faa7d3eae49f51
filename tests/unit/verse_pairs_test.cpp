// The verse-pair reader and translation split, on a small file the test writes (the
// format of scripts/fetch-data.sh verses), and on the real file when it is fetched.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <typenet/data/text.hpp>
#include <typenet/data/text_tokenizer.hpp>
#include <typenet/data/verse_pairs.hpp>

#include "../support/error_of.hpp"
#include "../support/scratch.hpp"

using namespace tn;
using namespace tn::data;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, std::string_view bytes) { std::ofstream(p, std::ios::binary) << bytes; }

const char* header = "book\tchapter\tverse\tenglish\tspanish\n";

// Three books: "Genesis" and "Exodus" train, "Ruth" test, "John" validation.
const char* fixture =
    "Genesis\t1\t1\tIn the beginning, God created the heavens and the earth.\tEN el principio crió Dios los cielos y la "
    "tierra.\n"
    "Genesis\t1\t3\tGod said, “Let there be light,” and there was light.\tY dijo Dios: Sea la luz: y fué la luz.\n"
    "Exodus\t1\t1\tNow these are the names of the sons of Israel.\tESTOS son los nombres de los hijos de Israel.\n"
    "Exodus\t2\t1\tA man of the house of Levi went and took a daughter of Levi as his wife, and God saw it, and God "
    "was there, and the light was there.\tUn varón de la familia de Leví fué, y tomó por mujer una hija de Leví.\n"
    "Ruth\t1\t16\tRuth said, “Your people will be my people, and your God my God.”\tY Ruth respondió: Tu pueblo "
    "será mi pueblo, y tu Dios mi Dios.\n"
    "John\t11\t35\tJesus wept.\tY lloró Jesús.\n";

VersePairsOptions small_options() {
    VersePairsOptions o;
    o.test_books = {"Ruth"};
    o.validation_books = {"John"};
    o.source_vocabulary.min_count = 1;
    o.target_vocabulary.min_count = 1;
    return o;
}

std::vector<std::string> words_of(const Vocabulary& v, const std::vector<std::int32_t>& ids) {
    std::vector<std::string> out;
    for (std::int32_t id : ids) out.push_back(v.token(id));
    return out;
}

}  // namespace

TEST_CASE("read_verse_pairs: every field of every line") {
    const fs::path dir = support::scratch_dir("verse_pairs", "read");
    write_file(dir / "verses.tsv", std::string(header) + fixture);
    const auto pairs = read_verse_pairs(dir / "verses.tsv");
    REQUIRE(pairs.size() == 6);
    CHECK(pairs[4].book == "Ruth");
    CHECK(pairs[4].chapter == 1);
    CHECK(pairs[4].verse == 16);
    CHECK(pairs[4].reference() == "Ruth 1:16");
    CHECK(pairs[5].english == "Jesus wept.");
    CHECK(pairs[5].spanish == "Y lloró Jesús.");
}

TEST_CASE("read_verse_pairs: a missing file names the fetch command; a bad line names its number") {
    const fs::path dir = support::scratch_dir("verse_pairs", "errors");
    const std::string missing = support::error_of([&] { read_verse_pairs(dir / "verses.tsv"); });
    CHECK(missing.find("scripts/fetch-data.sh verses") != std::string::npos);
    CHECK_THROWS_AS(verse_pairs(dir), MissingData);

    const fs::path file = dir / "verses.tsv";
    write_file(file, std::string(header) + "Genesis\t1\t1\tIn the beginning\n");
    CHECK(support::error_of([&] { read_verse_pairs(file); }) ==
          file.string() + ":2: expected 5 tab-separated fields, found 4");
    write_file(file, std::string(header) + "Genesis\t1\tone\tIn the beginning\tEn el principio\n");
    CHECK(support::error_of([&] { read_verse_pairs(file); }) ==
          file.string() + ":2: the verse must be a positive number, found \"one\"");
    write_file(file, "book\tverse\n");
    CHECK(support::error_of([&] { read_verse_pairs(file); }).find(":1: expected the header") != std::string::npos);
    write_file(file, header);
    CHECK(support::error_of([&] { read_verse_pairs(file); }) ==
          file.string() + ": no verse pairs (rerun scripts/fetch-data.sh verses)");
}

TEST_CASE("verse_pairs_data: whole books to each part, the length filter, ids with <bos>/<eos>") {
    const fs::path dir = support::scratch_dir("verse_pairs", "split");
    write_file(dir / "verses.tsv", std::string(header) + fixture);
    VersePairsOptions options = small_options();
    options.max_words = 14;  // Exodus 2:1 has 36 English words: left out
    const VersePairs v = verse_pairs(dir, options);

    CHECK(v.too_long == 1);
    REQUIRE(v.train.size() == 3);
    REQUIRE(v.validation.size() == 1);
    REQUIRE(v.test.size() == 1);
    for (const auto& p : v.train.pairs) CHECK((p.book == "Genesis" || p.book == "Exodus"));
    CHECK(v.test.pairs[0].reference() == "Ruth 1:16");
    CHECK(v.validation.pairs[0].reference() == "John 11:35");

    // English source as the vocabulary splits it (lower-cased, punctuation its own token),
    // Spanish target wrapped in <bos> ... <eos>, accents kept.
    const auto& src = v.source_vocabulary;
    const auto& tgt = v.target_vocabulary;
    CHECK(words_of(src, v.train.source[0]) ==
          std::vector<std::string>{"in", "the", "beginning", ",", "god", "created", "the", "heavens", "and", "the",
                                   "earth", "."});
    CHECK(words_of(tgt, v.train.target[0]) == std::vector<std::string>{"<bos>", "en", "el", "principio", "crió", "dios",
                                                                       "los", "cielos", "y", "la", "tierra", ".",
                                                                       "<eos>"});
    // Test words the training books never had are <unk> in the ids, but kept in the
    // BLEU references.
    CHECK(words_of(tgt, v.validation.target[0]) ==
          std::vector<std::string>{"<bos>", "y", "<unk>", "<unk>", ".", "<eos>"});
    CHECK(v.validation.target_words[0] == std::vector<std::string>{"y", "lloró", "jesús", "."});
    CHECK(v.validation.references()[0] == std::vector<std::vector<std::string>>{{"y", "lloró", "jesús", "."}});
    // Ids back to words: every training id is a known token, so decode gives the text's tokens.
    for (std::size_t i = 0; i < v.train.size(); ++i) {
        const auto& t = v.train.target[i];
        CHECK(tgt.split(tgt.decode(t)) == v.train.target_words[i]);
    }
    // Ruth 1:16 (in the test part: the longest is over every part kept).
    CHECK(v.longest_source == 18);
    CHECK(v.longest_target == 18);

    // The other way round, and the source wrapped too.
    options.english_to_spanish = false;
    options.source_begin_end = true;
    const VersePairs back = verse_pairs(dir, options);
    CHECK(words_of(back.source_vocabulary, back.validation.source[0]) ==
          std::vector<std::string>{"<bos>", "y", "<unk>", "<unk>", ".", "<eos>"});
    CHECK(back.validation.target_words[0] == std::vector<std::string>{"jesus", "wept", "."});
}

TEST_CASE("verse_pairs_data: a misnamed or doubly named book is an error, not a silent training book") {
    const fs::path dir = support::scratch_dir("verse_pairs", "names");
    write_file(dir / "verses.tsv", std::string(header) + fixture);
    const auto pairs = read_verse_pairs(dir / "verses.tsv");
    VersePairsOptions options = small_options();
    options.test_books = {"1 John"};
    CHECK(support::error_of([&] { verse_pairs_data(pairs, options); })
              .starts_with("verse pairs: no book \"1 John\" in the data"));
    options.test_books = {"Ruth", "John"};
    CHECK(support::error_of([&] { verse_pairs_data(pairs, options); }) ==
          "verse pairs: the book \"John\" is named for both test and validation");
}

TEST_CASE("pad_tokens: fixed-width rows, padding 0, the lengths") {
    const std::vector<std::vector<std::int32_t>> seqs{{2, 7, 8, 3}, {2, 3}};
    const PaddedTokens p = pad_tokens(seqs, 5);
    CHECK(p.size() == 2);
    CHECK(p.ids == std::vector<std::int32_t>{2, 7, 8, 3, 0, 2, 3, 0, 0, 0});
    CHECK(p.lengths == std::vector<std::uint32_t>{4, 2});
    CHECK(support::error_of([&] { pad_tokens(seqs, 3); }) ==
          "pad_tokens: sequence 0 has 4 ids, more than the width 3");
}

// On the real file, when it is there (scripts/fetch-data.sh verses).
TEST_CASE("verse_pairs on the fetched file: John 3:16 aligned, books whole, the default filter") {
    std::vector<VersePair> pairs;
    try {
        pairs = read_verse_pairs(root() / "verses" / "verses.tsv");
    } catch (const MissingData&) {
        MESSAGE("data/verses not fetched; skipping (scripts/fetch-data.sh verses)");
        return;
    }
    CHECK(pairs.size() > 30000);
    const auto john = std::find_if(pairs.begin(), pairs.end(), [](const VersePair& p) {
        return p.book == "John" && p.chapter == 3 && p.verse == 16;
    });
    REQUIRE(john != pairs.end());
    CHECK(john->english ==
          "For God so loved the world, that he gave his only born Son, that whoever believes in him should not "
          "perish, but have eternal life.");
    CHECK(john->spanish ==
          "Porque de tal manera amó Dios al mundo, que ha dado á su Hijo unigénito, para que todo aquel que en él "
          "cree, no se pierda, mas tenga vida eterna.");
    // No markup left, and the WEB's words run together by its markup are apart again.
    for (const VersePair& p : pairs) {
        REQUIRE_MESSAGE(p.english.find('<') == std::string::npos, p.reference());
        REQUIRE_MESSAGE(p.spanish.find('<') == std::string::npos, p.reference());
    }
    CHECK(pairs.front().english == "In the beginning, God created the heavens and the earth.");

    const VersePairs v = verse_pairs_data(pairs);
    // Each book in exactly one part.
    std::map<std::string, std::set<int>> parts_of;
    const TranslationSet* sets[3] = {&v.train, &v.validation, &v.test};
    for (int part = 0; part < 3; ++part)
        for (const VersePair& p : sets[part]->pairs) parts_of[p.book].insert(part);
    for (const auto& book_parts : parts_of) CHECK_MESSAGE(book_parts.second.size() == 1, book_parts.first);
    CHECK(parts_of.at("John") == std::set<int>{2});
    CHECK(parts_of.at("Ruth") == std::set<int>{2});
    CHECK(parts_of.at("Titus") == std::set<int>{1});
    CHECK(parts_of.at("Genesis") == std::set<int>{0});
    MESSAGE("verse pairs: train " << v.train.size() << ", validation " << v.validation.size() << ", test "
                                  << v.test.size() << ", too long " << v.too_long << "; vocabularies "
                                  << v.source_vocabulary.size() << " English, " << v.target_vocabulary.size()
                                  << " Spanish; longest " << v.longest_source << " / " << v.longest_target << " ids");
    CHECK(v.test.size() > 300);
    CHECK(v.train.size() > 10000);
    CHECK(v.train.size() + v.validation.size() + v.test.size() + v.too_long == pairs.size());
    // The filter: no kept side above 20 words (tokens that are not lone punctuation).
    for (const TranslationSet* set : sets)
        for (std::size_t i = 0; i < set->size(); ++i) {
            std::size_t words = 0;
            for (const std::string& t : set->target_words[i]) {
                std::size_t offset = 0;
                words += char_class(next_code_point(t, offset)) == CharClass::letter;
            }
            CHECK(words <= 20);
        }
}
