// Byte-level byte-pair encoding (BPE), GPT-2's tokenizer: text -> token ids -> text.
//
//   auto bpe = tn::text::BytePairEncoding::gpt2();            // data/tokenizers/gpt2 (fetch-data.sh tokenizers)
//   std::vector<std::int32_t> ids = bpe.encode("Hello world");  // {15496, 995}
//   std::string text = bpe.decode(ids);                         // "Hello world"
//   bpe.vocab_size();                                           // 50257
//   auto same = tn::text::BytePairEncoding::load("encoder.json", "vocab.bpe");
//
// How it works. Text is bytes; the 256 byte values are the first tokens, so any text
// encodes and nothing is ever unknown. The pre-tokenizer (text/pre_tokenizer.hpp) cuts
// the text into pieces; each piece starts as its bytes' tokens, and the merges (the
// lines of vocab.bpe, in order: rank 0 first) join neighbours: of the adjacent pairs
// that have a merge, the one of lowest rank is merged, everywhere in the piece (left
// to right, as encoder.py does), until no adjacent pair has one. decode() concatenates
// the tokens' bytes, so decode(encode(s)) == s for ANY bytes s, invalid UTF-8 included
// (pre_tokenizer.hpp says how invalid bytes are cut). This is GPT-2's encoder.py: for
// text GPT-2 can read, the same ids.
//
// The two files are GPT-2's: encoder.json maps each token, spelled in GPT-2's
// printable alphabet for bytes (byte 0x20 is "Ġ", 0x0A is "Ċ"; printable ASCII is
// itself), to its id; vocab.bpe holds "#version: 0.2" and then one merge a line, two
// tokens in that alphabet separated by a space. Both readers check everything and
// name the file, and the line (vocab.bpe) or token (encoder.json), of what is wrong.
//
// "<|endoftext|>" (id 50256 in GPT-2) is an ordinary vocabulary entry: encode() never
// produces it from text (encoder.py does not either); add end_of_text_id() yourself.
//
// Speed: merges are looked up by token ids, never by strings, with a heap over a
// piece's pairs (n log n, however long the piece); each distinct piece is merged once
// per encode() call and then copied from a cache. docs/07-llm.md has the MB/s.
#pragma once
#include <array>
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
#include "typenet/text/pre_tokenizer.hpp"

namespace tn::text {

class BytePairEncoding {
public:
    // One merge: tokens `left` and `right` (adjacent) become token `result`.
    struct Merge {
        std::int32_t left, right, result;
        friend bool operator==(const Merge&, const Merge&) = default;
    };

    BytePairEncoding() = default;  // empty: load(), gpt2(), build() or train_byte_level_bpe()

    // Reads GPT-2's two files (io::FormatError naming the file and what is wrong).
    TYPENET_INLINE static BytePairEncoding load(const std::filesystem::path& encoder_json,
                                                const std::filesystem::path& vocab_bpe);
    // The same from the two files' bytes in memory; the names are those the messages use.
    TYPENET_INLINE static BytePairEncoding parse(std::string_view encoder_json, std::string_view vocab_bpe,
                                                 std::string_view encoder_name = "encoder.json",
                                                 std::string_view vocab_name = "vocab.bpe");
    // GPT-2's own vocabulary: <folder>/gpt2/encoder.json and vocab.bpe (MissingData,
    // naming scripts/fetch-data.sh tokenizers, when they are not there).
    TYPENET_INLINE static BytePairEncoding gpt2(const std::filesystem::path& folder = data::find("tokenizers"));
    // From the tokens (raw bytes, id = index: every single byte must be one of them,
    // no token twice) and the merges in rank order (each result the concatenation of
    // its two tokens, no pair twice). std::invalid_argument names what is wrong.
    TYPENET_INLINE static BytePairEncoding build(std::vector<std::string> tokens, std::vector<Merge> merges);

    // Writes <dir>/encoder.json and <dir>/vocab.bpe in GPT-2's format (for GPT-2's
    // vocabulary, byte for byte the files it was loaded from); creates dir.
    TYPENET_INLINE void save(const std::filesystem::path& dir) const;

