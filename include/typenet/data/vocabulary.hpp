// A vocabulary: token <-> id, for a model that starts with Tokens<T> and
// Embedding<V, D>. Built from training text, it travels with the trained model
// (save/load: a small text file beside the checkpoint).
//
//   auto vocab = tn::data::Vocabulary::characters(book);           // code points
//   auto words = tn::data::Vocabulary::words(sentences, {.min_count = 2});
//   std::vector<std::int32_t> ids = vocab.encode("Holmes");
//   std::string text = vocab.decode(ids);
//   vocab.save("out/chars.vocab");  auto again = tn::data::Vocabulary::load("out/chars.vocab");
//
// Ids: 0 is padding (Embedding<V, D, PaddingId<0>> keeps its row at zero), 1 the
// unknown token (anything not in the vocabulary, or cut off by min_count/max_size);
// with begin_end, 2 and 3 mark a sequence's begin and end. The tokens follow, most
// frequent first (ties in byte order of the token), so ids are the same for the same
// text on every platform, and a cut-off by max_size keeps the most frequent.
//
// Characters are Unicode code points (of validated UTF-8), taken as they are: no
// case folding, no normalisation. Words come from split_words (data/text_tokenizer.hpp):
// lower-cased words and single punctuation characters.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "typenet/config.hpp"

namespace tn::data {

enum class VocabularyKind { characters, words };

struct VocabularyOptions {
    // A token seen fewer times than this in the training text is unknown (id 1).
    std::size_t min_count = 1;
    // At most this many ids in all, the special ones included (0: no limit).
    std::size_t max_size = 0;
    bool begin_end = false;  // add <bos> (id 2) and <eos> (id 3)
    bool lowercase = true;   // words only: fold capitals before counting and encoding
};

class Vocabulary {
public:
    static constexpr std::int32_t pad_id = 0;
    static constexpr std::int32_t unknown_id = 1;
    // The special tokens' names. None can be a token of text: a character token is
    // one code point, and split_words makes "<" and ">" tokens of their own.
    static constexpr std::string_view pad_token = "<pad>", unknown_token = "<unk>", begin_token = "<bos>",
                                      end_token = "<eos>";

    Vocabulary() = default;  // empty; build with characters()/words() or load()

    // Counts the tokens of `text` (or of each text), then keeps those that pass the
    // cut-offs. Invalid UTF-8 is a Utf8Error naming the text's index and the offset.
    TYPENET_INLINE static Vocabulary characters(std::string_view text, const VocabularyOptions& options = {});
    TYPENET_INLINE static Vocabulary characters(std::span<const std::string> texts,
                                                const VocabularyOptions& options = {});
    TYPENET_INLINE static Vocabulary words(std::string_view text, const VocabularyOptions& options = {});
    TYPENET_INLINE static Vocabulary words(std::span<const std::string> texts, const VocabularyOptions& options = {});

    VocabularyKind kind() const { return kind_; }
    std::size_t size() const { return tokens_.size(); }  // V of Embedding<V, D>: every id is below it
    bool lowercase() const { return lowercase_; }
    bool has_begin_end() const { return begin_end_; }
    TYPENET_INLINE std::int32_t begin_id() const;  // throws when built without begin_end
    TYPENET_INLINE std::int32_t end_id() const;
    // The first id of a text token (after the special ones).
    std::int32_t first_token_id() const { return begin_end_ ? 4 : 2; }

    // The id of one token (unknown_id if it is not in the vocabulary), and back.
    TYPENET_INLINE std::int32_t id(std::string_view token) const;
    bool contains(std::string_view token) const { return index_.contains(std::string(token)); }
    TYPENET_INLINE const std::string& token(std::int32_t id) const;  // std::out_of_range naming the id
    // How often a token was seen in the text the vocabulary was built from (0 for
    // the special tokens; unknown's count is the occurrences cut off).
    TYPENET_INLINE std::size_t count(std::int32_t id) const;

    // The tokens of `text` as this vocabulary sees them (code points as UTF-8
    // strings, or split_words with this vocabulary's lower-casing).
    TYPENET_INLINE std::vector<std::string> split(std::string_view text) const;
    // `text` as ids; with begin_end, wrapped in <bos> ... <eos> (an error when the
    // vocabulary has none). Unknown tokens become unknown_id.
    TYPENET_INLINE std::vector<std::int32_t> encode(std::string_view text, bool begin_end = false) const;
    // Ids back to text: padding, <bos> and <eos> are left out; unknown is U+FFFD
    // (characters) or "<unk>" (words). Characters are concatenated; words are joined
    // with a space before each word but none before punctuation ("yes, it is."),
    // which split() reads back to the same tokens. So decode then encode gives the
    // ids back whenever none of them is special. An id outside 0..size()-1 throws,
    // naming its position.
    TYPENET_INLINE std::string decode(std::span<const std::int32_t> ids) const;

    // A UTF-8 text file: a header, then one line per id, "<count>\t<token>", with
    // \\, \n, \r, \t and other control characters escaped. load() checks everything
    // it reads and names the file and line of what is wrong.
    TYPENET_INLINE void save(const std::filesystem::path& file) const;
    TYPENET_INLINE static Vocabulary load(const std::filesystem::path& file);

    friend bool operator==(const Vocabulary& a, const Vocabulary& b) {
        return a.kind_ == b.kind_ && a.lowercase_ == b.lowercase_ && a.begin_end_ == b.begin_end_ &&
               a.tokens_ == b.tokens_ && a.counts_ == b.counts_;
    }

private:
    TYPENET_INLINE static Vocabulary build(VocabularyKind kind, std::span<const std::string_view> texts,
                                           const VocabularyOptions& options);
    TYPENET_INLINE void add(std::string token, std::size_t count);

    VocabularyKind kind_ = VocabularyKind::characters;
    bool lowercase_ = false;
    bool begin_end_ = false;
    std::vector<std::string> tokens_;
    std::vector<std::size_t> counts_;
    std::unordered_map<std::string, std::int32_t> index_;
};

}  // namespace tn::data

#if TYPENET_DEFINE_BODIES
#include "typenet/data/vocabulary.ipp"
#endif
