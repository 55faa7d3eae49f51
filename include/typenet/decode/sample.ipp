// The bodies of decode/sample.hpp: inline in a header-only build, compiled once
// into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cmath>
#include <numeric>

#include "typenet/decode/sample.hpp"

namespace tn {

namespace detail {
inline void check_logits(std::span<const float> logits, const SampleOptions& options) {
    if (logits.empty()) throw std::invalid_argument("sample: no logits to choose from");
    if (!(options.temperature >= 0) || std::isinf(options.temperature))
        throw std::invalid_argument("sample: temperature must be finite and >= 0, got " +
                                    std::to_string(options.temperature));
    if (!(options.top_p > 0.f && options.top_p <= 1.f))
        throw std::invalid_argument("sample: top_p must be in (0, 1], got " + std::to_string(options.top_p));
    for (std::size_t i = 0; i < logits.size(); ++i)
        if (std::isnan(logits[i])) throw std::invalid_argument("sample: logit " + std::to_string(i) + " is NaN");
}

// The ids sample() chooses among, and exp((z - max) / T) for each (unnormalised).
// Doubles: at a low temperature the weights span many orders of magnitude.
inline void sampling_weights(std::span<const float> logits, const SampleOptions& options,
                             std::vector<std::int32_t>& ids, std::vector<double>& weights) {
    const std::size_t n = logits.size();
    ids.resize(n);
    std::iota(ids.begin(), ids.end(), 0);
    if (options.top_k && options.top_k < n) {
        // The k largest, ties to the lower id, kept in id order so the draw does not
        // depend on how the partition left them.
        const auto before = [&](std::int32_t a, std::int32_t b) {
            return logits[std::size_t(a)] != logits[std::size_t(b)] ? logits[std::size_t(a)] > logits[std::size_t(b)]
                                                                    : a < b;
        };
        std::nth_element(ids.begin(), ids.begin() + std::ptrdiff_t(options.top_k - 1), ids.end(), before);
        ids.resize(options.top_k);
        std::sort(ids.begin(), ids.end());
    }
    float m = logits[std::size_t(ids[0])];
    for (const std::int32_t i : ids) m = std::max(m, logits[std::size_t(i)]);
    weights.resize(ids.size());
    const double inv_t = 1.0 / double(options.temperature);
    for (std::size_t k = 0; k < ids.size(); ++k) {
        const double z = double(logits[std::size_t(ids[k])]) - double(m);
        // -inf logits (masked ids) get weight 0; the max gets 1 even if it is +inf.
        weights[k] = logits[std::size_t(ids[k])] == m ? 1.0 : std::exp(z * inv_t);
    }
    if (options.top_p < 1.f) {
        // The smallest set of the most probable ids (ties to the lower id) whose
        // probability reaches top_p; then back in id order, as top_k leaves them.
        std::vector<std::size_t> order(ids.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return weights[a] != weights[b] ? weights[a] > weights[b] : ids[a] < ids[b];
        });
        double total = 0;
        for (const double w : weights) total += w;
        const double wanted = double(options.top_p) * total;
        std::size_t kept = 0;
        for (double cumulative = 0; kept < order.size() && cumulative < wanted; ++kept) cumulative += weights[order[kept]];
        order.resize(std::max<std::size_t>(kept, 1));
        std::sort(order.begin(), order.end());
        std::vector<std::int32_t> kept_ids(order.size());
        std::vector<double> kept_weights(order.size());
        for (std::size_t k = 0; k < order.size(); ++k) {
            kept_ids[k] = ids[order[k]];
            kept_weights[k] = weights[order[k]];
        }
        ids = std::move(kept_ids);
        weights = std::move(kept_weights);
    }
}
}  // namespace detail

TYPENET_INLINE std::int32_t argmax(std::span<const float> logits) {
    detail::check_logits(logits, {});
    return std::int32_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

TYPENET_INLINE std::int32_t sample(std::span<const float> logits, const SampleOptions& options, Rng& rng) {
    detail::check_logits(logits, options);
    if (options.temperature == 0) return argmax(logits);
    // Reused between calls on one thread: generation samples once per token.
    thread_local std::vector<std::int32_t> ids;
    thread_local std::vector<double> weights;
    detail::sampling_weights(logits, options, ids, weights);
    double total = 0;
    for (const double w : weights) total += w;
    const double u = double(rng.uniform()) * total;
    double cumulative = 0;
    for (std::size_t k = 0; k < ids.size(); ++k) {
        cumulative += weights[k];
        if (u < cumulative) return ids[k];
    }
    // Rounding can leave u at the very top: the last id with any weight.
    for (std::size_t k = ids.size(); k-- > 0;)
        if (weights[k] > 0) return ids[k];
    return ids.back();
}

TYPENET_INLINE std::vector<double> sample_probabilities(std::span<const float> logits, const SampleOptions& options) {
    detail::check_logits(logits, options);
    std::vector<double> p(logits.size(), 0.0);
    if (options.temperature == 0) {
        p[std::size_t(argmax(logits))] = 1.0;
        return p;
    }
    std::vector<std::int32_t> ids;
    std::vector<double> weights;
    detail::sampling_weights(logits, options, ids, weights);
    double total = 0;
    for (const double w : weights) total += w;
    for (std::size_t k = 0; k < ids.size(); ++k) p[std::size_t(ids[k])] = weights[k] / total;
    return p;
}

}  // namespace tn
