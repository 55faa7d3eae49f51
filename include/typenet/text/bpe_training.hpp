// Training a byte-level BPE vocabulary on a corpus, GPT-2's way: the same
// pre-tokenizer (text/pre_tokenizer.hpp), then merges learnt greedily.
//
//   auto bpe = tn::text::train_byte_level_bpe(tn::data::sherlock_holmes(), 2'000);
//   bpe.save("out/sherlock-bpe");                  // encoder.json + vocab.bpe, GPT-2's format
//   auto again = tn::text::BytePairEncoding::load("out/sherlock-bpe/encoder.json", "out/sherlock-bpe/vocab.bpe");
//
// The algorithm. The corpus is cut into pieces and each distinct piece counted once
// with its number of occurrences. Every piece starts as its bytes (the 256 byte
// tokens, ids 0..255 in GPT-2's order, so they are GPT-2's ids too). Then, until the
// vocabulary has vocab_size tokens: count every adjacent pair of tokens in every
// piece, weighted by the piece's count (in "a a a" the pair a a counts twice, as in
// GPT-2's and Hugging Face's trainers); merge the most frequent pair everywhere, left
// to right (as the encoder will), and add the joined token. Ties go to the pair whose
// first token's bytes sort first, then the second's (byte order: " " < "a"), so a
// corpus gives the same vocabulary on every run and platform. The counts are updated
// only in the pieces that held the merged pair.
//
// vocab_size counts the 256 byte tokens and, with end_of_text, "<|endoftext|>" (the
// last id, as 50256 is GPT-2's). Training stops early, with a smaller vocabulary, when
// no pair is seen min_pair_count times.
#pragma once
#include <cstddef>
#include <string_view>

#include "typenet/config.hpp"
#include "typenet/text/byte_pair_encoding.hpp"

namespace tn::text {

struct BpeTrainingOptions {
    bool end_of_text = true;         // "<|endoftext|>" as the last token
    std::size_t min_pair_count = 2;  // a pair seen fewer times is not merged
};

// std::invalid_argument when vocab_size is smaller than the 256 bytes (+ 1 with end_of_text).
TYPENET_INLINE BytePairEncoding train_byte_level_bpe(std::string_view corpus, std::size_t vocab_size,
                                                     const BpeTrainingOptions& options = {});

}  // namespace tn::text

#if TYPENET_DEFINE_BODIES
#include "typenet/text/bpe_training.ipp"
#endif
