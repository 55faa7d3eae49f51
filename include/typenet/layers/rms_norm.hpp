// RMSNorm<Options...>: root-mean-square normalisation (Zhang & Sennrich 2019), over the
// last axis, each position on its own, as LLaMA and PyTorch 2.4's nn.RMSNorm:
//   y = x / sqrt(mean(x^2) + eps) * weight                 mean over the D features
//
// LayerNorm without the centring and without a bias: one statistic per position
// instead of two, and the mean's gradient term disappears. Inputs [D] or [T, D], as
// LayerNorm (layers/layer_norm.hpp), whose engine it is; padded positions likewise
// give 0 and a zero input gradient.
//
// Parameter: `weight` [D], initialised to 1 (nn.RMSNorm's name).
//
// Options:
//   Epsilon<Num, Den>  default 1/8388608 = 2^-23, float32's machine epsilon: what
//                      nn.RMSNorm uses when eps=None (its default). LLaMA uses 1e-6:
//                      RMSNorm<Epsilon<1, 1000000>>.
//   NoAffine           no weight (elementwise_affine=False)
#pragma once
#include <string>

#include "typenet/layers/layer_norm.hpp"

namespace tn {

template <class... Options>
struct RMSNorm {
    static constexpr bool affine = !detail::has_no_affine<Options...>;
    static constexpr double epsilon = detail::epsilon_of<Options...>(1.0 / 8388608.0);
    using unknown_option = first_unknown_option_t<detail::is_row_norm_option, Options...>;
    using out_of_range_option = detail::out_of_range_epsilon_t<Options...>;
    template <class In>
    using bind = detail::RowNormLayer<RMSNorm, In, false, affine, false>;
    static std::string name() { return "RMSNorm<" + detail::row_norm_options_name<Options...>() + ">"; }
};

}  // namespace tn
