// Language-model data: a corpus of token ids (Vocabulary::encode of a book) split
// by position, then cut into windows whose targets are the inputs shifted by one,
// for a model that starts with Tokens<T> and is trained with TokenCrossEntropy
// (target_width = T: one next-token prediction per position).
//
//   auto ids = vocab.encode(tn::data::sherlock_holmes());
//   auto parts = tn::data::split_corpus(ids);                      // 90/5/5
//   Dataset train = tn::data::lm_windows(parts.train, 64, {.stride = 32});
//   Dataset valid = tn::data::lm_windows(parts.validation, 64);   // stride T
//
// Memory: a window is a copy (T ids as int32 and T targets as float, 8T bytes), so a
// corpus of n ids cut with stride S takes about 8nT/S bytes: Sherlock Holmes' 562k
// characters at T = 64 take 4.5 MB with stride T, 9 MB with T/2, but 290 MB with
// stride 1. Dataset holds copies because fit's gather reads rows; a stride of T/2
// already shows the model every position at two offsets, and a different `offset`
// per epoch (windows rebuilt by the caller) gives the rest without the memory.
//
// Truncated backpropagation through time (a stateful model that carries its state
// from one batch to the next) needs another layout: lm_streams.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/train/dataset.hpp"

namespace tn::data {

struct CorpusSplit {
    std::vector<std::int32_t> train, validation, test;
};

// Contiguous parts in the corpus' order, train first: no id is in two parts, and
// no window made from one part reaches into another. Fractions of the ids (rounded
// down; train takes the rest); each part non-empty when its fraction is non-zero.
TYPENET_INLINE CorpusSplit split_corpus(std::span<const std::int32_t> ids, double validation_fraction = 0.05,
                                        double test_fraction = 0.05);

struct WindowOptions {
    std::size_t stride = 0;  // positions between window starts; 0: T (every position predicted once)
    std::size_t offset = 0;  // the first window starts here
    // The positions after the last whole window, as one shorter sample (its length
    // recorded, targets past it -1, ignored by TokenCrossEntropy): with stride T,
    // every id after ids[offset] is then predicted exactly once, as an evaluation
    // should (perplexity over the whole text).
    bool tail = true;
    std::string name = "windows";
};

// Windows of T ids: sample k's inputs are ids[s .. s+T), its targets ids[s+1 .. s+T]
// (as floats), s = offset + k * stride. Throws when the ids cannot fill one
// prediction (fewer than offset + 2).
TYPENET_INLINE Dataset lm_windows(std::span<const std::int32_t> ids, std::size_t T, const WindowOptions& options = {});

// For evaluating a model that reads at most T ids (a Transformer's context): windows
// of T that overlap by `context` ids, each scoring only the ids the one before did
// not (the first window scores all of its own; later ones have targets -1 on their
// first `context` positions). Every id after ids[0] is then predicted exactly once,
// and every one after the first `context` with at least `context` ids before it in
// its window: the perplexity of a sliding window, as Hugging Face's
// "Perplexity of fixed-length models" computes it with stride T - context. Plain
// windows (lm_windows, stride T) give the first position of each window no context
// at all, which overstates the loss. Throws when context >= T.
TYPENET_INLINE Dataset lm_sliding_windows(std::span<const std::int32_t> ids, std::size_t T, std::size_t context,
                                          const std::string& name = "sliding windows");

// For truncated BPTT with a stateful model: the corpus cut into `batch` contiguous
// streams of equal length L = (n - 1) / batch (the last n - 1 - batch*L ids unused),
// each cut into chunks of T, ordered so that sample b of batch k is chunk k of
// stream b: sample k*batch + b. Batch k+1's sample b then continues batch k's
// sample b, and a model's state per sample carries over. Train it with
//   fit(model, streams, TokenCrossEntropy{}, opt, {.batch = batch, .shuffle = false})
// (any other batch size or a shuffle breaks the continuity; fit resets the state at
// every epoch's start). When L is not a multiple of T, the last chunk of every
// stream is shorter (a recorded length, targets -1 past it) with `tail`, else left out.
TYPENET_INLINE Dataset lm_streams(std::span<const std::int32_t> ids, std::size_t T, std::size_t batch,
                                  bool tail = true, const std::string& name = "streams");

}  // namespace tn::data

#if TYPENET_DEFINE_BODIES
#include "typenet/data/language_model.ipp"
#endif
