// Weight initialisation schemes, chosen per layer in the type:
//   Dense<256, Init<HeNormal>>      Dense<10, Init<XavierUniform>, NoBias>
//   Dense<64, BiasInit<Constant<1, 100>>>   (biases: Zeros unless told)
// Each scheme fills a weight tensor given its fan-in and fan-out:
//   static void fill(float* w, std::size_t n, std::size_t fan_in, std::size_t fan_out, Rng&);
//   static constexpr double variance(std::size_t fan_in, std::size_t fan_out);  // what it promises
// The variances are the point (lesson 09): Xavier/Glorot keeps the signal's variance
// through tanh/sigmoid layers, He through ReLU layers, LeCun through SELU layers.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "typenet/core/rng.hpp"

namespace tn {

namespace detail {
inline void fill_uniform(float* w, std::size_t n, double limit, Rng& rng) {
    for (std::size_t i = 0; i < n; ++i) w[i] = rng.uniform(float(-limit), float(limit));
}
inline void fill_normal(float* w, std::size_t n, double stddev, Rng& rng) {
    for (std::size_t i = 0; i < n; ++i) w[i] = rng.normal(0.f, float(stddev));
}
}  // namespace detail

struct Zeros {
    static std::string name() { return "Zeros"; }
    static void fill(float* w, std::size_t n, std::size_t, std::size_t, Rng&) {
        for (std::size_t i = 0; i < n; ++i) w[i] = 0.f;
    }
    static constexpr double variance(std::size_t, std::size_t) { return 0; }
};

// Every weight = Num/Den (a ratio: clang 14 takes no float template arguments).
template <std::intmax_t Num, std::intmax_t Den = 1>
struct Constant {
    static std::string name() { return "Constant"; }
    static void fill(float* w, std::size_t n, std::size_t, std::size_t, Rng&) {
        for (std::size_t i = 0; i < n; ++i) w[i] = float(Num) / float(Den);
    }
    static constexpr double variance(std::size_t, std::size_t) { return 0; }
};

// U(-a, a) with a = Num/Den.
template <std::intmax_t Num = 5, std::intmax_t Den = 100>
struct Uniform {
    static constexpr double limit = double(Num) / double(Den);
    static std::string name() { return "Uniform"; }
    static void fill(float* w, std::size_t n, std::size_t, std::size_t, Rng& rng) {
        detail::fill_uniform(w, n, limit, rng);
    }
    static constexpr double variance(std::size_t, std::size_t) { return limit * limit / 3; }
};

// N(0, s^2) with s = Num/Den.
template <std::intmax_t Num = 5, std::intmax_t Den = 100>
struct Normal {
    static constexpr double stddev = double(Num) / double(Den);
    static std::string name() { return "Normal"; }
    static void fill(float* w, std::size_t n, std::size_t, std::size_t, Rng& rng) {
        detail::fill_normal(w, n, stddev, rng);
    }
    static constexpr double variance(std::size_t, std::size_t) { return stddev * stddev; }
};

// Schemes defined by a target variance; uniform draws use limit = sqrt(3 var).
namespace detail {
template <class Self>
struct VarianceScaling {
    static void fill(float* w, std::size_t n, std::size_t fan_in, std::size_t fan_out, Rng& rng) {
        const double var = Self::variance(fan_in, fan_out);
        if constexpr (Self::uniform) fill_uniform(w, n, std::sqrt(3 * var), rng);
        else fill_normal(w, n, std::sqrt(var), rng);
    }
};
}  // namespace detail

// Glorot & Bengio 2010: var = 2 / (fan_in + fan_out).
struct XavierUniform : detail::VarianceScaling<XavierUniform> {
    static constexpr bool uniform = true;
    static std::string name() { return "XavierUniform"; }
    static constexpr double variance(std::size_t in, std::size_t out) { return 2.0 / double(in + out); }
};
struct XavierNormal : detail::VarianceScaling<XavierNormal> {
    static constexpr bool uniform = false;
    static std::string name() { return "XavierNormal"; }
    static constexpr double variance(std::size_t in, std::size_t out) { return 2.0 / double(in + out); }
};
// He et al. 2015: var = 2 / fan_in, for ReLU.
struct HeUniform : detail::VarianceScaling<HeUniform> {
    static constexpr bool uniform = true;
    static std::string name() { return "HeUniform"; }
    static constexpr double variance(std::size_t in, std::size_t) { return 2.0 / double(in); }
};
struct HeNormal : detail::VarianceScaling<HeNormal> {
    static constexpr bool uniform = false;
    static std::string name() { return "HeNormal"; }
    static constexpr double variance(std::size_t in, std::size_t) { return 2.0 / double(in); }
};
// LeCun 1998: var = 1 / fan_in, for SELU's self-normalisation.
struct LeCunNormal : detail::VarianceScaling<LeCunNormal> {
    static constexpr bool uniform = false;
    static std::string name() { return "LeCunNormal"; }
    static constexpr double variance(std::size_t in, std::size_t) { return 1.0 / double(in); }
};
struct LeCunUniform : detail::VarianceScaling<LeCunUniform> {
    static constexpr bool uniform = true;
    static std::string name() { return "LeCunUniform"; }
    static constexpr double variance(std::size_t in, std::size_t) { return 1.0 / double(in); }
};

// Short names, as Keras spells them.
using Glorot = XavierUniform;
using Xavier = XavierUniform;
using He = HeNormal;
using LeCun = LeCunNormal;

// The layer option: Dense<256, Init<He>>.
template <class Scheme>
struct Init {
    using scheme = Scheme;
};

// The scheme named among a layer's options, or Default when none is.
template <class Default, class... Options>
struct init_scheme {
    using type = Default;
};
template <class Default, class S, class... Rest>
struct init_scheme<Default, Init<S>, Rest...> {
    using type = S;
};
template <class Default, class First, class... Rest>
struct init_scheme<Default, First, Rest...> : init_scheme<Default, Rest...> {};

// The option for biases: Dense<10, BiasInit<Constant<1, 10>>> (layers default to Zeros).
// The scheme gets the layer's fan-in and fan-out, as for its weights.
template <class Scheme>
struct BiasInit {
    using scheme = Scheme;
};

template <class Default, class... Options>
struct bias_init_scheme {
    using type = Default;
};
template <class Default, class S, class... Rest>
struct bias_init_scheme<Default, BiasInit<S>, Rest...> {
    using type = S;
};
template <class Default, class First, class... Rest>
struct bias_init_scheme<Default, First, Rest...> : bias_init_scheme<Default, Rest...> {};

}  // namespace tn
