// libFuzzer target for the tokenizers (text/): the two vocabulary readers on any
// bytes must load or throw FormatError (invalid_argument from build); the encoders on
// any bytes must never crash, and byte-level BPE must give the bytes back
// (decode(encode(s)) == s). The first byte picks what the rest is fed to.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typenet/io/format_error.hpp>
#include <typenet/text/byte_pair_encoding.hpp>
#include <typenet/text/word_piece.hpp>

namespace {
// A small BPE whose merges overlap ("a a", "aa a", "aa aa") and a small WordPiece.
const tn::text::BytePairEncoding& small_bpe() {
    static const auto bpe = [] {
        std::vector<std::string> tokens;
        for (const unsigned char b : tn::text::BytePairEncoding::gpt2_byte_order()) tokens.emplace_back(1, char(b));
        const auto id = [&](std::string_view t) { return std::int32_t(std::find(tokens.begin(), tokens.end(), t) - tokens.begin()); };
        std::vector<tn::text::BytePairEncoding::Merge> merges;
        for (const auto& [a, b] : {std::pair<std::string, std::string>{"a", "a"}, {"aa", "a"}, {"aa", "aa"},
                                   {" ", "a"}, {" a", "aa"}, {"\xC3", "\xA9"}, {" ", " "}}) {
            tokens.push_back(a + b);
            merges.push_back({id(a), id(b), std::int32_t(tokens.size() - 1)});
        }
        return tn::text::BytePairEncoding::build(tokens, merges);
    }();
    return bpe;
}
const tn::text::WordPiece& small_word_piece() {
    static const auto wp = tn::text::WordPiece::parse("[PAD]\n[UNK]\n[CLS]\n[SEP]\na\n##a\nab\n##b\n\xC3\xA9\n!\n");
    return wp;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    switch (data[0] % 4) {
    case 0: {  // encoder.json and vocab.bpe, cut at the first NUL
        const std::size_t cut = std::min(rest.find('\0'), rest.size());
        try {
            const auto bpe = tn::text::BytePairEncoding::parse(rest.substr(0, cut), rest.substr(std::min(cut + 1, rest.size())));
            const std::string probe = "a aa \xC3\xA9\xFF";
            if (bpe.decode(bpe.encode(probe)) != probe) std::abort();
        } catch (const tn::io::FormatError&) {
        }
        break;
    }
    case 1:  // a vocab.txt or JSON array
        try {
            const auto wp = tn::text::WordPiece::parse(rest);
            (void)wp.encode("ab a\xC3\xA9!");
        } catch (const tn::io::FormatError&) {
        }
        break;
    case 2: {
        const auto& bpe = small_bpe();
        if (bpe.decode(bpe.encode(rest)) != rest) std::abort();
        break;
    }
    default: {
        const auto& wp = small_word_piece();
        for (const std::int32_t id : wp.encode(rest))
            if (id < 0 || std::size_t(id) >= wp.vocab_size()) std::abort();
        break;
    }
    }
    return 0;
}
