// The bodies of data/language_model.hpp: inline in a header-only build, compiled
// once into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <cmath>
#include <stdexcept>

#include "typenet/data/language_model.hpp"

namespace tn::data {

namespace detail {
// Appends the window ids[s .. s+len) with targets ids[s+1 .. s+len], padded to T.
inline void add_window(Dataset& d, std::span<const std::int32_t> ids, std::size_t s, std::size_t len, std::size_t T) {
    const std::size_t row = d.size();
    d.tokens.resize((row + 1) * T, 0);
    d.targets.resize((row + 1) * T, -1.f);  // TokenCrossEntropy's ignore id
    std::int32_t* x = d.tokens.data() + row * T;
    float* t = d.targets.data() + row * T;
    for (std::size_t k = 0; k < len; ++k) {
        x[k] = ids[s + k];
        t[k] = float(ids[s + k + 1]);
    }
    // Lengths only once a sample is short (the full ones before it get T).
    if (len < T || !d.lengths.empty()) {
        if (d.lengths.empty()) d.lengths.assign(row, std::uint32_t(T));
        d.lengths.push_back(std::uint32_t(len));
    }
}

inline void check_ids(std::span<const std::int32_t> ids, const std::string& what) {
    for (std::size_t i = 0; i < ids.size(); ++i)
        if (ids[i] < 0 || ids[i] >= (1 << 24))  // ids travel as floats: exact below 2^24
            throw std::invalid_argument(what + ": id " + std::to_string(ids[i]) + " at position " + std::to_string(i) +
                                        " is outside 0 to 2^24 - 1");
}
}  // namespace detail

TYPENET_INLINE CorpusSplit split_corpus(std::span<const std::int32_t> ids, double validation_fraction,
                                        double test_fraction) {
    if (!(validation_fraction >= 0 && test_fraction >= 0 && validation_fraction + test_fraction < 1))
        throw std::invalid_argument("split_corpus: fractions must be >= 0 and leave some for training, got validation " +
                                    std::to_string(validation_fraction) + " and test " + std::to_string(test_fraction));
    const std::size_t n = ids.size();
    const auto part = [&](double f) {
        if (f == 0) return std::size_t{0};
        return std::max<std::size_t>(1, std::size_t(std::floor(double(n) * f)));
    };
    const std::size_t nv = part(validation_fraction), nt = part(test_fraction);
    if (nv + nt >= n)
        throw std::invalid_argument("split_corpus: " + std::to_string(n) + " ids are too few for a training part");
    const std::size_t ntrain = n - nv - nt;
    CorpusSplit s;
    s.train.assign(ids.begin(), ids.begin() + std::ptrdiff_t(ntrain));
    s.validation.assign(ids.begin() + std::ptrdiff_t(ntrain), ids.begin() + std::ptrdiff_t(ntrain + nv));
    s.test.assign(ids.begin() + std::ptrdiff_t(ntrain + nv), ids.end());
    return s;
}

TYPENET_INLINE Dataset lm_windows(std::span<const std::int32_t> ids, std::size_t T, const WindowOptions& options) {
    const std::string& what = options.name;
    if (T == 0) throw std::invalid_argument(what + ": a window needs T >= 1");
    const std::size_t stride = options.stride ? options.stride : T;
    const std::size_t n = ids.size();
    if (n < options.offset + 2)
        throw std::invalid_argument(what + ": " + std::to_string(n) + " ids from offset " +
                                    std::to_string(options.offset) + " hold no (input, next id) pair");
    detail::check_ids(ids, what);
    Dataset d(what, T, T);
    const std::size_t whole = n - options.offset >= T + 1 ? (n - options.offset - T - 1) / stride + 1 : 0;
    d.tokens.reserve((whole + 1) * T);
    d.targets.reserve((whole + 1) * T);
    for (std::size_t k = 0; k < whole; ++k) detail::add_window(d, ids, options.offset + k * stride, T, T);
    if (options.tail) {
        // The first position no window predicted, p; its input is ids[p - 1].
        const std::size_t p = whole ? options.offset + (whole - 1) * stride + T + 1 : options.offset + 1;
        if (p < n) detail::add_window(d, ids, p - 1, std::min(T, n - p), T);
        // (stride > T leaves gaps between windows; only the end is filled.)
    }
    d.validate();
    return d;
}

TYPENET_INLINE Dataset lm_sliding_windows(std::span<const std::int32_t> ids, std::size_t T, std::size_t context,
                                          const std::string& name) {
    if (T == 0 || context >= T)
        throw std::invalid_argument(name + ": the overlap (" + std::to_string(context) +
                                    ") must be smaller than the window (" + std::to_string(T) + ")");
    const std::size_t n = ids.size();
    if (n < 2) throw std::invalid_argument(name + ": " + std::to_string(n) + " ids hold no (input, next id) pair");
    detail::check_ids(ids, name);
    Dataset d(name, T, T);
    const std::size_t stride = T - context;
    // Window k starts at k * stride; after the first, its new predictions are the
    // targets from position `context` on (ids s + context + 1 ...).
    for (std::size_t s = 0;; s += stride) {
        const std::size_t len = std::min(T, n - 1 - s);
        detail::add_window(d, ids, s, len, T);
        if (s > 0) std::fill_n(d.targets.data() + (d.size() - 1) * T, context, -1.f);
        if (s + T >= n - 1) break;  // this window reached the last id
    }
    d.validate();
    return d;
}

TYPENET_INLINE Dataset lm_streams(std::span<const std::int32_t> ids, std::size_t T, std::size_t batch, bool tail,
                                  const std::string& name) {
    if (T == 0 || batch == 0) throw std::invalid_argument(name + ": T and batch must be at least 1");
    const std::size_t n = ids.size();
    const std::size_t L = n > 0 ? (n - 1) / batch : 0;  // predictions per stream
    if (L == 0 || (!tail && L < T))
        throw std::invalid_argument(name + ": " + std::to_string(n) + " ids cannot fill " + std::to_string(batch) +
                                    " streams of " + (tail ? "1 prediction" : std::to_string(T) + " predictions"));
    detail::check_ids(ids, name);
    const std::size_t chunks = tail ? (L + T - 1) / T : L / T;
    Dataset d(name, T, T);
    d.tokens.reserve(chunks * batch * T);
    d.targets.reserve(chunks * batch * T);
    for (std::size_t k = 0; k < chunks; ++k)
        for (std::size_t b = 0; b < batch; ++b)
            // Stream b holds ids[b*L .. b*L + L] (its last id only as a target).
            detail::add_window(d, ids, b * L + k * T, std::min(T, L - k * T), T);
    d.validate();
    return d;
}

}  // namespace tn::data
