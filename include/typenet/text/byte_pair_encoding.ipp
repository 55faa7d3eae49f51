// The bodies of text/byte_pair_encoding.hpp: inline in a header-only build (link
// PCRE2: text/pre_tokenizer.ipp), compiled once into typenet::precompiled otherwise
// (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "typenet/io/atomic_file.hpp"
#include "typenet/io/format_error.hpp"
#include "typenet/text/byte_pair_encoding.hpp"
#include "typenet/text/pre_tokenizer.hpp"
#include "typenet/text/unicode.hpp"

namespace tn::text {

namespace detail {

// A whole file as bytes; FormatError when it cannot be read.
inline std::string read_bytes(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw io::FormatError(file.string(), "cannot open the file");
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) throw io::FormatError(file.string(), "cannot read the file");
    return std::move(s).str();
}

// A token as it is printed in messages: its GPT-2 spelling, in quotes.
inline std::string in_quotes(std::string_view spelled) { return "\"" + std::string(spelled) + "\""; }

// GPT-2's spelling of bytes -> the bytes; false when a code point spells no byte (or
// the UTF-8 is invalid). `bad` is then the offending code point (or 0xFFFD).
inline bool unspell(std::string_view spelled, std::string& bytes, char32_t& bad) {
    bytes.clear();
    for (const char32_t c : unicode::decode_lossy(spelled)) {
        const int b = BytePairEncoding::char_to_byte(c);
        if (b < 0) {
            bad = c;
            return false;
        }
        bytes.push_back(static_cast<char>(b));
    }
    return true;
}

inline std::string code_point_name(char32_t c) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(c));
    return buffer;
}

// encoder.json read with nlohmann's SAX parser: one flat object of token -> id, no
// DOM, and nothing nested accepted (a hostile file cannot make it recurse).
struct EncoderJson {
    std::vector<std::pair<std::string, std::int64_t>> entries;
    std::string current_key, error;
    int depth = 0;
    bool have_key = false;

    bool fail(const std::string& why) {
        error = why;
        return false;
    }
    bool value(std::int64_t v) {
        if (depth != 1 || !have_key) return fail("expected one object of token: id");
        entries.emplace_back(std::move(current_key), v);
        have_key = false;
        return true;
    }
    bool not_an_id(const std::string& what) {
        if (depth != 1 || !have_key) return fail("expected one object of token: id, found " + what);
        return fail("the id of " + in_quotes(current_key) + " is " + what + ", not a whole number");
    }
    bool null() { return not_an_id("null"); }
    bool boolean(bool) { return not_an_id("true or false"); }
    bool number_integer(nlohmann::json::number_integer_t v) { return value(v); }
    bool number_unsigned(nlohmann::json::number_unsigned_t v) {
        return value(v > std::uint64_t(std::numeric_limits<std::int64_t>::max()) ? -1 : std::int64_t(v));
    }
    bool number_float(nlohmann::json::number_float_t, const nlohmann::json::string_t& text) {
        return not_an_id(text);
    }
    bool string(nlohmann::json::string_t&) { return not_an_id("a string"); }
    bool binary(nlohmann::json::binary_t&) { return not_an_id("binary data"); }
    bool start_object(std::size_t) {
        if (depth != 0) return not_an_id("an object");
        depth = 1;
        return true;
    }
    bool key(nlohmann::json::string_t& k) {
        current_key = std::move(k);
        have_key = true;
        return true;
    }
    bool end_object() {
        depth = 2;  // the one object is over
        return true;
    }
    bool start_array(std::size_t) { return not_an_id("an array"); }
    bool end_array() { return fail("unexpected ]"); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
        std::string what = e.what();  // "[json.exception.parse_error.101] parse error at line 1, column 9: ..."
        if (const auto close = what.find("] "); what.starts_with("[json.exception") && close != std::string::npos)
            what.erase(0, close + 2);
        return fail("not valid JSON: " + what);
    }
};

}  // namespace detail

