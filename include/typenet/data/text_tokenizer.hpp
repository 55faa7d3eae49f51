// A simple word tokenizer for English-like text: lower-cased words and punctuation.
//
//   split_words("Holmes's hat -- it's gone!") == {"holmes's", "hat", "-", "-", "it's", "gone", "!"}
//
// A word is a run of letters and digits, with an apostrophe (' or U+2019) inside it
// kept (don't, holmes's); every other visible character is a token by itself;
// white space and control characters separate tokens and are dropped. Letters are
// those of the Latin, Greek and Cyrillic blocks and every code point from U+3040 on
// (the CJK scripts and beyond, roughly); lower-casing covers ASCII, Latin-1,
// Latin Extended-A, Greek and Cyrillic. Not Unicode's word-break rules (UAX #29):
// enough for the course's English, with no ICU to depend on.
//
// Because a token holds no white space and a punctuation token is one character,
// joining tokens with spaces and splitting again gives the same tokens: a word
// vocabulary's decode/encode round trip rests on that.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "typenet/config.hpp"

namespace tn::data {

enum class CharClass { letter, space, punctuation };

TYPENET_INLINE CharClass char_class(char32_t c);
TYPENET_INLINE char32_t to_lower(char32_t c);

// The tokens of `text` (UTF-8, validated: Utf8Error names `what` and the offset).
TYPENET_INLINE std::vector<std::string> split_words(std::string_view text, bool lowercase = true,
                                                    std::string_view what = "text");

}  // namespace tn::data

#if TYPENET_DEFINE_BODIES
#include "typenet/data/text_tokenizer.ipp"
#endif
