// The bodies of data/text_tokenizer.hpp: inline in a header-only build, compiled
// once into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include "typenet/data/text.hpp"
#include "typenet/data/text_tokenizer.hpp"

namespace tn::data {

TYPENET_INLINE CharClass char_class(char32_t c) {
    if (c < 0x80) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return CharClass::letter;
        if (c <= 0x20 || c == 0x7F) return CharClass::space;
        return CharClass::punctuation;
    }
    // C1 controls separate words: the sentiment fixtures hold U+0096 where the
    // source had Windows-1252's en dash.
    if (c <= 0xA0) return CharClass::space;
    if (c == 0xAA || c == 0xB5 || c == 0xBA || (c >= 0xB2 && c <= 0xB3) || c == 0xB9) return CharClass::letter;
    if (c < 0xC0) return CharClass::punctuation;
    if (c == 0xD7 || c == 0xF7) return CharClass::punctuation;  // x and divide signs
    if (c <= 0x24F) return CharClass::letter;                   // Latin-1 letters, Latin Extended-A/B
    if (c >= 0x370 && c <= 0x52F) return CharClass::letter;     // Greek, Cyrillic
    if (c == 0x1680 || (c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
        c == 0x3000 || c == 0xFEFF)
        return CharClass::space;
    if (c >= 0x3040) return CharClass::letter;
    return CharClass::punctuation;
}

TYPENET_INLINE char32_t to_lower(char32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c < 0xC0) return c;
    if (c <= 0xDE) return c == 0xD7 ? c : c + 32;  // Latin-1 capitals
    if (c == 0x178) return 0xFF;  // Y with diaeresis: its small letter is in Latin-1
    if (c >= 0x100 && c <= 0x17F) {
        // Latin Extended-A pairs capitals and small letters as even/odd, except
        // U+0130..U+0148 and U+0179..U+017E (odd/even), and a few singletons.
        if (c == 0x130) return 'i';
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
        if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
        return (c & 1) ? c : c + 1;
    }
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;  // Greek capitals
    if (c >= 0x400 && c <= 0x40F) return c + 80;                // Cyrillic Ѐ..Џ
    if (c >= 0x410 && c <= 0x42F) return c + 32;                // Cyrillic А..Я
    return c;
}

TYPENET_INLINE std::vector<std::string> split_words(std::string_view text, bool lowercase, std::string_view what) {
    std::vector<std::string> tokens;
    std::string word;
    // An apostrophe seen after a word's letters: part of the word only when a letter
    // follows it (don't), else punctuation of its own (the Holmes' case, 'quoted').
    bool pending_apostrophe = false;
    std::string apostrophe;
    const auto flush = [&] {
        if (!word.empty()) tokens.push_back(std::move(word));
        word.clear();
        if (pending_apostrophe) tokens.push_back(apostrophe);
        pending_apostrophe = false;
    };
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t start = i;
        const char32_t c = next_code_point(text, i, what);
        const CharClass k = char_class(c);
        if (k == CharClass::letter) {
            if (pending_apostrophe) {
                word += apostrophe;
                pending_apostrophe = false;
            }
            append_utf8(word, lowercase ? to_lower(c) : c);
        } else if ((c == '\'' || c == 0x2019) && !word.empty() && !pending_apostrophe) {
            pending_apostrophe = true;
            apostrophe.assign(text.substr(start, i - start));
        } else {
            flush();
            if (k == CharClass::punctuation) tokens.emplace_back(text.substr(start, i - start));
        }
    }
    flush();
    return tokens;
}

}  // namespace tn::data
