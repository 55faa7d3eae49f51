// The bodies of data/verse_pairs.hpp.
#pragma once
#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <stdexcept>

#include "typenet/data/text.hpp"
#include "typenet/data/text_tokenizer.hpp"
#include "typenet/data/verse_pairs.hpp"

namespace tn::data {

namespace verse_detail {

inline int positive_number(std::string_view field, const std::string& where, const char* what) {
    int value = 0;
    const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (error != std::errc{} || end != field.data() + field.size() || value <= 0)
        throw std::runtime_error(where + ": the " + what + " must be a positive number, found \"" +
                                 std::string(field) + "\"");
    return value;
}

// Words in a text's tokens: every token but a lone punctuation character.
inline std::size_t count_words(const std::vector<std::string>& tokens) {
    std::size_t words = 0;
    for (const std::string& t : tokens) {
        std::size_t offset = 0;
        if (char_class(next_code_point(t, offset)) == CharClass::letter) ++words;
    }
    return words;
}

}  // namespace verse_detail

TYPENET_INLINE std::vector<VersePair> read_verse_pairs(const std::filesystem::path& file) {
    if (!std::filesystem::exists(file))
        throw MissingData("verse pairs not found: " + file.string() + fetch_hint("verses"));
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open the verse pairs " + file.string());
    std::vector<VersePair> pairs;
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        const std::string where = file.string() + ":" + std::to_string(number);
        if (number == 1) {
            if (line != "book\tchapter\tverse\tenglish\tspanish")
                throw std::runtime_error(where + ": expected the header \"book<TAB>chapter<TAB>verse<TAB>english<TAB>"
                                         "spanish\" (rerun scripts/fetch-data.sh verses)");
            continue;
        }
        std::vector<std::string_view> fields;
        std::string_view rest = line;
        for (std::size_t tab; (tab = rest.find('\t')) != std::string_view::npos; rest.remove_prefix(tab + 1))
            fields.push_back(rest.substr(0, tab));
        fields.push_back(rest);
        if (fields.size() != 5)
            throw std::runtime_error(where + ": expected 5 tab-separated fields, found " + std::to_string(fields.size()));
        VersePair p;
        p.book = std::string(fields[0]);
        p.chapter = verse_detail::positive_number(fields[1], where, "chapter");
        p.verse = verse_detail::positive_number(fields[2], where, "verse");
        p.english = std::string(fields[3]);
        p.spanish = std::string(fields[4]);
        if (p.book.empty() || p.english.empty() || p.spanish.empty())
            throw std::runtime_error(where + ": an empty book name or text");
        validate_utf8(p.english, where);
        validate_utf8(p.spanish, where);
        pairs.push_back(std::move(p));
    }
    if (pairs.empty()) throw std::runtime_error(file.string() + ": no verse pairs (rerun scripts/fetch-data.sh verses)");
    return pairs;
}

TYPENET_INLINE std::vector<std::vector<std::vector<std::string>>> TranslationSet::references() const {
    std::vector<std::vector<std::vector<std::string>>> out;
    out.reserve(target_words.size());
    for (const auto& words : target_words) out.push_back({words});
    return out;
}

