// The tokenizers of text/ on The Adventures of Sherlock Holmes (562,531 bytes; data
// from scripts/fetch-data.sh text tokenizers), single-threaded; bytes/s of text in:
//
//   gpt2_encode_book        GPT-2's BPE, the whole book in one encode() call
//   gpt2_encode_paragraphs  the same, one call per paragraph (the per-call cache of
//                           merged pieces starts empty each time)
//   gpt2_pre_tokenize       GPT-2's pattern alone (PCRE2, JIT): the pieces
//   gpt2_decode_book        ids -> bytes (bytes/s of text out)
//   wordpiece_encode_book   bert-base-uncased's WordPiece, the whole book
//   train_bpe_2000          train_byte_level_bpe(book, 2000): bytes/s of corpus
//
//   tokenizer_bench --benchmark_filter=gpt2
// bench/tokenizer_node.js runs npm's gpt-3-encoder and bert-tokenizer on the same
// text; bench/tokenizer_compare.sh runs both sides, interleaved.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include <typenet/data/text.hpp>
#include <typenet/text/bpe_training.hpp>
#include <typenet/text/byte_pair_encoding.hpp>
#include <typenet/text/word_piece.hpp>

#include "machine_context.hpp"

namespace {

const std::string& book() {
    static const std::string text = tn::data::sherlock_holmes();
    return text;
}
const tn::text::BytePairEncoding& gpt2() {
    static const auto bpe = tn::text::BytePairEncoding::gpt2();
    return bpe;
}
// Paragraphs cut between the two newlines of "X\n\nY", where GPT-2's pattern cuts too,
// so that their encodings joined are the book's.
std::vector<std::string_view> paragraphs() {
    std::vector<std::string_view> out;
    const std::string_view b = book();
    std::size_t start = 0;
    for (std::size_t i = 1; i + 2 < b.size(); ++i)
        if (b[i] == '\n' && b[i + 1] == '\n' && b[i - 1] != '\n' && b[i - 1] != ' ' && b[i + 2] != '\n' &&
            b[i + 2] != ' ') {
            out.push_back(b.substr(start, i + 1 - start));
            start = i + 1;
        }
    out.push_back(b.substr(start));
    return out;
}

void gpt2_encode_book(benchmark::State& state) {
    const auto& bpe = gpt2();
    std::size_t tokens = 0;
    for (auto _ : state) {
        const auto ids = bpe.encode(book());
        tokens = ids.size();
        benchmark::DoNotOptimize(ids.data());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(book().size()));
    state.counters["tokens"] = double(tokens);
    state.SetLabel(bpe.pre_tokenizer().jit() ? "PCRE2 JIT" : "PCRE2 interpreter");
}

void gpt2_encode_paragraphs(benchmark::State& state) {
    const auto& bpe = gpt2();
    const auto parts = paragraphs();
    std::vector<std::int32_t> ids;
    for (auto _ : state) {
        ids.clear();
        for (const auto p : parts) bpe.encode(p, ids);
        benchmark::DoNotOptimize(ids.data());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(book().size()));
    state.counters["calls"] = double(parts.size());
    state.SetLabel(ids == bpe.encode(book()) ? "same ids as one call" : "DIFFERENT ids from one call");
}

void gpt2_pre_tokenize(benchmark::State& state) {
    const tn::text::Gpt2PreTokenizer pre;
    std::vector<std::string_view> pieces;
    for (auto _ : state) {
        pieces.clear();
        pre.split(book(), pieces);
        benchmark::DoNotOptimize(pieces.data());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(book().size()));
    state.counters["pieces"] = double(pieces.size());
}

void gpt2_decode_book(benchmark::State& state) {
    const auto& bpe = gpt2();
    const auto ids = bpe.encode(book());
    for (auto _ : state) {
        const std::string text = bpe.decode(ids);
        benchmark::DoNotOptimize(text.data());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(book().size()));
}

void wordpiece_encode_book(benchmark::State& state) {
    static const auto bert = tn::text::WordPiece::bert_base_uncased();
    std::size_t tokens = 0;
    for (auto _ : state) {
        const auto ids = bert.encode(book());
        tokens = ids.size();
        benchmark::DoNotOptimize(ids.data());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(book().size()));
    state.counters["tokens"] = double(tokens);
}

void train_bpe_2000(benchmark::State& state) {
    for (auto _ : state) {
        const auto bpe = tn::text::train_byte_level_bpe(book(), 2000);
        benchmark::DoNotOptimize(bpe.vocab_size());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(book().size()));
}

BENCHMARK(gpt2_encode_book)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(gpt2_encode_paragraphs)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(gpt2_pre_tokenize)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(gpt2_decode_book)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(wordpiece_encode_book)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(train_bpe_2000)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

TYPENET_BENCHMARK_MAIN()
