// Holding out a validation set: a seeded shuffle, then the last part is validation.
//   auto [train, validation] = tn::data::split(images.data, 0.2, tn::Seed{1});
// The same seed gives the same split on every compiler (core/rng.hpp), as Keras'
// image_dataset_from_directory(validation_split=, seed=) does for its two calls.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/core/rng.hpp"
#include "typenet/train/dataset.hpp"

namespace tn::data {

struct TrainValidation {
    Dataset train, validation;
};

namespace detail {
inline Dataset take_samples(const Dataset& d, const std::vector<std::size_t>& order, std::size_t begin, std::size_t end,
                            const std::string& name) {
    Dataset out(name, d.input_width, d.target_width);
    out.byte_scale = d.byte_scale;
    const std::size_t n = end - begin;
    if (d.bytes.empty())
        out.inputs.resize(n * d.input_width);
    else
        out.bytes.resize(n * d.input_width);
    out.targets.resize(n * d.target_width);
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = order[begin + k];
        if (d.bytes.empty())
            std::memcpy(&out.inputs[k * d.input_width], &d.inputs[i * d.input_width], d.input_width * sizeof(float));
        else
            std::memcpy(&out.bytes[k * d.input_width], &d.bytes[i * d.input_width], d.input_width);
        std::memcpy(&out.targets[k * d.target_width], &d.targets[i * d.target_width], d.target_width * sizeof(float));
    }
    out.validate();
    return out;
}
}  // namespace detail

// `validation_fraction` of the samples (rounded, at least one of each part when both
// can be non-empty) go to validation, chosen by a Fisher-Yates shuffle seeded by `seed`.
inline TrainValidation split(const Dataset& data, double validation_fraction, Seed seed) {
    if (!(validation_fraction > 0 && validation_fraction < 1))
        throw std::invalid_argument("split: validation_fraction must be between 0 and 1 (exclusive), got " +
                                    std::to_string(validation_fraction));
    data.validate();
    const std::size_t n = data.size();
    if (n < 2) throw std::invalid_argument("split: '" + data.name + "' has " + std::to_string(n) + " samples; need 2");
    std::size_t held = std::size_t(std::lround(double(n) * validation_fraction));
    held = std::clamp<std::size_t>(held, 1, n - 1);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    Rng rng{seed};
    for (std::size_t i = n - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
    return {detail::take_samples(data, order, 0, n - held, data.name + " train"),
            detail::take_samples(data, order, n - held, n, data.name + " validation")};
}

}  // namespace tn::data
