// The bodies of data/vocabulary.hpp: inline in a header-only build, compiled once
// into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "typenet/data/text.hpp"
#include "typenet/data/text_tokenizer.hpp"
#include "typenet/data/vocabulary.hpp"
#include "typenet/io/atomic_file.hpp"

namespace tn::data {

namespace detail {
// Calls f(token) for each token of `text`, as a vocabulary of `kind` splits it.
template <class F>
void for_each_token(VocabularyKind kind, bool lowercase, std::string_view text, std::string_view what, F&& f) {
    if (kind == VocabularyKind::words) {
        for (std::string& w : split_words(text, lowercase, what)) f(std::move(w));
        return;
    }
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t start = i;
        next_code_point(text, i, what);
        f(std::string(text.substr(start, i - start)));
    }
}

inline std::string escape_token(std::string_view t) {
    std::string out;
    for (const char ch : t) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (c < 0x20 || c == 0x7F) {
            char s[8];
            std::snprintf(s, sizeof s, "\\x%02X", unsigned(c));
            out += s;
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

inline int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// The inverse of escape_token; an empty string_view `error` on success.
inline std::string unescape_token(std::string_view t, std::string& error) {
    std::string out;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] != '\\') {
            out.push_back(t[i]);
            continue;
        }
        if (++i == t.size()) {
            error = "a lone backslash at the end";
            return {};
        }
        switch (t[i]) {
        case '\\': out.push_back('\\'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'x': {
            const int hi = i + 1 < t.size() ? hex_digit(t[i + 1]) : -1;
            const int lo = i + 2 < t.size() ? hex_digit(t[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                error = "\\x needs two hex digits";
                return {};
            }
            out.push_back(char(hi * 16 + lo));
            i += 2;
            break;
        }
        default: error = std::string("unknown escape \\") + t[i]; return {};
        }
    }
    return out;
}
}  // namespace detail

TYPENET_INLINE void Vocabulary::add(std::string token, std::size_t count) {
    index_.emplace(token, std::int32_t(tokens_.size()));
    tokens_.push_back(std::move(token));
    counts_.push_back(count);
}

TYPENET_INLINE Vocabulary Vocabulary::build(VocabularyKind kind, std::span<const std::string_view> texts,
                                            const VocabularyOptions& options) {
    Vocabulary v;
    v.kind_ = kind;
    v.lowercase_ = kind == VocabularyKind::words && options.lowercase;
    v.begin_end_ = options.begin_end;
    const std::size_t specials = options.begin_end ? 4 : 2;
    if (options.max_size && options.max_size <= specials)
        throw std::invalid_argument("Vocabulary: max_size " + std::to_string(options.max_size) +
                                    " leaves no room for a token after the " + std::to_string(specials) +
                                    " special ones");
    std::unordered_map<std::string, std::size_t> counts;
    for (std::size_t t = 0; t < texts.size(); ++t) {
        const std::string what = texts.size() == 1 ? "text" : "text " + std::to_string(t);
        detail::for_each_token(kind, v.lowercase_, texts[t], what, [&](std::string token) { ++counts[token]; });
    }
    std::vector<std::pair<std::string, std::size_t>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    v.add(std::string(pad_token), 0);
    v.add(std::string(unknown_token), 0);
    if (options.begin_end) {
        v.add(std::string(begin_token), 0);
        v.add(std::string(end_token), 0);
    }
    for (auto& [token, count] : sorted) {
        const bool room = !options.max_size || v.tokens_.size() < options.max_size;
        if (count >= std::max<std::size_t>(options.min_count, 1) && room)
            v.add(std::move(token), count);
        else
            v.counts_[unknown_id] += count;
    }
    return v;
}

TYPENET_INLINE Vocabulary Vocabulary::characters(std::string_view text, const VocabularyOptions& options) {
    return build(VocabularyKind::characters, {&text, 1}, options);
}
TYPENET_INLINE Vocabulary Vocabulary::characters(std::span<const std::string> texts, const VocabularyOptions& options) {
    const std::vector<std::string_view> views(texts.begin(), texts.end());
    return build(VocabularyKind::characters, views, options);
}
TYPENET_INLINE Vocabulary Vocabulary::words(std::string_view text, const VocabularyOptions& options) {
    return build(VocabularyKind::words, {&text, 1}, options);
}
TYPENET_INLINE Vocabulary Vocabulary::words(std::span<const std::string> texts, const VocabularyOptions& options) {
    const std::vector<std::string_view> views(texts.begin(), texts.end());
    return build(VocabularyKind::words, views, options);
}

TYPENET_INLINE std::int32_t Vocabulary::begin_id() const {
    if (!begin_end_) throw std::logic_error("Vocabulary: built without begin_end, so it has no <bos> token");
    return 2;
}
TYPENET_INLINE std::int32_t Vocabulary::end_id() const {
    if (!begin_end_) throw std::logic_error("Vocabulary: built without begin_end, so it has no <eos> token");
    return 3;
}

TYPENET_INLINE std::int32_t Vocabulary::id(std::string_view token) const {
    const auto it = index_.find(std::string(token));
    return it == index_.end() ? unknown_id : it->second;
}

TYPENET_INLINE const std::string& Vocabulary::token(std::int32_t id) const {
    if (id < 0 || std::size_t(id) >= tokens_.size())
        throw std::out_of_range("Vocabulary: id " + std::to_string(id) + " is outside 0 to " +
                                std::to_string(std::int64_t(tokens_.size()) - 1));
    return tokens_[std::size_t(id)];
}

TYPENET_INLINE std::size_t Vocabulary::count(std::int32_t id) const {
    token(id);  // the range check
    return counts_[std::size_t(id)];
}

TYPENET_INLINE std::vector<std::string> Vocabulary::split(std::string_view text) const {
    std::vector<std::string> out;
    detail::for_each_token(kind_, lowercase_, text, "text", [&](std::string t) { out.push_back(std::move(t)); });
    return out;
}

TYPENET_INLINE std::vector<std::int32_t> Vocabulary::encode(std::string_view text, bool begin_end) const {
    if (tokens_.empty()) throw std::logic_error("Vocabulary: encode on an empty vocabulary (build or load one first)");
    std::vector<std::int32_t> ids;
    if (begin_end) ids.push_back(begin_id());
    detail::for_each_token(kind_, lowercase_, text, "text", [&](const std::string& t) { ids.push_back(id(t)); });
    if (begin_end) ids.push_back(end_id());
    return ids;
}

TYPENET_INLINE std::string Vocabulary::decode(std::span<const std::int32_t> ids) const {
    std::string out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::int32_t id = ids[i];
        if (id < 0 || std::size_t(id) >= tokens_.size())
            throw std::out_of_range("Vocabulary::decode: id " + std::to_string(id) + " at position " +
                                    std::to_string(i) + " is outside 0 to " +
                                    std::to_string(std::int64_t(tokens_.size()) - 1));
        if (id == pad_id || (begin_end_ && (id == 2 || id == 3))) continue;
        if (kind_ == VocabularyKind::characters) {
            out += id == unknown_id ? std::string("\xEF\xBF\xBD") : tokens_[std::size_t(id)];  // U+FFFD
            continue;
        }
        const std::string& t = tokens_[std::size_t(id)];
        // A punctuation token is one character that split_words does not call a letter.
        std::size_t k = 0;
        const bool word = id == unknown_id || char_class(next_code_point(t, k)) == CharClass::letter;
        if (word && !out.empty()) out.push_back(' ');
        out += t;
    }
    return out;
}

