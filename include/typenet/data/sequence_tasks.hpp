// Generated sequence tasks, the classic tests of a recurrent network's memory. Each
// is seeded (one seed, the same data on every compiler: core/rng.hpp) and sized by
// its arguments.
//
//   Dataset add = tn::data::adding_problem({.samples = 10000, .T = 100, .seed = Seed{1}});
//   // a model of Input<100, 2> ending in Dense<1>, trained with MSE
//
// The adding problem (Hochreiter & Schmidhuber 1997; this variant as in Le, Jaitly &
// Hinton 2015 and Arjovsky et al. 2016): inputs [T, 2], per position a value
// U(0, 1) and a marker, 1 at exactly two positions (one in each half), 0
// elsewhere; the target is the sum of the two marked values. Predicting 1 always
// gives a mean squared error of 1/6 (the variance of the sum): a model must beat it.
//
// The copy task (Graves et al. 2014; Arjovsky et al. 2016): token ids, 0 blank,
// 1..symbols the symbols, symbols + 1 the delimiter; a sample is `length` random
// symbols, `delay` blanks, the delimiter, then `length` blanks (T = 2 length +
// delay + 1); the targets are -1 (ignored by TokenCrossEntropy) up to the
// delimiter and the symbols, in order, after it. Guessing gives ln(symbols) nats.
//
// Parity: a sequence of bits (floats 0/1, inputs [T, 1]); the target is the sum of
// the bits mod 2 (class 0 or 1, width 1). With min_length < T, each sample's length
// is drawn from min_length..T, the rest zero padding, recorded in lengths. With
// running, the target is the parity of every prefix instead (width T, -1 past the
// length): the easy form, one XOR per step.
#pragma once
#include <cstddef>

#include "typenet/config.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/train/dataset.hpp"

namespace tn::data {

struct AddingOptions {
    std::size_t samples = 1000;
    std::size_t T = 50;  // at least 2
    Seed seed{1};
};
TYPENET_INLINE Dataset adding_problem(const AddingOptions& options);

struct CopyOptions {
    std::size_t samples = 1000;
    std::size_t length = 10;   // symbols to remember
    std::size_t symbols = 8;   // alphabet size
    std::size_t delay = 0;     // blanks between the symbols and the delimiter
    Seed seed{1};
};
// The sequence length T of a copy task, and its vocabulary size (for Tokens<T> and
// Embedding<V, D>); constexpr so a model type can be written from the options.
constexpr std::size_t copy_task_length(std::size_t length, std::size_t delay) { return 2 * length + delay + 1; }
constexpr std::size_t copy_task_vocabulary(std::size_t symbols) { return symbols + 2; }
TYPENET_INLINE Dataset copy_task(const CopyOptions& options);

struct ParityOptions {
    std::size_t samples = 1000;
    std::size_t T = 16;
    std::size_t min_length = 0;  // 0: every sample has T bits
    bool running = false;        // per-position targets: the parity of each prefix
    Seed seed{1};
};
TYPENET_INLINE Dataset parity(const ParityOptions& options);

}  // namespace tn::data

#if TYPENET_DEFINE_BODIES
#include "typenet/data/sequence_tasks.ipp"
#endif
