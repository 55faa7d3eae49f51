// English-Spanish verse pairs for translation (lesson 39): the World English Bible and
// the Reina-Valera 1909, both public domain, aligned by verse by
// `scripts/fetch-data.sh verses` into data/verses/verses.tsv (a header, then
// book, chapter, verse, english, spanish; 30,509 pairs; docs/data.md says how).
//
//   auto v = tn::data::verse_pairs();                 // English -> Spanish, <= 20 words a side
//   v.train.source[i], v.train.target[i]               // ids; target is <bos> ... <eos>
//   auto enc = tn::data::pad_tokens(v.train.source, 24);   // [n, 24] ids + lengths, for Tokens<24>
//   tn::corpus_bleu(v.test.references(), hypotheses);  // eval/bleu.hpp, on words
//
// The split is by whole books, named in the options, so the test set is text of a kind
// the model has not seen verse by verse (a random split of verses would put the
// neighbours of every test verse, and the Gospels' parallel passages, in training).
// Defaults: test Ruth, John, James (489 pairs of at most 20 words); validation Esther,
// Colossians, Titus, I John (137); the other 59 books train (11,604). The longest kept
// source is 36 ids, the longest target 31 (with <bos> and <eos>). Book names are
// diatheke's English ones, as in the file: "I John", "Song of Solomon", "Revelation of John".
//
// Tokens: the word vocabulary's split (data/text_tokenizer.hpp): lower-cased words and
// single punctuation characters, accents kept ("unigénito", "á", "¡"). One vocabulary per
// language, built on the training books only (a word seen fewer than min_count times
// there is <unk>), with <bos>/<eos> (ids 2 and 3) and padding 0.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/data/find.hpp"
#include "typenet/data/vocabulary.hpp"

namespace tn::data {

struct VersePair {
    std::string book;  // "Genesis", "I Samuel", ...
    int chapter = 0, verse = 0;
    std::string english, spanish;
    std::string reference() const { return book + " " + std::to_string(chapter) + ":" + std::to_string(verse); }
};

// Every line of verses.tsv, in the file's (canonical) order. A missing file is a
// MissingData naming the fetch command; a malformed line (not five tab-separated
// fields, a chapter or verse that is not a positive number, an empty text) is a
// std::runtime_error naming the file and the line number.
TYPENET_INLINE std::vector<VersePair> read_verse_pairs(const std::filesystem::path& file);

struct VersePairsOptions {
    bool english_to_spanish = true;  // false: Spanish source, English target
    std::vector<std::string> test_books{"Ruth", "John", "James"};
    std::vector<std::string> validation_books{"Esther", "Colossians", "Titus", "I John"};
    // A pair is kept when both sides have at most this many words (runs of letters and
    // digits, as split_words finds them; punctuation not counted). 0: no limit.
    std::size_t max_words = 20;
    VocabularyOptions source_vocabulary{.min_count = 2, .begin_end = true};
    VocabularyOptions target_vocabulary{.min_count = 2, .begin_end = true};
    bool source_begin_end = false;  // wrap the source in <bos> ... <eos> too
};

// One part of the split: the pairs kept, their ids, and the target's words for BLEU.
struct TranslationSet {
    std::vector<VersePair> pairs;
    std::vector<std::vector<std::int32_t>> source;  // the source vocabulary's ids
    std::vector<std::vector<std::int32_t>> target;  // <bos> ids <eos>, the target vocabulary's
    std::vector<std::vector<std::string>> target_words;  // the target's tokens, <unk> not applied
    std::size_t size() const { return pairs.size(); }
    // Each pair's one reference translation, as corpus_bleu takes them.
    TYPENET_INLINE std::vector<std::vector<std::vector<std::string>>> references() const;
};

struct VersePairs {
    Vocabulary source_vocabulary, target_vocabulary;  // built on `train` only
    TranslationSet train, validation, test;
    std::size_t too_long = 0;  // pairs left out by max_words (all three parts)
    // The longest source and target in ids (target with <bos> and <eos>): the T of
    // Tokens<T> that fits every kept pair.
    std::size_t longest_source = 0, longest_target = 0;
};

// The split, filter and encoding of `pairs` (as read_verse_pairs gives them). A book
// named in test_books or validation_books that is not in `pairs`, or named in both,
// is a std::invalid_argument: a typo must not silently move a book into training.
TYPENET_INLINE VersePairs verse_pairs_data(const std::vector<VersePair>& pairs, const VersePairsOptions& options = {});
// The same from the fetched file: data/verses/verses.tsv.
TYPENET_INLINE VersePairs verse_pairs(const std::filesystem::path& folder = root() / "verses",
                                      const VersePairsOptions& options = {});

// Sequences padded to a fixed width, for a model of Tokens<width>: ids [n, width],
// padding 0 after each sequence, and each one's length. A sequence longer than width is
// a std::invalid_argument naming its index.
struct PaddedTokens {
    std::size_t width = 0;
    std::vector<std::int32_t> ids;
    std::vector<std::uint32_t> lengths;
    std::size_t size() const { return lengths.size(); }
};
TYPENET_INLINE PaddedTokens pad_tokens(std::span<const std::vector<std::int32_t>> sequences, std::size_t width);

}  // namespace tn::data

#if TYPENET_DEFINE_BODIES
#include "typenet/data/verse_pairs.ipp"
#endif
