// The Unicode facts the tokenizers of text/ need, without a Unicode library: UTF-8
// that may be invalid (byte-level BPE takes any bytes), and for WordPiece the
// character classes, lower case and canonical decomposition that BERT's
// BasicTokenizer asks Python's unicodedata for. The tables are generated from that
// same unicodedata (scripts/make-unicode-tables.py, Unicode 14.0, Python 3.11) into
// unicode_tables.ipp, about 9,000 numbers: BERT's own answers, not an approximation
// of them, and no ICU or libunistring to depend on for a few lookups.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "typenet/config.hpp"

namespace tn::text::unicode {

// The length of the valid UTF-8 sequence (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF) that starts at bytes[at], or 0 when none does.
TYPENET_INLINE std::size_t sequence_length(std::string_view bytes, std::size_t at);
// The end of the run of valid UTF-8 that starts at `at` (== at when bytes[at] starts
// no valid sequence).
TYPENET_INLINE std::size_t valid_run_end(std::string_view bytes, std::size_t at);
// The code points of `bytes`; each byte that starts no valid sequence becomes U+FFFD.
TYPENET_INLINE std::u32string decode_lossy(std::string_view bytes);
TYPENET_INLINE void append_utf8(std::string& out, char32_t c);

// BERT's classes of a code point (tokenization.py's _is_whitespace, _is_control,
// _is_punctuation), plus the nonspacing marks (Mn) that accent stripping removes and
// the cased letters (Lu, Ll, Lt) of the final-sigma rule. Tab, LF and CR are space,
// not control; the ASCII symbols $ + < = > ^ ` | ~ are punctuation, as in BERT.
enum class Class : std::uint8_t { other, space, control, punctuation, mark, cased };
TYPENET_INLINE Class class_of(char32_t c);
// The one-code-point lower case of c (Python's str.lower() where that is one code
// point; U+0130 gives 'i', whose U+0307 lower_case() adds).
TYPENET_INLINE char32_t to_lower(char32_t c);
// Appends the lower case of word (Python's str.lower(): U+0130 becomes "i" U+0307, a
// capital sigma ending a word after a cased letter becomes the final sigma).
TYPENET_INLINE void append_lower(std::u32string_view word, std::u32string& out);
// Appends the canonical decomposition (NFD) of c, Hangul syllables included. Marks
// are not reordered by their combining classes (tokenizers strip them).
TYPENET_INLINE void append_nfd(char32_t c, std::u32string& out);
// BERT's "Chinese character" (the CJK Unified Ideographs blocks and their extensions):
// each becomes a word of its own.
constexpr bool is_cjk(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}
// The Unicode version of the tables ("14.0.0").
TYPENET_INLINE std::string_view tables_version();

}  // namespace tn::text::unicode

#if TYPENET_DEFINE_BODIES
#include "typenet/text/unicode.ipp"
#endif
