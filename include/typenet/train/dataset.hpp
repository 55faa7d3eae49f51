// A data set in memory: one row of inputs and one row of targets per sample.
// Inputs are the flattened sample (input_width floats); targets are whatever the
// loss reads (target_width floats: a class index, 0/1 labels, values).
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

    Dataset() = default;
    Dataset(std::string name_, std::size_t input_width_, std::size_t target_width_)
        : name(std::move(name_)), input_width(input_width_), target_width(target_width_) {}

    std::size_t size() const {
        return input_width ? (bytes.empty() ? inputs.size() : bytes.size()) / input_width : 0;
    }

    // Throws std::invalid_argument, naming the data set and the counts, unless the
    // fields describe size() whole samples: inputs stored as floats or as bytes, not
    // both; the storage a whole number of rows of input_width; exactly size() rows of
    // target_width targets; both widths non-zero when there is data; a finite
    // byte_scale for bytes. Cheap (no value is read), so callers call it freely.
    TYPENET_INLINE void validate() const;

    TYPENET_INLINE void add(std::span<const float> x, std::span<const float> t);
    void add(std::initializer_list<float> x, std::initializer_list<float> t) {
        add(std::span<const float>(x.begin(), x.size()), std::span<const float>(t.begin(), t.size()));
    }

    // Sample i's inputs, for float storage (use copy_input for either storage).
    std::span<const float> input(std::size_t i) const {
        if (!bytes.empty()) throw std::logic_error(name + ": inputs are stored as bytes; use copy_input");
        return {inputs.data() + i * input_width, input_width};
    }
    TYPENET_INLINE void copy_input(std::size_t i, float* out) const;
    std::span<const float> target(std::size_t i) const { return {targets.data() + i * target_width, target_width}; }

    // Copies the samples at `indices` into contiguous batch buffers. Validates the
    // data set and each index first (an index past the end names itself).
    TYPENET_INLINE void gather(std::span<const std::size_t> indices, float* x, float* t) const;

    // Samples [begin, end) as a new data set (a copy).
    TYPENET_INLINE Dataset slice(std::size_t begin, std::size_t end) const;
};

}  // namespace tn

#if TYPENET_DEFINE_BODIES
#include "typenet/train/dataset.ipp"
#endif
