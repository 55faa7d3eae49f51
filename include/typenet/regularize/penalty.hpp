// Weight penalties (lesson 07): L1 and L2 terms added to the loss, and their
// gradients added to the weights' gradients.
//
//   Dense<256, L2<1, 10000>>                    one layer, in its type: l2 = 1/10000
//   model.set_regularization({.l2 = 1e-4f});     every weight of the model, at run time
//
// Keras's convention: L1 adds l1 * sum |w| to the loss and L2 adds l2 * sum w^2, so
// the gradient gains l1 * sign(w) + 2 l2 w. (SGD's weight_decay is PyTorch's and
// adds wd * w to the gradient: the same as L2 with l2 = wd / 2, but not in the loss.)
// A layer's own penalty and the model's add up. They apply to weights only, never
// to biases or normalisation scales: a layer names its penalised tensors through the
// protocol's for_each_weight (core/layer.hpp), and Model::add_penalty() does the rest.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "typenet/core/options.hpp"
#include "typenet/kernels/simd.hpp"

namespace tn {

// Penalty strengths: the model's (run time) and a layer's own (from its options).
struct Regularization {
    float l1 = 0.f;
    float l2 = 0.f;
    constexpr bool none() const { return l1 == 0.f && l2 == 0.f; }
};

// Layer options: l1 = Num/Den, l2 = Num/Den (ratios, because clang 14 takes no float
// template arguments). The defaults, 0.01, are Keras's.
// Num >= 0 and Den > 0, checked by the layer that takes them (check_penalty_options).
template <std::intmax_t Num = 1, std::intmax_t Den = 100>
struct L1 {
    static constexpr float value = Den > 0 ? float(Num) / float(Den) : 0.f;
};
template <std::intmax_t Num = 1, std::intmax_t Den = 100>
struct L2 {
    static constexpr float value = Den > 0 ? float(Num) / float(Den) : 0.f;
};
template <std::intmax_t N, std::intmax_t D> inline constexpr bool option_in_range<L1<N, D>> = N >= 0 && D > 0;
template <std::intmax_t N, std::intmax_t D> inline constexpr bool option_in_range<L2<N, D>> = N >= 0 && D > 0;

// The rule of a layer that takes L1<> and L2<> (Dense, Conv2D): Bad is the first
// option out of range, or void. Judged only when every option is known (`Known`).
template <class Spec, class Bad, bool Known>
constexpr auto check_penalty_options() {
    constexpr bool ok = std::is_void_v<Bad> || !Known;
    static_assert(OptionOutOfRange<Spec, Bad, ok>::ok,
                  "L1<Num, Den>, L2<Num, Den>: the strength Num/Den must be >= 0, with Den > 0");
    return ok;
}

// What one option adds: L1<> and L2<> their strength, anything else nothing.
template <class Option>
inline constexpr Regularization penalty_of_option{};
template <std::intmax_t N, std::intmax_t D>
inline constexpr Regularization penalty_of_option<L1<N, D>>{L1<N, D>::value, 0.f};
template <std::intmax_t N, std::intmax_t D>
inline constexpr Regularization penalty_of_option<L2<N, D>>{0.f, L2<N, D>::value};

template <class Option> inline constexpr bool is_penalty_option = false;
template <std::intmax_t N, std::intmax_t D> inline constexpr bool is_penalty_option<L1<N, D>> = true;
template <std::intmax_t N, std::intmax_t D> inline constexpr bool is_penalty_option<L2<N, D>> = true;

// The penalty a layer's options ask for.
template <class... Options>
inline constexpr Regularization penalty_of{(0.f + ... + penalty_of_option<Options>.l1),
                                           (0.f + ... + penalty_of_option<Options>.l2)};

namespace kernels {

// Over n weights w: returns l1 sum |w| + l2 sum w^2 and, when g is not null, adds its
// gradient l1 sign(w) + 2 l2 w to g (sign(0) = 0). The sums are taken in float
// vectors over blocks of 1024 and gathered in double, so their precision does not
// depend on how many weights there are.
inline double penalty(const float* w, float* g, std::size_t n, Regularization r) {
    const simd::vec l1(r.l1), two_l2(2.f * r.l2), one(1.f), zero(0.f);
    constexpr std::size_t block = 1024;
    double abs_sum = 0, square_sum = 0;
    for (std::size_t start = 0; start < n; start += block) {
        const std::size_t count = n - start < block ? n - start : block;
        simd::vec abs_acc(0.f), square_acc(0.f);
        simd::for_each_chunk(count, [&](std::size_t i, std::size_t c) {
            i += start;
            const simd::vec wv = simd::load(w + i, c);
            abs_acc += xsimd::abs(wv);
            square_acc = simd::fma(wv, wv, square_acc);
            if (g) {
                const simd::vec sign = xsimd::select(wv > zero, one, xsimd::select(wv < zero, -one, zero));
                simd::store(g + i, simd::load(g + i, c) + simd::fma(two_l2, wv, l1 * sign), c);
            }
        });
        abs_sum += double(xsimd::hadd(abs_acc));
        square_sum += double(xsimd::hadd(square_acc));
    }
    return double(r.l1) * abs_sum + double(r.l2) * square_sum;
}

}  // namespace kernels

}  // namespace tn
