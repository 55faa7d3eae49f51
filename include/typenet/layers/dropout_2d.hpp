// Dropout2D<Num, Den = 100>: channel dropout (Tompson et al. 2015), PyTorch's
// nn.Dropout2d. On an image [C, H, W], each channel of each sample is zeroed whole
// with probability p = Num/Den, and the channels kept are scaled by 1/(1 - p)
// (inverted dropout: evaluation is the identity). Neighbouring pixels of a feature
// map are strongly correlated, so dropping single values (Dropout) hardly removes
// information there; dropping whole maps does.
//
//   Dropout2D<20>     p = 0.2 (a percentage)
//   Dropout2D<1, 3>   p = 1/3
//
// As Dropout: model.set_dropout_rate overrides the rate (Pass::dropout_rate), and the
// masks come from the model's generator (Pass::rng), one 32-bit draw per channel and
// sample compared with p 2^32, so a seed fixes them. The cache keeps the mask per
// channel, 0 or 1/(1 - p).
#pragma once
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "typenet/core/errors.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/options.hpp"
#include "typenet/kernels/simd.hpp"

namespace tn {

namespace detail {

template <class Spec, bool Ok>
constexpr auto check_dropout_2d_rate() {
    static_assert(InvalidParameter<Spec, Ok>::ok,
                  "Dropout2D<Num, Den>: the rate Num/Den must be at least 0 and below 1 (Dropout2D<20> drops 1 in 5)");
    return Ok;
}
template <class Spec, class In, bool Ok>
constexpr auto check_dropout_2d_input() {
    static_assert(RankMismatch<Spec, Rank<3>, typename got_of<In>::type, Ok>::ok,
                  "Dropout2D: input must be an image [channels, height, width] (rank 3); use Dropout otherwise");
    return Ok;
}

template <class Spec, class In>
struct Dropout2DLayer {
    static constexpr bool rank_ok = In::rank == 3;
    using rate_rule = decltype(check_dropout_2d_rate<Spec, Spec::valid>());
    using rank_rule = decltype(check_dropout_2d_input<Spec, In, rank_ok || !Spec::valid>());
    static constexpr bool valid = rank_ok && Spec::valid;
    static constexpr std::size_t channels = valid ? In::dims[0] : 1;
    static constexpr std::size_t plane = valid ? In::size / channels : 1;

    using input_shape = In;
    using output_shape = checked_shape_t<valid, In>;
    static constexpr std::size_t cache_size = channels;  // the mask, per channel

    static std::string name() { return Spec::name(); }
    static float rate(const Pass& p) { return p.dropout_rate >= 0.f ? p.dropout_rate : Spec::rate; }
    static bool active(const Pass& p) { return p.training && rate(p) > 0.f; }

    static void forward(const Pass& p, const float*, const float* x, float* y, float* mask, float*) {
        const std::size_t maps = p.batch * channels;
        if (!active(p)) {
            std::copy_n(x, maps * plane, y);
            return;
        }
        if (!p.rng) throw std::logic_error(Spec::name() + ": training needs a random generator (Pass::rng is null)");
        const float r = rate(p);
        const auto threshold = static_cast<std::uint64_t>(std::min(double(r) * 0x1.0p32, 0x1.0p32 - 1));
        const float keep = 1.f / (1.f - r);
        for (std::size_t m = 0; m < maps; ++m) mask[m] = (p.rng->next_u64() >> 32) < threshold ? 0.f : keep;
        scale_maps(x, mask, y, maps);
    }

    static void backward(const Pass& p, const float*, const float*, const float*, const float* dy, float* dx,
                         float*, const float* mask, float*) {
        if (!dx) return;
        if (active(p)) scale_maps(dy, mask, dx, p.batch * channels);
        else std::copy_n(dy, p.batch * channels * plane, dx);
    }

private:
    // out = in * mask[map], map by map.
    static void scale_maps(const float* in, const float* mask, float* out, std::size_t maps) {
        for (std::size_t m = 0; m < maps; ++m) {
            const simd::vec factor(mask[m]);
            const std::size_t start = m * plane;
            simd::for_each_chunk(plane, [&](std::size_t i, std::size_t c) {
                simd::store(out + start + i, simd::load(in + start + i, c) * factor, c);
            });
        }
    }
};

}  // namespace detail

template <std::intmax_t Num = 50, std::intmax_t Den = 100>
struct Dropout2D {
    static constexpr bool valid = Den > 0 && Num >= 0 && Num < Den;
    static constexpr float rate = valid ? float(Num) / float(Den) : 0.f;
    template <class In>
    using bind = detail::Dropout2DLayer<Dropout2D, In>;
    static std::string name() {
        return "Dropout2D<" + std::to_string(Num) + (Den == 100 ? "" : ", " + std::to_string(Den)) + ">";
    }
};

}  // namespace tn
