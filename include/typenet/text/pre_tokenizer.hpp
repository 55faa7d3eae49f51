// GPT-2's pre-tokenizer: the regular expression that cuts text into the pieces
// ("words") byte-level BPE then encodes one by one, so that no token spans a word
// boundary, a space joins the word after it, and digits, letters and punctuation never
// share a token:
//
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
//   Gpt2PreTokenizer{}.split("Hello world  it's 42!") == {"Hello", " world", " ", " it", "'s", " 42", "!"}
//
// Run by PCRE2 (Debian's libpcre2-dev), in UTF mode with Unicode properties (UCP) and
// JIT-compiled where PCRE2 can; pcre2.h stays inside pre_tokenizer.ipp.
//
// Two choices, both so that byte-level BPE keeps its promise, decode(encode(s)) == s
// for any bytes s, and agrees with GPT-2 wherever GPT-2 is defined:
//
// - \s is Unicode's White_Space property, written out as a class: what Python's
//   `regex` module, which GPT-2's encoder.py uses, means by \s (checked with Debian's
//   python3-regex 2022.10.31). PCRE2's \s with UCP also takes U+180E (Mongolian vowel
//   separator); JavaScript's \s (npm gpt-3-encoder) takes U+FEFF and not U+0085.
// - Invalid UTF-8: the text is cut into maximal runs of valid UTF-8, each run split by
//   the pattern on its own, and every byte where no valid sequence starts (a stray
//   continuation byte, a truncated sequence, an overlong form, a surrogate, F5..FF) is
//   a piece by itself. GPT-2 reads Python strings and never meets such bytes; a piece
//   of one byte is one of the 256 byte tokens, so nothing is lost.
#pragma once
#include <memory>
#include <string_view>
#include <vector>

#include "typenet/config.hpp"

namespace tn::text {

class Gpt2PreTokenizer {
public:
    // The pattern as PCRE2 is given it (\s spelled out as White_Space).
    static constexpr std::string_view pattern =
        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+"
        "| ?[^\\t-\\r\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}"
        "\\p{L}\\p{N}]+"
        "|[\\t-\\r\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]+"
        "(?![^\\t-\\r\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}])"
        "|[\\t-\\r\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]+";

    // Compiles the pattern once per process (shared by every copy; matching is
    // thread-safe). Throws std::runtime_error with PCRE2's message if PCRE2 refuses it.
    TYPENET_INLINE Gpt2PreTokenizer();

    // Appends the pieces of `text` to `pieces`, as views into `text`, in order; they
    // concatenate to `text` exactly.
    TYPENET_INLINE void split(std::string_view text, std::vector<std::string_view>& pieces) const;
    std::vector<std::string_view> split(std::string_view text) const {
        std::vector<std::string_view> pieces;
        split(text, pieces);
        return pieces;
    }

    // Whether PCRE2 JIT-compiled the pattern (else its interpreter runs it, slower).
    TYPENET_INLINE bool jit() const;

    struct Compiled;  // PCRE2's compiled pattern, in pre_tokenizer.ipp

private:
    std::shared_ptr<const Compiled> compiled_;
};

}  // namespace tn::text

#if TYPENET_DEFINE_BODIES
#include "typenet/text/pre_tokenizer.ipp"
#endif