TYPENET_INLINE char32_t BytePairEncoding::byte_to_char(unsigned char b) {
    if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE) return b;
    // The others (controls, space, DEL, C1 controls, NBSP, soft hyphen) follow from
    // U+0100 in byte order.
    int n = 0;
    for (int x = 0; x < b; ++x) {
        const bool printable = (x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || x >= 0xAE;
        if (!printable) ++n;
    }
    return 0x100 + n;
}

TYPENET_INLINE int BytePairEncoding::char_to_byte(char32_t c) {
    static const std::array<int, 0x144> table = [] {
        std::array<int, 0x144> t{};
        t.fill(-1);
        for (int b = 0; b < 256; ++b) t[byte_to_char(static_cast<unsigned char>(b))] = b;
        return t;
    }();
    return c < table.size() ? table[c] : -1;
}

TYPENET_INLINE std::array<unsigned char, 256> BytePairEncoding::gpt2_byte_order() {
    std::array<unsigned char, 256> order{};
    for (int b = 0; b < 256; ++b) {
        const char32_t c = byte_to_char(static_cast<unsigned char>(b));
        // The printable bytes come first, in byte order; the others after them in byte order.
        int position = 0;
        for (int x = 0; x < 256; ++x) {
            const char32_t cx = byte_to_char(static_cast<unsigned char>(x));
            const bool px = cx < 0x100, pb = c < 0x100;
            if (px != pb ? px : x < b) ++position;
        }
        order[position] = static_cast<unsigned char>(b);
    }
    return order;
}

TYPENET_INLINE BytePairEncoding BytePairEncoding::build(std::vector<std::string> tokens, std::vector<Merge> merges) {
    BytePairEncoding bpe;
    const auto fail = [](const std::string& why) { throw std::invalid_argument("BytePairEncoding: " + why); };
    if (tokens.size() > std::size_t(std::numeric_limits<std::int32_t>::max())) fail("too many tokens");
    bpe.index_.reserve(tokens.size());
    bpe.byte_ids_.fill(-1);
    for (std::size_t id = 0; id < tokens.size(); ++id) {
        const std::string& t = tokens[id];
        if (t.empty()) fail("token " + std::to_string(id) + " is empty");
        const auto [at, fresh] = bpe.index_.emplace(t, static_cast<std::int32_t>(id));
        if (!fresh)
            fail("tokens " + std::to_string(at->second) + " and " + std::to_string(id) + " are both " +
                 detail::in_quotes(spell(t)));
        if (t.size() == 1) bpe.byte_ids_[static_cast<unsigned char>(t[0])] = static_cast<std::int32_t>(id);
    }
    for (int b = 0; b < 256; ++b)
        if (bpe.byte_ids_[b] < 0) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02X", b);
            fail(std::string("no token is the single byte ") + hex + " (" +
                 detail::in_quotes(spell(std::string(1, static_cast<char>(b)))) +
                 "): byte-level BPE needs all 256");
        }
    const auto n = static_cast<std::int64_t>(tokens.size());
    std::size_t slots = 16;
    while (slots < 2 * merges.size()) slots *= 2;
    bpe.ranks_.assign(slots, Slot{});
    bpe.rank_mask_ = slots - 1;
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const Merge& m = merges[rank];
        const auto valid = [&](std::int32_t id) { return id >= 0 && id < n; };
        if (!valid(m.left) || !valid(m.right) || !valid(m.result))
            fail("merge " + std::to_string(rank) + " names an id outside 0.." + std::to_string(n - 1));
        if (tokens[m.result] != tokens[m.left] + tokens[m.right])
            fail("merge " + std::to_string(rank) + " makes " + detail::in_quotes(spell(tokens[m.result])) + " of " +
                 detail::in_quotes(spell(tokens[m.left])) + " and " + detail::in_quotes(spell(tokens[m.right])));
        const std::uint64_t key = pair_key(m.left, m.right);
        std::uint64_t i = slot_of(key, bpe.rank_mask_);
        while (bpe.ranks_[i].key != empty_key && bpe.ranks_[i].key != key) i = (i + 1) & bpe.rank_mask_;
        const bool twice = bpe.ranks_[i].key == key;
        bpe.ranks_[i] = {key, Rank{static_cast<std::uint32_t>(rank), m.result}};
        if (twice)
            fail("merge " + std::to_string(rank) + " of " + detail::in_quotes(spell(tokens[m.left])) + " and " +
                 detail::in_quotes(spell(tokens[m.right])) + " comes twice");
    }
    bpe.tokens_ = std::move(tokens);
    bpe.merges_ = std::move(merges);
    return bpe;
}