TYPENET_INLINE VersePairs verse_pairs_data(const std::vector<VersePair>& pairs, const VersePairsOptions& options) {
    std::set<std::string> books;
    for (const VersePair& p : pairs) books.insert(p.book);
    const std::set<std::string> test(options.test_books.begin(), options.test_books.end());
    const std::set<std::string> validation(options.validation_books.begin(), options.validation_books.end());
    for (const auto* named : {&test, &validation})
        for (const std::string& b : *named) {
            if (!books.contains(b))
                throw std::invalid_argument("verse pairs: no book \"" + b + "\" in the data (names as diatheke gives "
                                            "them: \"Genesis\", \"I John\", \"Revelation of John\")");
            if (named == &test && validation.contains(b))
                throw std::invalid_argument("verse pairs: the book \"" + b + "\" is named for both test and validation");
        }
    if (test.empty()) throw std::invalid_argument("verse pairs: no test books named");

    // Split by book, then filter by length (on the tokens the vocabularies will see).
    struct Kept {
        const VersePair* pair;
        std::vector<std::string> source, target;
    };
    std::vector<Kept> parts[3];  // train, validation, test
    VersePairs out;
    const bool lower_source = options.source_vocabulary.lowercase, lower_target = options.target_vocabulary.lowercase;
    for (const VersePair& p : pairs) {
        const std::string& src = options.english_to_spanish ? p.english : p.spanish;
        const std::string& tgt = options.english_to_spanish ? p.spanish : p.english;
        Kept k{&p, split_words(src, lower_source, p.reference()), split_words(tgt, lower_target, p.reference())};
        if (options.max_words && (verse_detail::count_words(k.source) > options.max_words ||
                                  verse_detail::count_words(k.target) > options.max_words)) {
            ++out.too_long;
            continue;
        }
        const int part = test.contains(p.book) ? 2 : validation.contains(p.book) ? 1 : 0;
        parts[part].push_back(std::move(k));
    }
    if (parts[0].empty()) throw std::invalid_argument("verse pairs: no training pair left after the split and filter");

    // The vocabularies from the training books only: a test word the training text never
    // had is <unk>, as it would be for a new text.
    std::vector<std::string> source_text, target_text;
    for (const Kept& k : parts[0]) {
        source_text.push_back(options.english_to_spanish ? k.pair->english : k.pair->spanish);
        target_text.push_back(options.english_to_spanish ? k.pair->spanish : k.pair->english);
    }
    out.source_vocabulary = Vocabulary::words(source_text, options.source_vocabulary);
    out.target_vocabulary = Vocabulary::words(target_text, options.target_vocabulary);
    if (!out.target_vocabulary.has_begin_end())
        throw std::invalid_argument("verse pairs: the target vocabulary needs begin_end (<bos> and <eos>)");
    if (options.source_begin_end && !out.source_vocabulary.has_begin_end())
        throw std::invalid_argument("verse pairs: source_begin_end needs a source vocabulary with begin_end");

    TranslationSet* sets[3] = {&out.train, &out.validation, &out.test};
    for (int part = 0; part < 3; ++part) {
        TranslationSet& set = *sets[part];
        for (Kept& k : parts[part]) {
            std::vector<std::int32_t> source, target;
            if (options.source_begin_end) source.push_back(out.source_vocabulary.begin_id());
            for (const std::string& t : k.source) source.push_back(out.source_vocabulary.id(t));
            if (options.source_begin_end) source.push_back(out.source_vocabulary.end_id());
            target.push_back(out.target_vocabulary.begin_id());
            for (const std::string& t : k.target) target.push_back(out.target_vocabulary.id(t));
            target.push_back(out.target_vocabulary.end_id());
            out.longest_source = std::max(out.longest_source, source.size());
            out.longest_target = std::max(out.longest_target, target.size());
            set.pairs.push_back(*k.pair);
            set.source.push_back(std::move(source));
            set.target.push_back(std::move(target));
            set.target_words.push_back(std::move(k.target));
        }
    }
    return out;
}

TYPENET_INLINE VersePairs verse_pairs(const std::filesystem::path& folder, const VersePairsOptions& options) {
    return verse_pairs_data(read_verse_pairs(folder / "verses.tsv"), options);
}

TYPENET_INLINE PaddedTokens pad_tokens(std::span<const std::vector<std::int32_t>> sequences, std::size_t width) {
    if (width == 0) throw std::invalid_argument("pad_tokens: the width must be at least 1");
    PaddedTokens out;
    out.width = width;
    out.ids.assign(sequences.size() * width, Vocabulary::pad_id);
    out.lengths.reserve(sequences.size());
    for (std::size_t i = 0; i < sequences.size(); ++i) {
        const auto& s = sequences[i];
        if (s.size() > width)
            throw std::invalid_argument("pad_tokens: sequence " + std::to_string(i) + " has " +
                                        std::to_string(s.size()) + " ids, more than the width " + std::to_string(width));
        std::copy(s.begin(), s.end(), out.ids.begin() + std::ptrdiff_t(i * width));
        out.lengths.push_back(std::uint32_t(s.size()));
    }
    return out;
}

}  // namespace tn::data
