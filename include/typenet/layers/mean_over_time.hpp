// MeanOverTime: a sequence [T, D] to one vector [D], the mean over each sample's
// real positions (Pass::lengths; all T without them). Sequence classification from
// every position, where the last state alone would forget the start (lesson 30).
#pragma once
#include <algorithm>
#include <string>

#include "typenet/core/errors.hpp"
#include "typenet/core/layer.hpp"

namespace tn {

struct MeanOverTime;

namespace detail {
template <class In, bool Ok>
constexpr auto check_mean_over_time_input() {
    static_assert(NeedsSequence<MeanOverTime, typename got_of<In>::type, Ok>::ok,
                  "MeanOverTime: its input must be a sequence [T, D] (rank 2)");
    return Ok;
}

template <class In>
struct MeanOverTimeLayer {
    static constexpr bool is_sequence = In::rank == 2;
    using input_rule = decltype(check_mean_over_time_input<In, is_sequence>());
    static constexpr std::size_t T = In::dims[0];
    static constexpr std::size_t D = is_sequence ? In::dims[1] : 1;
    using input_shape = In;
    using output_shape = checked_shape_t<is_sequence, Shape<D>>;
    static std::string name() { return "MeanOverTime"; }

    static void forward(const Pass& p, const float*, const float* x, float* y, float*, float*) {
        for (std::size_t b = 0; b < p.batch; ++b) {
            const std::size_t length = length_of(p, b, T);
            float* out = y + b * D;
            std::fill_n(out, D, 0.f);
            for (std::size_t t = 0; t < length; ++t) {
                const float* row = x + (b * T + t) * D;
                for (std::size_t k = 0; k < D; ++k) out[k] += row[k];
            }
            const float inv = 1.f / float(length);
            for (std::size_t k = 0; k < D; ++k) out[k] *= inv;
        }
    }
    // Each real position gets dy / length; padding gets zero.
    static void backward(const Pass& p, const float*, const float*, const float*, const float* dy, float* dx, float*,
                         const float*, float*) {
        if (!dx) return;
        for (std::size_t b = 0; b < p.batch; ++b) {
            const std::size_t length = length_of(p, b, T);
            const float inv = 1.f / float(length);
            for (std::size_t t = 0; t < T; ++t) {
                float* row = dx + (b * T + t) * D;
                if (t >= length) {
                    std::fill_n(row, D, 0.f);
                    continue;
                }
                for (std::size_t k = 0; k < D; ++k) row[k] = dy[b * D + k] * inv;
            }
        }
    }
};
}  // namespace detail

struct MeanOverTime {
    template <class In>
    using bind = detail::MeanOverTimeLayer<In>;
};

}  // namespace tn