TYPENET_INLINE BytePairEncoding BytePairEncoding::load(const std::filesystem::path& encoder_json,
                                                      const std::filesystem::path& vocab_bpe) {
    return parse(detail::read_bytes(encoder_json), detail::read_bytes(vocab_bpe), encoder_json.string(),
                 vocab_bpe.string());
}

TYPENET_INLINE BytePairEncoding BytePairEncoding::parse(std::string_view encoder_bytes, std::string_view vocab_bytes,
                                                       std::string_view encoder_name_, std::string_view vocab_name_) {
    const std::string encoder_name(encoder_name_), vocab_name(vocab_name_);
    // encoder.json: token -> id, every id 0..n-1 once.
    std::vector<std::string> tokens;
    {
        const std::string_view bytes = encoder_bytes;
        detail::EncoderJson json;
        const bool ok = nlohmann::json::sax_parse(bytes.begin(), bytes.end(), &json);
        if (!ok || json.depth != 2) throw io::FormatError(encoder_name, json.error.empty() ? "not one JSON object" : json.error);
        if (json.entries.empty()) throw io::FormatError(encoder_name, "holds no tokens");
        const std::size_t n = json.entries.size();
        tokens.resize(n);
        std::vector<char> seen(n, 0);
        std::unordered_map<std::string, std::size_t> spelled_at;
        spelled_at.reserve(n);
        std::string raw;
        for (auto& [spelled, id] : json.entries) {
            if (id < 0 || std::uint64_t(id) >= n)
                throw io::FormatError(encoder_name, "the id of " + detail::in_quotes(spelled) + " is " +
                                                        std::to_string(id) + ", outside 0.." + std::to_string(n - 1) +
                                                        " (the ids of " + std::to_string(n) +
                                                        " tokens must be 0.." + std::to_string(n - 1) + ")");
            if (!spelled_at.emplace(spelled, std::size_t(id)).second)
                throw io::FormatError(encoder_name, "the token " + detail::in_quotes(spelled) + " appears twice");
            if (seen[id])
                throw io::FormatError(encoder_name, "two tokens have the id " + std::to_string(id) + ", " +
                                                        detail::in_quotes(spell(tokens[id])) + " and " +
                                                        detail::in_quotes(spelled));
            seen[id] = 1;
            char32_t bad = 0;
            if (spelled.empty()) throw io::FormatError(encoder_name, "the token of id " + std::to_string(id) + " is empty");
            if (!detail::unspell(spelled, raw, bad))
                throw io::FormatError(encoder_name, "the token " + detail::in_quotes(spelled) + " (id " +
                                                        std::to_string(id) + ") has " + detail::code_point_name(bad) +
                                                        ", which is not one of GPT-2's 256 byte characters");
            tokens[id] = raw;
        }
    }
    {
        std::array<bool, 256> have{};
        for (const std::string& t : tokens)
            if (t.size() == 1) have[static_cast<unsigned char>(t[0])] = true;
        for (int b = 0; b < 256; ++b)
            if (!have[b]) {
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02X", b);
                throw io::FormatError(encoder_name, std::string("no token is the single byte ") + hex + " (" +
                                                        detail::in_quotes(spell(std::string(1, static_cast<char>(b)))) +
                                                        "): byte-level BPE needs all 256");
            }
    }
    std::unordered_map<std::string, std::int32_t> index;
    index.reserve(tokens.size());
    for (std::size_t id = 0; id < tokens.size(); ++id) {
        const auto [at, fresh] = index.emplace(tokens[id], static_cast<std::int32_t>(id));
        if (!fresh)  // two spellings of one byte string cannot happen: the alphabet is one to one
            throw io::FormatError(encoder_name, "ids " + std::to_string(at->second) + " and " + std::to_string(id) +
                                                    " are the same token");
    }
    // vocab.bpe: an optional "#version" line, then "a b" per line, rank order.
    std::vector<Merge> merges;
    {
        const std::string_view bytes = vocab_bytes;
        std::unordered_map<std::uint64_t, std::size_t> line_of;
        std::size_t line_no = 0, start = 0;
        bool blank_seen = false;
        std::size_t blank_line = 0;
        std::string left, right;
        while (start < bytes.size()) {
            std::size_t end = bytes.find('\n', start);
            if (end == std::string::npos) end = bytes.size();
            std::string_view line(bytes.data() + start, end - start);
            start = end + 1;
            ++line_no;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            const auto fail = [&](const std::string& why) {
                throw io::FormatError(vocab_name, "line " + std::to_string(line_no) + ": " + why);
            };
            if (line_no == 1 && line.starts_with("#version")) continue;
            if (line.empty()) {
                if (!blank_seen) blank_line = line_no;
                blank_seen = true;
                continue;
            }
            if (blank_seen)
                throw io::FormatError(vocab_name, "line " + std::to_string(blank_line) +
                                                      ": a blank line before the last merge");
            const std::size_t space = line.find(' ');
            if (space == std::string_view::npos || space == 0 || space + 1 == line.size() ||
                line.find(' ', space + 1) != std::string_view::npos)
                fail("expected two tokens separated by one space, found " + detail::in_quotes(line));
            const std::string_view a = line.substr(0, space), b = line.substr(space + 1);
            char32_t bad = 0;
            if (!detail::unspell(a, left, bad) || !detail::unspell(b, right, bad))
                fail(detail::code_point_name(bad) + " is not one of GPT-2's 256 byte characters");
            const auto ia = index.find(left), ib = index.find(right), ir = index.find(left + right);
            if (ia == index.end()) fail(detail::in_quotes(a) + " is not a token of " + encoder_name);
            if (ib == index.end()) fail(detail::in_quotes(b) + " is not a token of " + encoder_name);
            if (ir == index.end())
                fail("the merge makes " + detail::in_quotes(std::string(a) + std::string(b)) + ", which " + encoder_name +
                     " does not have");
            const auto [at, fresh] = line_of.emplace(pair_key(ia->second, ib->second), line_no);
            if (!fresh) fail("the merge " + detail::in_quotes(line) + " is already on line " + std::to_string(at->second));
            merges.push_back({ia->second, ib->second, ir->second});
        }
    }
    try {
        return build(std::move(tokens), std::move(merges));
    } catch (const std::invalid_argument& e) {
        std::string why = e.what();
        if (why.starts_with("BytePairEncoding: ")) why.erase(0, 18);
        throw io::FormatError(encoder_name, why);
    }
}