    TYPENET_INLINE std::vector<std::int32_t> encode(std::string_view text) const;
    TYPENET_INLINE void encode(std::string_view text, std::vector<std::int32_t>& out) const;  // appends
    // The tokens' bytes, concatenated. std::out_of_range names an id outside
    // 0..vocab_size()-1 and its position.
    TYPENET_INLINE std::string decode(std::span<const std::int32_t> ids) const;

    std::size_t vocab_size() const { return tokens_.size(); }
    std::size_t merge_count() const { return merges_.size(); }
    const std::vector<Merge>& merges() const { return merges_; }
    // The id of a token given as its raw bytes (" Hello" -> 18435), if it is one.
    TYPENET_INLINE std::optional<std::int32_t> id_of(std::string_view token) const;
    TYPENET_INLINE const std::string& token(std::int32_t id) const;  // raw bytes; out_of_range
    TYPENET_INLINE std::string printable_token(std::int32_t id) const;  // GPT-2's spelling: "ĠHello"
    // Bytes in GPT-2's printable alphabet (" Hello" -> "ĠHello"), as the two files spell tokens.
    TYPENET_INLINE static std::string spell(std::string_view bytes);
    std::int32_t byte_id(unsigned char byte) const { return byte_ids_[byte]; }
    // "<|endoftext|>", when the vocabulary has it.
    std::optional<std::int32_t> end_of_text_id() const { return id_of(end_of_text); }
    static constexpr std::string_view end_of_text = "<|endoftext|>";

    const Gpt2PreTokenizer& pre_tokenizer() const { return pre_tokenizer_; }

    // GPT-2's alphabet for bytes (bytes_to_unicode in encoder.py): the code point that
    // spells byte b, and back (-1 for a code point that spells none).
    TYPENET_INLINE static char32_t byte_to_char(unsigned char b);
    TYPENET_INLINE static int char_to_byte(char32_t c);
    // The ids GPT-2's vocabulary gives the 256 bytes: bytes in the order of its
    // alphabet ('!'..'~', '¡'..'¬', '®'..'ÿ', then the rest); training uses the same.
    TYPENET_INLINE static std::array<unsigned char, 256> gpt2_byte_order();

    friend bool operator==(const BytePairEncoding& a, const BytePairEncoding& b) {
        return a.tokens_ == b.tokens_ && a.merges_ == b.merges_;
    }

private:
    struct Rank {
        std::uint32_t rank;
        std::int32_t result;
    };
    static std::uint64_t pair_key(std::int32_t a, std::int32_t b) {
        return (std::uint64_t(std::uint32_t(a)) << 32) | std::uint32_t(b);
    }
    // Scratch space of one encode() call.
    struct Work;
    TYPENET_INLINE void merge_piece(std::string_view piece, Work& work, std::vector<std::int32_t>& out) const;

    std::vector<std::string> tokens_;
    std::unordered_map<std::string, std::int32_t> index_;
    std::array<std::int32_t, 256> byte_ids_{};
    std::vector<Merge> merges_;
    // The merges by pair: open addressing over a power-of-two table (at most half
    // full), one cache line per probe; an unordered_map's node per lookup was half the
    // encoder's time.
    struct Slot {
        std::uint64_t key = empty_key;
        Rank value{};
    };
    static constexpr std::uint64_t empty_key = ~std::uint64_t(0);  // ids are >= 0: no pair is this
    std::vector<Slot> ranks_;
    std::uint64_t rank_mask_ = 0;
    static std::uint64_t slot_of(std::uint64_t key, std::uint64_t mask) {
        return ((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
    }
    const Rank* find_rank(std::uint64_t key) const {
        if (ranks_.empty()) return nullptr;
        for (std::uint64_t i = slot_of(key, rank_mask_);; i = (i + 1) & rank_mask_) {
            const Slot& s = ranks_[i];
            if (s.key == key) return &s.value;
            if (s.key == empty_key) return nullptr;
        }
    }
    Gpt2PreTokenizer pre_tokenizer_;
};

}  // namespace tn::text

#if TYPENET_DEFINE_BODIES
#include "typenet/text/byte_pair_encoding.ipp"
#endif
