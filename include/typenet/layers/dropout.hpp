// Dropout<Num, Den = 100>: inverted dropout (Srivastava et al. 2014) with rate
// p = Num/Den. In training each value is zeroed with probability p and the others
// are scaled by 1/(1 - p), so every value keeps its expected size and evaluation is
// the identity (nothing to rescale at test time).
//
//   Dropout<50>   p = 0.5 (a percentage, since Den defaults to 100)
//   Dropout<1, 3> p = 1/3
//   Dropout<>     p = 0.5, PyTorch's default
//
// model.set_dropout_rate(0.3f) overrides every Dropout's rate at run time (carried
// in Pass::dropout_rate), so a hyperparameter search needs no new type per rate.
//
// The mask comes from the model's generator (Pass::rng): each forward seeds a vector
// of xoshiro256** streams from it, and each value gets 32 random bits compared with
// p 2^32, so the same seed gives the same masks. Forward keeps the mask in the cache
// as 0 or 1/(1 - p), so backward is one multiplication, dx = dy * mask.
#pragma once
#include <algorithm>
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "typenet/core/layer.hpp"
#include "typenet/core/options.hpp"
#include "typenet/kernels/simd.hpp"

namespace tn {

template <std::intmax_t Num = 50, std::intmax_t Den = 100>
struct Dropout;

namespace kernels {

// xoshiro256** (the algorithm of Rng) in every 64-bit lane of a vector: width / 2
// independent streams, seeded from a scalar generator. Random bits for masks come
// out a vector at a time, about 8x faster than drawing them one by one (Rng's
// serial state update is the bottleneck, not the comparisons).
class VectorXoshiro {
public:
    using bits = xsimd::batch<std::uint64_t, simd::arch>;

    explicit VectorXoshiro(Rng& seed_from) {
        alignas(64) std::uint64_t seed[4][bits::size];
        for (auto& word : seed)
            for (auto& lane : word) lane = seed_from.next_u64();
        s0_ = bits::load_aligned(seed[0]);
        s1_ = bits::load_aligned(seed[1]);
        s2_ = bits::load_aligned(seed[2]);
        s3_ = bits::load_aligned(seed[3]);
    }

    // 64 random bits per lane. No 64-bit vector multiply before AVX-512, so
    // s1 * 5 and r * 9 are written as shifts and adds (the same, modulo 2^64).
    bits next() {
        const bits r = rotl<7>(s1_ + (s1_ << 2));
        const bits result = r + (r << 3);
        const bits t = s1_ << 17;
        s2_ ^= s0_;
        s3_ ^= s1_;
        s1_ ^= s2_;
        s0_ ^= s3_;
        s2_ ^= t;
        s3_ = rotl<45>(s3_);
        return result;
    }

private:
    template <int K>
    static bits rotl(const bits& x) { return (x << K) | (x >> (64 - K)); }
    bits s0_, s1_, s2_, s3_;
};

// Inverted dropout of n values: mask[i] = 0 with probability rate, else
// 1/(1 - rate), and y = x * mask, in one pass. Each value's 32 random bits drop it
// when they fall below rate * 2^32 (compared as signed numbers after flipping the
// sign bit: AVX2 has no unsigned comparison).
inline void dropout_forward(Rng& rng, float rate, const float* x, float* mask, float* y, std::size_t n) {
    using ivec = xsimd::batch<std::int32_t, simd::arch>;
    static_assert(ivec::size == simd::width && VectorXoshiro::bits::size * 2 == simd::width);
    const auto threshold = static_cast<std::uint32_t>(std::min(double(rate) * 0x1.0p32, 0x1.0p32 - 1));
    const ivec sign(std::bit_cast<std::int32_t>(0x80000000u));
    const simd::vec limit24(float(std::bit_cast<std::int32_t>(threshold ^ 0x80000000u) >> 8));
    const simd::vec keep(1.f / (1.f - rate));
    VectorXoshiro bits(rng);
    simd::for_each_chunk(n, [&](std::size_t i, std::size_t c) {
        const ivec u = xsimd::bitwise_cast<ivec>(bits.next()) ^ sign;
        // Compared as floats, on the top 24 bits (exact in a float): xsimd 8.1's
        // integer select on AVX-512BW does not compile without optimisation (its blend
        // intrinsics are macros at -O0 that cannot take an xsimd batch). The rate is
        // thereby rounded to a multiple of 2^-24.
        const simd::vec m = xsimd::select(xsimd::to_float(u >> 8) >= limit24, keep, simd::vec(0.f));
        simd::store(mask + i, m, c);
        simd::store(y + i, simd::load(x + i, c) * m, c);
    });
}

// y = x * m
inline void multiply(const float* x, const float* m, float* y, std::size_t n) {
    simd::for_each_chunk(n, [&](std::size_t i, std::size_t c) {
        simd::store(y + i, simd::load(x + i, c) * simd::load(m + i, c), c);
    });
}

}  // namespace kernels

namespace detail {

// Dropout's rule: 0 <= Num/Den < 1 (at 1 every value would be dropped and the
// survivors' scale 1/(1 - p) is infinite).
template <class Spec, bool Ok>
constexpr auto check_dropout_rate() {
    static_assert(InvalidParameter<Spec, Ok>::ok,
                  "Dropout<Num, Den>: the rate Num/Den must be at least 0 and below 1 (Dropout<50> drops half)");
    return Ok;
}

template <class Spec, class In>
struct DropoutLayer {
    using rate_rule = decltype(check_dropout_rate<Spec, Spec::valid>());
    using input_shape = In;
    using output_shape = In;
    static constexpr std::size_t cache_size = In::size;  // the mask

    static std::string name() { return Spec::name(); }

    // The rate in force: the model's override, else the type's.
    static float rate(const Pass& p) { return p.dropout_rate >= 0.f ? p.dropout_rate : Spec::rate; }
    static bool active(const Pass& p) { return p.training && rate(p) > 0.f; }

    static void forward(const Pass& p, const float*, const float* x, float* y, float* mask, float*) {
        const std::size_t n = In::size * p.batch;
        if (!active(p)) {
            std::copy_n(x, n, y);
            return;
        }
        if (!p.rng) throw std::logic_error(Spec::name() + ": training needs a random generator (Pass::rng is null)");
        kernels::dropout_forward(*p.rng, rate(p), x, mask, y, n);
    }

    static void backward(const Pass& p, const float*, const float*, const float*, const float* dy, float* dx,
                         float*, const float* mask, float*) {
        if (!dx) return;
        const std::size_t n = In::size * p.batch;
        if (active(p)) kernels::multiply(dy, mask, dx, n);
        else std::copy_n(dy, n, dx);
    }
};

}  // namespace detail

template <std::intmax_t Num, std::intmax_t Den>
struct Dropout {
    static constexpr bool valid = Den > 0 && Num >= 0 && Num < Den;
    static constexpr float rate = valid ? float(Num) / float(Den) : 0.f;
    template <class In>
    using bind = detail::DropoutLayer<Dropout, In>;
    // As written: Dropout<50>, or Dropout<1, 3>.
    static std::string name() {
        return "Dropout<" + std::to_string(Num) + (Den == 100 ? "" : ", " + std::to_string(Den)) + ">";
    }
};

}  // namespace tn