TYPENET_INLINE BytePairEncoding BytePairEncoding::gpt2(const std::filesystem::path& folder) {
    const auto encoder = folder / "gpt2" / "encoder.json", vocab = folder / "gpt2" / "vocab.bpe";
    for (const auto& file : {encoder, vocab})
        if (!std::filesystem::exists(file))
            throw data::MissingData("no " + file.string() + data::fetch_hint("tokenizers"));
    return load(encoder, vocab);
}

TYPENET_INLINE std::string BytePairEncoding::spell(std::string_view bytes) {
    std::string out;
    for (const char b : bytes) unicode::append_utf8(out, byte_to_char(static_cast<unsigned char>(b)));
    return out;
}

TYPENET_INLINE void BytePairEncoding::save(const std::filesystem::path& dir) const {
    std::filesystem::create_directories(dir);
    // encoder.json as Python's json.dump writes it (GPT-2's file): one line, ", " and
    // ": ", non-ASCII as \uXXXX, ids in order.
    std::string json = "{";
    char escape[8];
    for (std::size_t id = 0; id < tokens_.size(); ++id) {
        if (id) json += ", ";
        json += '"';
        for (const char b : tokens_[id]) {
            const char32_t c = byte_to_char(static_cast<unsigned char>(b));
            if (c == '"' || c == '\\') {
                json += '\\';
                json += static_cast<char>(c);
            } else if (c < 0x20 || c > 0x7E) {
                std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
                json += escape;
            } else {
                json += static_cast<char>(c);
            }
        }
        json += "\": " + std::to_string(id);
    }
    json += "}";
    std::string bpe = "#version: 0.2\n";
    for (const Merge& m : merges_) bpe += spell(tokens_[m.left]) + " " + spell(tokens_[m.right]) + "\n";
    for (const auto& [name, bytes] : {std::pair<const char*, const std::string&>{"encoder.json", json},
                                      std::pair<const char*, const std::string&>{"vocab.bpe", bpe}}) {
        io::AtomicFile out(dir / name);
        out.write(std::as_bytes(std::span<const char>(bytes.data(), bytes.size())));
        out.commit();
    }
}

