// The bodies of data/sequence_tasks.hpp: inline in a header-only build, compiled
// once into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <stdexcept>
#include <string>

#include "typenet/data/sequence_tasks.hpp"

namespace tn::data {

TYPENET_INLINE Dataset adding_problem(const AddingOptions& o) {
    if (o.T < 2) throw std::invalid_argument("adding_problem: T must be at least 2, got " + std::to_string(o.T));
    Dataset d("adding problem T=" + std::to_string(o.T), o.T * 2, 1);
    d.inputs.assign(o.samples * o.T * 2, 0.f);
    d.targets.resize(o.samples);
    Rng rng{o.seed};
    const std::size_t half = o.T / 2;
    for (std::size_t s = 0; s < o.samples; ++s) {
        float* x = d.inputs.data() + s * o.T * 2;
        for (std::size_t t = 0; t < o.T; ++t) x[2 * t] = rng.uniform();
        const std::size_t a = rng.below(half), b = half + rng.below(o.T - half);
        x[2 * a + 1] = 1.f;
        x[2 * b + 1] = 1.f;
        d.targets[s] = x[2 * a] + x[2 * b];
    }
    d.validate();
    return d;
}

TYPENET_INLINE Dataset copy_task(const CopyOptions& o) {
    if (o.length == 0 || o.symbols == 0)
        throw std::invalid_argument("copy_task: length and symbols must be at least 1, got " +
                                    std::to_string(o.length) + " and " + std::to_string(o.symbols));
    const std::size_t T = copy_task_length(o.length, o.delay);
    const auto delimiter = std::int32_t(o.symbols + 1);
    Dataset d("copy task L=" + std::to_string(o.length) + " delay=" + std::to_string(o.delay), T, T);
    d.tokens.assign(o.samples * T, 0);
    d.targets.assign(o.samples * T, -1.f);
    Rng rng{o.seed};
    const std::size_t answer = o.length + o.delay + 1;  // the first position after the delimiter
    for (std::size_t s = 0; s < o.samples; ++s) {
        std::int32_t* x = d.tokens.data() + s * T;
        float* t = d.targets.data() + s * T;
        for (std::size_t k = 0; k < o.length; ++k) {
            x[k] = std::int32_t(1 + rng.below(o.symbols));
            t[answer + k] = float(x[k]);
        }
        x[o.length + o.delay] = delimiter;
    }
    d.validate();
    return d;
}

TYPENET_INLINE Dataset parity(const ParityOptions& o) {
    if (o.T == 0) throw std::invalid_argument("parity: T must be at least 1");
    if (o.min_length > o.T)
        throw std::invalid_argument("parity: min_length " + std::to_string(o.min_length) + " is above T " +
                                    std::to_string(o.T));
    const bool varying = o.min_length > 0 && o.min_length < o.T;
    Dataset d("parity T=" + std::to_string(o.T), o.T, o.running ? o.T : 1);
    d.inputs.assign(o.samples * o.T, 0.f);
    d.targets.assign(o.samples * d.target_width, -1.f);
    if (varying) d.lengths.resize(o.samples);
    Rng rng{o.seed};
    for (std::size_t s = 0; s < o.samples; ++s) {
        const std::size_t len = varying ? o.min_length + rng.below(o.T - o.min_length + 1) : o.T;
        if (varying) d.lengths[s] = std::uint32_t(len);
        float* x = d.inputs.data() + s * o.T;
        float* t = d.targets.data() + s * d.target_width;
        std::uint64_t bits = 0;
        for (std::size_t k = 0; k < len; ++k) {
            const std::uint64_t bit = rng.next_u64() >> 63;
            x[k] = float(bit);
            bits ^= bit;
            if (o.running) t[k] = float(bits);
        }
        if (!o.running) t[0] = float(bits);
    }
    d.validate();
    return d;
}

}  // namespace tn::data
