// The bodies of train/dataset.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cmath>

#include "typenet/train/dataset.hpp"

namespace tn {

TYPENET_INLINE void Dataset::validate() const {
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

TYPENET_INLINE void Dataset::add(std::span<const float> x, std::span<const float> t) {
    if (x.size() != input_width || t.size() != target_width)
        throw std::invalid_argument(name + ": a sample needs " + std::to_string(input_width) + " inputs and " +
                                    std::to_string(target_width) + " targets, got " + std::to_string(x.size()) +
                                    " and " + std::to_string(t.size()));
    inputs.insert(inputs.end(), x.begin(), x.end());
    targets.insert(targets.end(), t.begin(), t.end());
}

TYPENET_INLINE void Dataset::copy_input(std::size_t i, float* out) const {
    if (bytes.empty()) {
        std::copy_n(inputs.data() + i * input_width, input_width, out);
    } else {
        const std::uint8_t* b = bytes.data() + i * input_width;
        for (std::size_t k = 0; k < input_width; ++k) out[k] = float(b[k]) * byte_scale;
    }
}

TYPENET_INLINE void Dataset::gather(std::span<const std::size_t> indices, float* x, float* t) const {
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

TYPENET_INLINE Dataset Dataset::slice(std::size_t begin, std::size_t end) const {
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

}  // namespace tn
