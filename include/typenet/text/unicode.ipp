// The bodies of text/unicode.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cstring>
#include <iterator>

#include "typenet/text/unicode.hpp"
#include "typenet/text/unicode_tables.ipp"

namespace tn::text::unicode {

TYPENET_INLINE std::size_t sequence_length(std::string_view bytes, std::size_t at) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
    const std::size_t n = bytes.size();
    const unsigned b0 = byte(at);
    if (b0 < 0x80) return 1;
    const auto continuation = [&](std::size_t i) { return i < n && (byte(i) & 0xC0) == 0x80; };
    if (b0 >= 0xC2 && b0 <= 0xDF) return continuation(at + 1) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (!continuation(at + 1) || !continuation(at + 2)) return 0;
        const unsigned b1 = byte(at + 1);
        if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
        if (b0 == 0xED && b1 >= 0xA0) return 0;  // a surrogate
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (!continuation(at + 1) || !continuation(at + 2) || !continuation(at + 3)) return 0;
        const unsigned b1 = byte(at + 1);
        if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
        if (b0 == 0xF4 && b1 >= 0x90) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;  // a continuation byte, C0, C1 or F5..FF
}

TYPENET_INLINE std::size_t valid_run_end(std::string_view bytes, std::size_t at) {
    const std::size_t n = bytes.size();
    std::size_t i = at;
    while (i < n) {
        // Eight ASCII bytes at a time: most text is mostly ASCII.
        while (i + 8 <= n) {
            std::uint64_t word;
            std::memcpy(&word, bytes.data() + i, 8);
            if (word & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i >= n) break;
        if (static_cast<unsigned char>(bytes[i]) < 0x80) {
            ++i;
            continue;
        }
        const std::size_t len = sequence_length(bytes, i);
        if (len == 0) break;
        i += len;
    }
    return i;
}

TYPENET_INLINE std::u32string decode_lossy(std::string_view bytes) {
    std::u32string out;
    out.reserve(bytes.size());
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto b = [&](std::size_t k) { return char32_t(static_cast<unsigned char>(bytes[i + k])); };
        switch (sequence_length(bytes, i)) {
        case 1: out.push_back(b(0)); i += 1; break;
        case 2: out.push_back(((b(0) & 0x1F) << 6) | (b(1) & 0x3F)); i += 2; break;
        case 3: out.push_back(((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F)); i += 3; break;
        case 4:
            out.push_back(((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F));
            i += 4;
            break;
        default: out.push_back(0xFFFD); i += 1; break;
        }
    }
    return out;
}

TYPENET_INLINE void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

TYPENET_INLINE Class class_of(char32_t c) {
    if (c < 0x80) {  // the common case, without the search
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return Class::space;
        if (c < 0x20 || c == 0x7F) return Class::control;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return Class::cased;
        if (c >= '0' && c <= '9') return Class::other;
        return Class::punctuation;
    }
    const auto* starts = tables::class_starts;
    const auto* end = starts + std::size(tables::class_starts);
    const auto* at = std::upper_bound(starts, end, static_cast<std::uint32_t>(c)) - 1;
    return static_cast<Class>(tables::class_values[at - starts]);
}

TYPENET_INLINE char32_t to_lower(char32_t c) {
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    if (c == 0x130) return U'i';
    const auto* begin = tables::lower;
    const auto* end = begin + std::size(tables::lower);
    const auto* at = std::lower_bound(begin, end, static_cast<std::uint32_t>(c),
                                      [](const std::uint32_t(&entry)[2], std::uint32_t v) { return entry[0] < v; });
    return (at != end && (*at)[0] == c) ? static_cast<char32_t>((*at)[1]) : c;
}

TYPENET_INLINE void append_lower(std::u32string_view word, std::u32string& out) {
    for (std::size_t i = 0; i < word.size(); ++i) {
        const char32_t c = word[i];
        if (c == 0x130) {  // İ: "i" and a combining dot above
            out.push_back(U'i');
            out.push_back(0x307);
        } else if (c == 0x3A3 && i > 0 && class_of(word[i - 1]) == Class::cased &&
                   (i + 1 == word.size() || class_of(word[i + 1]) != Class::cased)) {
            out.push_back(0x3C2);  // Σ at the end of a word: ς
        } else {
            out.push_back(to_lower(c));
        }
    }
}

TYPENET_INLINE void append_nfd(char32_t c, std::u32string& out) {
    if (c < 0xC0) {
        out.push_back(c);
        return;
    }
    if (c >= 0xAC00 && c <= 0xD7A3) {  // Hangul syllables: leading, vowel and trailing jamo
        const char32_t s = c - 0xAC00;
        out.push_back(0x1100 + s / (21 * 28));
        out.push_back(0x1161 + (s % (21 * 28)) / 28);
        if (s % 28) out.push_back(0x11A7 + s % 28);
        return;
    }
    const auto* begin = tables::decomposition;
    const auto* end = begin + std::size(tables::decomposition);
    const auto* at = std::lower_bound(begin, end, static_cast<std::uint32_t>(c),
                                      [](const std::uint32_t(&entry)[3], std::uint32_t v) { return entry[0] < v; });
    if (at == end || (*at)[0] != c) {
        out.push_back(c);
        return;
    }
    for (std::uint32_t k = 0; k < (*at)[2]; ++k) out.push_back(tables::decomposed_code_points[(*at)[1] + k]);
}

TYPENET_INLINE std::string_view tables_version() { return tables::unicode_version; }

}  // namespace tn::text::unicode
