// The bodies of data/text.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <cstdio>
#include <fstream>
#include <sstream>

#include "typenet/data/text.hpp"

namespace tn::data {

namespace detail {
inline std::string hex_byte(unsigned char b) {
    char s[8];
    std::snprintf(s, sizeof s, "0x%02X", unsigned(b));
    return s;
}

[[noreturn]] inline void utf8_fail(std::string_view what, std::size_t offset, const std::string& why) {
    throw Utf8Error(std::string(what) + ": invalid UTF-8 at byte " + std::to_string(offset) + ": " + why, offset);
}
}  // namespace detail

TYPENET_INLINE char32_t next_code_point(std::string_view bytes, std::size_t& offset, std::string_view what) {
    const std::size_t start = offset;
    const auto b0 = static_cast<unsigned char>(bytes[start]);
    if (b0 < 0x80) {
        ++offset;
        return b0;
    }
    std::size_t n = 0;
    char32_t c = 0;
    // The second byte's range is narrower after some lead bytes: that excludes
    // overlong forms (E0, F0), surrogates (ED) and values past U+10FFFF (F4).
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        n = 2;
        c = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3;
        c = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4;
        c = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else if (b0 >= 0x80 && b0 <= 0xBF) {
        detail::utf8_fail(what, start, "byte " + detail::hex_byte(b0) + " is a continuation byte with no lead byte");
    } else {
        detail::utf8_fail(what, start, "byte " + detail::hex_byte(b0) + " never occurs in UTF-8" +
                                           (b0 == 0xC0 || b0 == 0xC1 ? " (an overlong 2-byte form)" : ""));
    }
    if (bytes.size() - start < n)
        detail::utf8_fail(what, start,
                          "byte " + detail::hex_byte(b0) + " starts a " + std::to_string(n) +
                              "-byte sequence but the text ends after " + std::to_string(bytes.size() - start));
    for (std::size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(bytes[start + k]);
        const unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (b < l || b > h) {
            std::string why = "byte " + detail::hex_byte(b0) + " starts a " + std::to_string(n) +
                              "-byte sequence but byte " + std::to_string(start + k) + " is " + detail::hex_byte(b);
            if (b >= 0x80 && b <= 0xBF)
                why += b0 == 0xED ? " (a surrogate, U+D800..U+DFFF)"
                       : b0 == 0xF4 ? " (above U+10FFFF)"
                                    : " (an overlong form)";
            else
                why += ", not a continuation byte";
            detail::utf8_fail(what, start, why);
        }
        c = (c << 6) | (b & 0x3F);
    }
    offset = start + n;
    return c;
}

TYPENET_INLINE void validate_utf8(std::string_view bytes, std::string_view what) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        if (static_cast<unsigned char>(bytes[i]) < 0x80) {
            ++i;  // ASCII, most of English text: no call
            continue;
        }
        next_code_point(bytes, i, what);
    }
}

TYPENET_INLINE std::u32string decode_utf8(std::string_view bytes, std::string_view what) {
    std::u32string out;
    out.reserve(bytes.size());
    std::size_t i = 0;
    while (i < bytes.size()) out.push_back(next_code_point(bytes, i, what));
    return out;
}

TYPENET_INLINE void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out.push_back(char(c));
    } else if (c < 0x800) {
        out.push_back(char(0xC0 | (c >> 6)));
        out.push_back(char(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(char(0xE0 | (c >> 12)));
        out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(char(0x80 | (c & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (c >> 18)));
        out.push_back(char(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(char(0x80 | (c & 0x3F)));
    }
}

TYPENET_INLINE std::string encode_utf8(std::u32string_view code_points) {
    std::string out;
    out.reserve(code_points.size());
    for (const char32_t c : code_points) append_utf8(out, c);
    return out;
}

TYPENET_INLINE std::string gutenberg_body(std::string_view text, std::string_view what) {
    // The marker lines read "*** START OF THIS PROJECT GUTENBERG EBOOK <TITLE> ***"
    // (older files) or "*** START OF THE PROJECT GUTENBERG EBOOK ..." (newer ones).
    const std::size_t start = text.find("*** START OF");
    if (start == std::string_view::npos)
        throw std::runtime_error(std::string(what) + ": no Project Gutenberg \"*** START OF\" line");
    std::size_t body = text.find('\n', start);
    if (body == std::string_view::npos)
        throw std::runtime_error(std::string(what) + ": nothing after the \"*** START OF\" line");
    ++body;
    const std::size_t end = text.find("*** END OF", body);
    if (end == std::string_view::npos)
        throw std::runtime_error(std::string(what) + ": no Project Gutenberg \"*** END OF\" line after the start");
    // Blank lines around the book are layout, not text.
    std::size_t b = body, e = end;
    while (b < e && (text[b] == '\n' || text[b] == '\r')) ++b;
    while (e > b && (text[e - 1] == '\n' || text[e - 1] == '\r' || text[e - 1] == ' ')) --e;
    std::string out(text.substr(b, e - b));
    out.push_back('\n');
    return out;
}

TYPENET_INLINE std::string read_text(const std::filesystem::path& file, const TextOptions& options) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open the text file " + file.string());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    std::string text = std::move(buffer).str();
    if (in.bad()) throw std::runtime_error("cannot read the text file " + file.string());
    validate_utf8(text, file.string());
    if (options.strip_bom && text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
    if (options.unix_newlines && text.find('\r') != std::string::npos) {
        std::string lf;
        lf.reserve(text.size());
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] != '\r') {
                lf.push_back(text[i]);
            } else {
                lf.push_back('\n');
                if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
            }
        }
        text = std::move(lf);
    }
    if (options.gutenberg_body) text = gutenberg_body(text, file.string());
    return text;
}

namespace detail {
inline std::filesystem::path text_file(const std::filesystem::path& folder, const char* name) {
    const auto path = folder / name;
    if (!std::filesystem::exists(path))
        throw MissingData("no " + std::string(name) + " in " + folder.string() + fetch_hint("text"));
    return path;
}
}  // namespace detail

TYPENET_INLINE std::string sherlock_holmes(const std::filesystem::path& folder) {
    return read_text(detail::text_file(folder, "pg1661.txt"), {.gutenberg_body = true});
}

TYPENET_INLINE std::string tom_sawyer(const std::filesystem::path& folder) {
    return read_text(detail::text_file(folder, "Mark.Twain-Tom.Sawyer.txt"));
}

}  // namespace tn::data