struct BytePairEncoding::Work {
    struct Symbol {
        std::int32_t id, prev, next;
    };
    struct Candidate {  // an adjacent pair that has a merge
        std::uint32_t rank;
        std::int32_t position, left, right, result;
    };
    std::vector<std::string_view> pieces;
    std::unordered_map<std::string_view, std::pair<std::uint32_t, std::uint32_t>> cache;  // piece -> ids in `cached`
    std::vector<std::int32_t> cached;
    std::vector<Symbol> symbols;
    std::vector<Candidate> heap, batch;
    std::vector<std::int32_t> merged;
};

TYPENET_INLINE void BytePairEncoding::merge_piece(std::string_view piece, Work& w, std::vector<std::int32_t>& out) const {
    using Candidate = Work::Candidate;
    if (piece.size() > std::size_t(std::numeric_limits<std::int32_t>::max()))
        throw std::length_error("BytePairEncoding::encode: a piece of more than 2^31 bytes");
    const auto n = static_cast<std::int32_t>(piece.size());
    auto& sym = w.symbols;
    sym.resize(piece.size());
    for (std::int32_t i = 0; i < n; ++i)
        sym[i] = {byte_ids_[static_cast<unsigned char>(piece[i])], i - 1, i + 1 < n ? i + 1 : -1};
    // A min-heap on (rank, position): the lowest rank first and, within one rank (one
    // pair), left to right, which is encoder.py's scan.
    const auto later = [](const Candidate& a, const Candidate& b) {
        return a.rank != b.rank ? a.rank > b.rank : a.position > b.position;
    };
    auto& heap = w.heap;
    heap.clear();
    const auto consider = [&](std::int32_t p) {
        const std::int32_t q = sym[p].next;
        if (q < 0) return false;
        const Rank* r = find_rank(pair_key(sym[p].id, sym[q].id));
        if (!r) return false;
        heap.push_back({r->rank, p, sym[p].id, sym[q].id, r->result});
        return true;
    };
    for (std::int32_t i = 0; i + 1 < n; ++i) consider(i);
    std::make_heap(heap.begin(), heap.end(), later);
    while (!heap.empty()) {
        // Every occurrence of the lowest-ranked pair, merged before any pair these
        // merges make is looked at (encoder.py merges them all, then looks again).
        const std::uint32_t rank = heap.front().rank;
        w.batch.clear();
        while (!heap.empty() && heap.front().rank == rank) {
            std::pop_heap(heap.begin(), heap.end(), later);
            w.batch.push_back(heap.back());
            heap.pop_back();
        }
        w.merged.clear();
        for (const Candidate& c : w.batch) {
            const std::int32_t p = c.position;
            if (sym[p].id != c.left) continue;  // stale: p was merged or removed since
            const std::int32_t q = sym[p].next;
            if (q < 0 || sym[q].id != c.right) continue;
            sym[p].id = c.result;
            sym[p].next = sym[q].next;
            if (sym[q].next >= 0) sym[sym[q].next].prev = p;
            sym[q].id = -1;
            w.merged.push_back(p);
        }
        for (const std::int32_t p : w.merged) {
            if (sym[p].prev >= 0 && consider(sym[p].prev)) std::push_heap(heap.begin(), heap.end(), later);
            if (consider(p)) std::push_heap(heap.begin(), heap.end(), later);
        }
    }
    for (std::int32_t i = 0; i >= 0; i = sym[i].next) out.push_back(sym[i].id);
}

