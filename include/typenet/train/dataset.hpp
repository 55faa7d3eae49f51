// A data set in memory: one row of inputs and one row of targets per sample.
// Inputs are the flattened sample (input_width floats); targets are whatever the
// loss reads (target_width floats: a class index, 0/1 labels, values).
// Sequences: inputs may be token ids (a model that starts with Tokens<T>), and each
// sample may have its own length (lengths), the rest of its row being padding.
// Plain vectors rather than xtensor keep every lesson's compile time down
// (design decision 4); typenet/interop/xtensor.hpp gives xtensor views of it.
// The fields are public, so nothing stops a program from making them disagree;
// validate() checks that they agree (the library's readers, slice and gather call
// it, and so does training) and says which counts do not.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/config.hpp"

namespace tn {

struct Dataset {
    std::string name = "data";
    std::size_t input_width = 0;
    std::size_t target_width = 0;
    std::vector<float> inputs;   // [size(), input_width], row-major
    std::vector<float> targets;  // [size(), target_width], row-major
    // Or inputs kept as bytes (images as they come from IDX or PNG files), turned
    // into floats, times byte_scale, only when a batch is made: MNIST's 60,000
    // digits take 47 MB as bytes instead of 188 MB as floats.
    std::vector<std::uint8_t> bytes;
    float byte_scale = 1.f / 255.f;
    // Or token ids, [size(), input_width], for a model whose input is Tokens<T>.
    std::vector<std::int32_t> tokens;
    // Each sample's length along its first axis (time), 1 to T; empty: every sample
    // is full. A sequence target past a sample's length should be the loss's ignore
    // id (TokenCrossEntropy::ignore_id), as add_sequence writes.
    std::vector<std::uint32_t> lengths;
    // A two-part sample (EncoderDecoder: each row is the source ids, then the target
    // ids fed to the decoder): `lengths` are the source lengths and these the target
    // lengths, one per sample or none (add_pair writes both).
    std::vector<std::uint32_t> second_lengths;

    Dataset() = default;
    Dataset(std::string name_, std::size_t input_width_, std::size_t target_width_)
        : name(std::move(name_)), input_width(input_width_), target_width(target_width_) {}

    std::size_t size() const {
        if (!input_width) return 0;
        if (!tokens.empty()) return tokens.size() / input_width;
        return (bytes.empty() ? inputs.size() : bytes.size()) / input_width;
    }
    bool has_tokens() const { return !tokens.empty(); }
    bool has_lengths() const { return !lengths.empty(); }
    bool has_second_lengths() const { return !second_lengths.empty(); }
    // Sample i's length (input_width's worth of positions when lengths is empty:
    // callers that know the model's T use that instead).
    std::size_t length(std::size_t i, std::size_t full) const { return lengths.empty() ? full : lengths[i]; }

    // Throws std::invalid_argument, naming the data set and the counts, unless the
    // fields describe size() whole samples: inputs stored as floats, bytes or tokens,
    // one of them; the storage a whole number of rows of input_width; exactly size()
    // rows of target_width targets; both widths non-zero when there is data; a finite
    // byte_scale for bytes; no lengths, or one per sample. Cheap (no value is read),
    // so callers call it freely.
    TYPENET_INLINE void validate() const;

    TYPENET_INLINE void add(std::span<const float> x, std::span<const float> t);
    void add(std::initializer_list<float> x, std::initializer_list<float> t) {
        add(std::span<const float>(x.begin(), x.size()), std::span<const float>(t.begin(), t.size()));
    }
    // A sequence of token ids, at most input_width of them: the row is padded with
    // `pad` after them, and the sample's length recorded (lengths is kept for every
    // sample from then on). Targets as add's.
    TYPENET_INLINE void add_sequence(std::span<const std::int32_t> ids, std::span<const float> t,
                                     std::int32_t pad = 0);

    // An encoder-decoder sample: source ids (1 to source_width) padded to
    // source_width, then the decoder's input ids (1 to input_width - source_width)
    // padded; lengths and second_lengths record both lengths. Targets as add's.
    TYPENET_INLINE void add_pair(std::size_t source_width, std::span<const std::int32_t> source,
                                 std::span<const std::int32_t> target, std::span<const float> t,
                                 std::int32_t pad = 0);

    // Sample i's inputs, for float storage (use copy_input for either storage).
    std::span<const float> input(std::size_t i) const {
        if (!bytes.empty()) throw std::logic_error(name + ": inputs are stored as bytes; use copy_input");
        return {inputs.data() + i * input_width, input_width};
    }
    TYPENET_INLINE void copy_input(std::size_t i, float* out) const;
    std::span<const float> target(std::size_t i) const { return {targets.data() + i * target_width, target_width}; }

    // Copies the samples at `indices` into contiguous batch buffers (token ids as
    // floats), and their lengths into `lengths` when both it and this set's lengths
    // are there. Validates the data set and each index first (an index past the end
    // names itself).
    TYPENET_INLINE void gather(std::span<const std::size_t> indices, float* x, float* t,
                               std::uint32_t* lengths = nullptr, std::uint32_t* second_lengths = nullptr) const;

    // Samples [begin, end) as a new data set (a copy).
    TYPENET_INLINE Dataset slice(std::size_t begin, std::size_t end) const;
};

}  // namespace tn

#if TYPENET_DEFINE_BODIES
#include "typenet/train/dataset.ipp"
#endif
