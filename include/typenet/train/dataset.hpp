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
    void validate() const {
        const auto fail = [&](const std::string& what) { throw std::invalid_argument(name + ": " + what); };
        const auto n = [](std::size_t v) { return std::to_string(v); };
        if (!inputs.empty() && !bytes.empty())
            fail("inputs are stored both as floats (" + n(inputs.size()) + ") and as bytes (" + n(bytes.size()) +
                 "); a data set holds one or the other");
        const bool as_bytes = !bytes.empty();
        const std::size_t stored = as_bytes ? bytes.size() : inputs.size();
        const char* kind = as_bytes ? " input bytes" : " input floats";
        if (stored > 0 && input_width == 0) fail("input_width is 0 but it holds " + n(stored) + kind);
        if (input_width > 0 && stored % input_width != 0)
            fail("its " + n(stored) + kind + " are not a whole number of samples of input_width " + n(input_width) +
                 " (" + n(stored / input_width) + " samples and " + n(stored % input_width) + " left over)");
        const std::size_t samples = size();
        if (samples > 0 && target_width == 0) fail("target_width is 0 but it holds " + n(samples) + " samples");
        if (targets.size() != samples * target_width)
            fail("it holds " + n(targets.size()) + " targets, but " + n(samples) + " samples of target_width " +
                 n(target_width) + " need " + n(samples * target_width));
        if (as_bytes && !std::isfinite(byte_scale)) fail("byte_scale is " + std::to_string(byte_scale) + ", not finite");
    }

    void add(std::span<const float> x, std::span<const float> t) {
        if (x.size() != input_width || t.size() != target_width)
            throw std::invalid_argument(name + ": a sample needs " + std::to_string(input_width) + " inputs and " +
                                        std::to_string(target_width) + " targets, got " + std::to_string(x.size()) +
                                        " and " + std::to_string(t.size()));
        inputs.insert(inputs.end(), x.begin(), x.end());
        targets.insert(targets.end(), t.begin(), t.end());
    }
    void add(std::initializer_list<float> x, std::initializer_list<float> t) {
        add(std::span<const float>(x.begin(), x.size()), std::span<const float>(t.begin(), t.size()));
    }

    // Sample i's inputs, for float storage (use copy_input for either storage).
    std::span<const float> input(std::size_t i) const {
        if (!bytes.empty()) throw std::logic_error(name + ": inputs are stored as bytes; use copy_input");
        return {inputs.data() + i * input_width, input_width};
    }
    void copy_input(std::size_t i, float* out) const {
        if (bytes.empty()) {
            std::copy_n(inputs.data() + i * input_width, input_width, out);
        } else {
            const std::uint8_t* b = bytes.data() + i * input_width;
            for (std::size_t k = 0; k < input_width; ++k) out[k] = float(b[k]) * byte_scale;
        }
    }
    std::span<const float> target(std::size_t i) const { return {targets.data() + i * target_width, target_width}; }

    // Copies the samples at `indices` into contiguous batch buffers. Validates the
    // data set and each index first (an index past the end names itself).
    void gather(std::span<const std::size_t> indices, float* x, float* t) const {
        validate();
        const std::size_t n = size();
        for (const std::size_t i : indices)
            if (i >= n)
                throw std::out_of_range(name + ": gather: index " + std::to_string(i) + " is outside its " +
                                        std::to_string(n) + " samples");
        for (std::size_t b = 0; b < indices.size(); ++b) {
            copy_input(indices[b], x + b * input_width);
            std::copy_n(targets.data() + indices[b] * target_width, target_width, t + b * target_width);
        }
    }

    // Samples [begin, end) as a new data set (a copy).
    Dataset slice(std::size_t begin, std::size_t end) const {
        validate();
        if (begin > end || end > size())
            throw std::out_of_range(name + ": slice [" + std::to_string(begin) + ", " + std::to_string(end) +
                                    ") is outside its " + std::to_string(size()) + " samples");
        Dataset d(name, input_width, target_width);
        d.byte_scale = byte_scale;
        if (bytes.empty())
            d.inputs.assign(inputs.begin() + std::ptrdiff_t(begin * input_width),
                            inputs.begin() + std::ptrdiff_t(end * input_width));
        else
            d.bytes.assign(bytes.begin() + std::ptrdiff_t(begin * input_width),
                           bytes.begin() + std::ptrdiff_t(end * input_width));
        d.targets.assign(targets.begin() + std::ptrdiff_t(begin * target_width),
                         targets.begin() + std::ptrdiff_t(end * target_width));
        return d;
    }
};

}  // namespace tn