TYPENET_INLINE void BytePairEncoding::encode(std::string_view text, std::vector<std::int32_t>& out) const {
    if (tokens_.empty()) throw std::logic_error("BytePairEncoding::encode: an empty BytePairEncoding (load one first)");
    Work w;
    pre_tokenizer_.split(text, w.pieces);
    w.cache.reserve(std::min<std::size_t>(w.pieces.size(), 1 << 16));
    out.reserve(out.size() + text.size() / 3);
    for (const std::string_view piece : w.pieces) {
        if (piece.size() == 1) {
            out.push_back(byte_ids_[static_cast<unsigned char>(piece[0])]);
            continue;
        }
        const auto [at, fresh] = w.cache.try_emplace(piece, 0u, 0u);
        if (!fresh) {
            const auto first = w.cached.begin() + at->second.first;
            out.insert(out.end(), first, first + at->second.second);
            continue;
        }
        const std::size_t before = out.size();
        merge_piece(piece, w, out);
        at->second = {static_cast<std::uint32_t>(w.cached.size()), static_cast<std::uint32_t>(out.size() - before)};
        w.cached.insert(w.cached.end(), out.begin() + static_cast<std::ptrdiff_t>(before), out.end());
    }
}

TYPENET_INLINE std::vector<std::int32_t> BytePairEncoding::encode(std::string_view text) const {
    std::vector<std::int32_t> out;
    encode(text, out);
    return out;
}

TYPENET_INLINE std::string BytePairEncoding::decode(std::span<const std::int32_t> ids) const {
    std::size_t size = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] < 0 || std::size_t(ids[i]) >= tokens_.size())
            throw std::out_of_range("BytePairEncoding::decode: id " + std::to_string(ids[i]) + " at position " +
                                    std::to_string(i) + " is outside 0.." + std::to_string(std::int64_t(tokens_.size()) - 1));
        size += tokens_[ids[i]].size();
    }
    std::string out;
    out.reserve(size);
    for (const std::int32_t id : ids) out += tokens_[id];
    return out;
}

TYPENET_INLINE std::optional<std::int32_t> BytePairEncoding::id_of(std::string_view token) const {
    const auto it = index_.find(std::string(token));
    if (it == index_.end()) return std::nullopt;
    return it->second;
}

TYPENET_INLINE const std::string& BytePairEncoding::token(std::int32_t id) const {
    if (id < 0 || std::size_t(id) >= tokens_.size())
        throw std::out_of_range("BytePairEncoding::token: id " + std::to_string(id) + " is outside 0.." +
                                std::to_string(std::int64_t(tokens_.size()) - 1));
    return tokens_[id];
}

TYPENET_INLINE std::string BytePairEncoding::printable_token(std::int32_t id) const { return spell(token(id)); }

}  // namespace tn::text
