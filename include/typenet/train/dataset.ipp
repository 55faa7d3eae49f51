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
    if (int(!inputs.empty()) + int(!bytes.empty()) + int(!tokens.empty()) > 1)
        fail("inputs are stored in more than one form (" + n(inputs.size()) + " floats, " + n(bytes.size()) +
             " bytes, " + n(tokens.size()) + " token ids); a data set holds one of them");
    const bool as_bytes = !bytes.empty();
    const std::size_t stored = !tokens.empty() ? tokens.size() : as_bytes ? bytes.size() : inputs.size();
    const char* kind = !tokens.empty() ? " token ids" : as_bytes ? " input bytes" : " input floats";
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
    if (!lengths.empty() && lengths.size() != samples)
        fail("it holds " + n(lengths.size()) + " lengths for " + n(samples) + " samples; give one per sample or none");
    if (!second_lengths.empty() && second_lengths.size() != samples)
        fail("it holds " + n(second_lengths.size()) + " second (target) lengths for " + n(samples) +
             " samples; give one per sample or none");
}

TYPENET_INLINE void Dataset::add(std::span<const float> x, std::span<const float> t) {
    if (x.size() != input_width || t.size() != target_width)
        throw std::invalid_argument(name + ": a sample needs " + std::to_string(input_width) + " inputs and " +
                                    std::to_string(target_width) + " targets, got " + std::to_string(x.size()) +
                                    " and " + std::to_string(t.size()));
    inputs.insert(inputs.end(), x.begin(), x.end());
    targets.insert(targets.end(), t.begin(), t.end());
}

TYPENET_INLINE void Dataset::add_sequence(std::span<const std::int32_t> ids, std::span<const float> t,
                                          std::int32_t pad) {
    if (!inputs.empty() || !bytes.empty())
        throw std::invalid_argument(name + ": add_sequence adds token ids, but the set holds float or byte inputs");
    if (ids.empty() || ids.size() > input_width || t.size() != target_width)
        throw std::invalid_argument(name + ": a sequence needs 1 to " + std::to_string(input_width) +
                                    " token ids and " + std::to_string(target_width) + " targets, got " +
                                    std::to_string(ids.size()) + " and " + std::to_string(t.size()));
    if (lengths.empty()) lengths.assign(size(), std::uint32_t(input_width));
    tokens.insert(tokens.end(), ids.begin(), ids.end());
    tokens.insert(tokens.end(), input_width - ids.size(), pad);
    targets.insert(targets.end(), t.begin(), t.end());
    lengths.push_back(std::uint32_t(ids.size()));
}

TYPENET_INLINE void Dataset::add_pair(std::size_t source_width, std::span<const std::int32_t> source,
                                      std::span<const std::int32_t> target, std::span<const float> t,
                                      std::int32_t pad) {
    if (!inputs.empty() || !bytes.empty())
        throw std::invalid_argument(name + ": add_pair adds token ids, but the set holds float or byte inputs");
    if (source_width == 0 || source_width >= input_width)
        throw std::invalid_argument(name + ": add_pair: the source part (" + std::to_string(source_width) +
                                    " ids) must leave room for a target part in input_width " +
                                    std::to_string(input_width));
    const std::size_t target_width_ids = input_width - source_width;
    if (source.empty() || source.size() > source_width || target.empty() || target.size() > target_width_ids ||
        t.size() != target_width)
        throw std::invalid_argument(name + ": a pair needs 1 to " + std::to_string(source_width) +
                                    " source ids, 1 to " + std::to_string(target_width_ids) + " target ids and " +
                                    std::to_string(target_width) + " targets, got " + std::to_string(source.size()) +
                                    ", " + std::to_string(target.size()) + " and " + std::to_string(t.size()));
    if (size() > 0 && (lengths.size() != size() || second_lengths.size() != size()))
        throw std::invalid_argument(name + ": add_pair: the set already holds samples without both lengths");
    tokens.insert(tokens.end(), source.begin(), source.end());
    tokens.insert(tokens.end(), source_width - source.size(), pad);
    tokens.insert(tokens.end(), target.begin(), target.end());
    tokens.insert(tokens.end(), target_width_ids - target.size(), pad);
    targets.insert(targets.end(), t.begin(), t.end());
    lengths.push_back(std::uint32_t(source.size()));
    second_lengths.push_back(std::uint32_t(target.size()));
}

TYPENET_INLINE void Dataset::copy_input(std::size_t i, float* out) const {
    if (!tokens.empty()) {
        const std::int32_t* id = tokens.data() + i * input_width;
        for (std::size_t k = 0; k < input_width; ++k) out[k] = float(id[k]);
    } else if (bytes.empty()) {
        std::copy_n(inputs.data() + i * input_width, input_width, out);
    } else {
        const std::uint8_t* b = bytes.data() + i * input_width;
        for (std::size_t k = 0; k < input_width; ++k) out[k] = float(b[k]) * byte_scale;
    }
}

TYPENET_INLINE void Dataset::gather(std::span<const std::size_t> indices, float* x, float* t,
                                    std::uint32_t* out_lengths, std::uint32_t* out_second) const {
    validate();
    const std::size_t n = size();
    for (const std::size_t i : indices)
        if (i >= n)
            throw std::out_of_range(name + ": gather: index " + std::to_string(i) + " is outside its " +
                                    std::to_string(n) + " samples");
    for (std::size_t b = 0; b < indices.size(); ++b) {
        copy_input(indices[b], x + b * input_width);
        std::copy_n(targets.data() + indices[b] * target_width, target_width, t + b * target_width);
        if (out_lengths && !lengths.empty()) out_lengths[b] = lengths[indices[b]];
        if (out_second && !second_lengths.empty()) out_second[b] = second_lengths[indices[b]];
    }
}

TYPENET_INLINE Dataset Dataset::slice(std::size_t begin, std::size_t end) const {
    validate();
    if (begin > end || end > size())
        throw std::out_of_range(name + ": slice [" + std::to_string(begin) + ", " + std::to_string(end) +
                                ") is outside its " + std::to_string(size()) + " samples");
    Dataset d(name, input_width, target_width);
    d.byte_scale = byte_scale;
    if (!tokens.empty())
        d.tokens.assign(tokens.begin() + std::ptrdiff_t(begin * input_width),
                        tokens.begin() + std::ptrdiff_t(end * input_width));
    else if (bytes.empty())
        d.inputs.assign(inputs.begin() + std::ptrdiff_t(begin * input_width),
                        inputs.begin() + std::ptrdiff_t(end * input_width));
    else
        d.bytes.assign(bytes.begin() + std::ptrdiff_t(begin * input_width),
                       bytes.begin() + std::ptrdiff_t(end * input_width));
    d.targets.assign(targets.begin() + std::ptrdiff_t(begin * target_width),
                     targets.begin() + std::ptrdiff_t(end * target_width));
    if (!lengths.empty())
        d.lengths.assign(lengths.begin() + std::ptrdiff_t(begin), lengths.begin() + std::ptrdiff_t(end));
    if (!second_lengths.empty())
        d.second_lengths.assign(second_lengths.begin() + std::ptrdiff_t(begin),
                                second_lengths.begin() + std::ptrdiff_t(end));
    return d;
}

}  // namespace tn