TYPENET_INLINE void Vocabulary::save(const std::filesystem::path& file) const {
    std::ostringstream s;
    s << "typenet vocabulary 1\n"
      << "kind " << (kind_ == VocabularyKind::words ? "words" : "characters") << "\n"
      << "lowercase " << (lowercase_ ? 1 : 0) << "\n"
      << "begin_end " << (begin_end_ ? 1 : 0) << "\n"
      << "size " << tokens_.size() << "\n";
    for (std::size_t i = 0; i < tokens_.size(); ++i) s << counts_[i] << '\t' << detail::escape_token(tokens_[i]) << '\n';
    // Atomic: a crash during the save leaves the old vocabulary, never half of one.
    const std::string bytes = std::move(s).str();
    io::AtomicFile out(file);
    out.write(std::as_bytes(std::span<const char>(bytes.data(), bytes.size())));
    out.commit();
}

TYPENET_INLINE Vocabulary Vocabulary::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open the vocabulary file " + file.string());
    std::size_t line_no = 0;
    std::string line;
    const auto fail = [&](const std::string& why) -> void {
        throw std::runtime_error(file.string() + ", line " + std::to_string(line_no) + ": " + why);
    };
    const auto next = [&]() {
        ++line_no;
        if (!std::getline(in, line)) fail("the file ends early");
    };
    // A header line "<key> <value>"; returns the value.
    const auto field = [&](const std::string& key) {
        next();
        if (!line.starts_with(key + " ")) fail("expected \"" + key + " ...\", found \"" + line + "\"");
        return line.substr(key.size() + 1);
    };
    const auto flag = [&](const std::string& key) {
        const std::string v = field(key);
        if (v != "0" && v != "1") fail(key + " must be 0 or 1, not \"" + v + "\"");
        return v == "1";
    };
    line_no = 0;
    next();
    if (line != "typenet vocabulary 1")
        fail("not a typenet vocabulary file (its first line should read \"typenet vocabulary 1\")");
    Vocabulary v;
    const std::string kind = field("kind");
    if (kind == "words") v.kind_ = VocabularyKind::words;
    else if (kind == "characters") v.kind_ = VocabularyKind::characters;
    else fail("kind must be characters or words, not \"" + kind + "\"");
    v.lowercase_ = flag("lowercase");
    v.begin_end_ = flag("begin_end");
    const std::string size_text = field("size");
    std::size_t size = 0;
    try {
        std::size_t used = 0;
        size = std::stoul(size_text, &used);
        if (used != size_text.size()) throw std::invalid_argument("");
    } catch (const std::exception&) {
        fail("size must be a number, not \"" + size_text + "\"");
    }
    const std::size_t specials = v.begin_end_ ? 4 : 2;
    if (size < specials || size > (std::size_t(1) << 24))
        fail("size " + size_text + " is outside " + std::to_string(specials) + " to 2^24");
    const std::string_view expected[] = {pad_token, unknown_token, begin_token, end_token};
    for (std::size_t i = 0; i < size; ++i) {
        next();
        const std::size_t tab = line.find('\t');
        if (tab == std::string::npos || tab == 0) fail("expected \"<count>\\t<token>\" for id " + std::to_string(i));
        std::size_t count = 0;
        try {
            std::size_t used = 0;
            count = std::stoull(line.substr(0, tab), &used);
            if (used != tab) throw std::invalid_argument("");
        } catch (const std::exception&) {
            fail("the count of id " + std::to_string(i) + " is not a number");
        }
        std::string error;
        std::string token = detail::unescape_token(std::string_view(line).substr(tab + 1), error);
        if (!error.empty()) fail("the token of id " + std::to_string(i) + ": " + error);
        try {
            validate_utf8(token, "the token of id " + std::to_string(i));
        } catch (const Utf8Error& e) {
            fail(e.what());
        }
        if (i < specials) {
            if (token != expected[i])
                fail("id " + std::to_string(i) + " must be " + std::string(expected[i]) + ", found \"" + token + "\"");
        } else if (token.empty()) {
            fail("id " + std::to_string(i) + " has an empty token");
        } else if (v.kind_ == VocabularyKind::characters) {
            std::size_t k = 0;
            next_code_point(token, k);
            if (k != token.size())
                fail("id " + std::to_string(i) + ": \"" + token + "\" is more than one character");
        }
        if (v.index_.contains(token)) fail("\"" + token + "\" appears twice (the second time as id " + std::to_string(i) + ")");
        v.add(std::move(token), count);
    }
    return v;
}

}  // namespace tn::data
