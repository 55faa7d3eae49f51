// A data set in memory: one row of inputs and one row of targets per sample.
// Inputs are the flattened sample (input_width floats); targets are whatever the
// loss reads (target_width floats: a class index, 0/1 labels, values).
// Plain vectors rather than xtensor keep every lesson's compile time down
// (design decision 4); typenet/interop/xtensor.hpp gives xtensor views of it.
#pragma once
#include <algorithm>
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

    // Copies the samples at `indices` into contiguous batch buffers.
    void gather(std::span<const std::size_t> indices, float* x, float* t) const {
        for (std::size_t b = 0; b < indices.size(); ++b) {
            copy_input(indices[b], x + b * input_width);
            std::copy_n(targets.data() + indices[b] * target_width, target_width, t + b * target_width);
        }
    }

    // Samples [begin, end) as a new data set (a copy).
    Dataset slice(std::size_t begin, std::size_t end) const {
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
