// TransformerEncoderLayer<Heads, FF, Options...>: one block of the Transformer's
// encoder on a sequence [T, D], as PyTorch's
// nn.TransformerEncoderLayer(D, Heads, dim_feedforward=FF, batch_first=True):
//
//   post-norm (the default, the 2017 paper's and PyTorch's norm_first=False):
//       x = LayerNorm(x + Dropout(SelfAttention(x)))
//       x = LayerNorm(x + Dropout(FeedForward(x)))
//   PreNorm (norm_first=True; GPT-2's, trains deep stacks without warm-up):
//       x = x + Dropout(SelfAttention(LayerNorm(x)))
//       x = x + Dropout(FeedForward(LayerNorm(x)))
//   FeedForward(x) = Dense<D>(Dropout(Activation(Dense<FF>(x)))), per position.
//
// It *is* those layers: the block is written with Residual, LayerNorm,
// MultiHeadAttention, Dense and Dropout, so it computes, fuses (Dense + ReLU is one
// GEMM) and differentiates exactly as they do; this type only names the parameters
// as PyTorch does, so that a TransformerEncoderLayer's state_dict loads as it is:
//   self_attn.in_proj_weight, self_attn.in_proj_bias, self_attn.out_proj.weight,
//   self_attn.out_proj.bias, linear1.weight, linear1.bias, linear2.weight,
//   linear2.bias, norm1.weight, norm1.bias, norm2.weight, norm2.bias
// Stacks: Repeat<N, TransformerEncoderLayer<...>> names copy i's "i.self_attn...",
// as nn.TransformerEncoder's "layers.i.self_attn..." less its "layers." attribute.
//
// Options, in any order:
//   PreNorm                  LayerNorm before each sub-block (norm_first=True)
//   GELU                     the feed-forward's activation (default ReLU, as PyTorch)
//   GELUTanh                 or GELU's tanh approximation (GPT-2's gelu_new; the first
//                            of GELU and GELUTanh given counts, as BlockDropout's)
//   BlockDropout<Num, Den>   the rate of every dropout in the block (the three above
//                            and the attention probabilities'); default 10/100,
//                            PyTorch's 0.1; BlockDropout<0> for none
//   Causal                   the self-attention sees only earlier positions (a decoder-
//                            only model, lesson 40; PyTorch's causal src_mask)
//   KVCache<Context>         with Causal: the self-attention keeps its keys and values
//                            for generation one token at a time (multi_head_attention.hpp)
//   LoRA<Rank, Alpha>        a low-rank adapter on the self-attention's in_proj, for
//                            fine-tuning (layers/lora.hpp): self_attn.in_proj_lora_A/B
//
// Lengths: the attention never reads a padded position, and LayerNorm, Dense and the
// residual sums act per position, so padding changes nothing at real positions.
// Initialisation: typenet's own for each part (Dense: Glorot uniform, PyTorch's
// nn.Linear: U(+-1/sqrt(fan_in))); a checkpoint or state_dict replaces it.
#pragma once
#include <cstdint>
#include <string>
#include <type_traits>

#include "typenet/core/chain.hpp"
#include "typenet/core/errors.hpp"
#include "typenet/core/options.hpp"
#include "typenet/core/residual.hpp"
#include "typenet/layers/activations.hpp"
#include "typenet/layers/attention/multi_head_attention.hpp"
#include "typenet/layers/dense.hpp"
#include "typenet/layers/dropout.hpp"
#include "typenet/layers/layer_norm.hpp"
#include "typenet/layers/lora.hpp"

namespace tn {

struct PreNorm {
    static std::string name() { return "PreNorm"; }
};

template <std::intmax_t Num, std::intmax_t Den = 100>
struct BlockDropout {
    static constexpr bool valid = Den > 0 && Num >= 0 && Num < Den;
    static std::string name() {
        return "BlockDropout<" + std::to_string(Num) + (Den == 100 ? "" : ", " + std::to_string(Den)) + ">";
    }
};
template <std::intmax_t Num, std::intmax_t Den>
inline constexpr bool option_in_range<BlockDropout<Num, Den>> = BlockDropout<Num, Den>::valid;

template <std::size_t Heads, std::size_t FF, class... Options>
struct TransformerEncoderLayer;

namespace detail {

template <class Option> struct is_encoder_option : std::false_type {};
template <> struct is_encoder_option<PreNorm> : std::true_type {};
template <> struct is_encoder_option<GELU> : std::true_type {};
template <> struct is_encoder_option<GELUTanh> : std::true_type {};
template <> struct is_encoder_option<Causal> : std::true_type {};
template <std::size_t C> struct is_encoder_option<KVCache<C>> : std::true_type {};
template <std::size_t R, std::size_t A> struct is_encoder_option<LoRA<R, A>> : std::true_type {};
template <std::intmax_t N, std::intmax_t D> struct is_encoder_option<BlockDropout<N, D>> : std::true_type {};

template <class... Options> struct block_dropout_of { using type = BlockDropout<10>; };
template <class First, class... Rest> struct block_dropout_of<First, Rest...> : block_dropout_of<Rest...> {};
template <std::intmax_t N, std::intmax_t D, class... Rest>
struct block_dropout_of<BlockDropout<N, D>, Rest...> { using type = BlockDropout<N, D>; };

// The feed-forward's activation: the first GELU or GELUTanh among the options, ReLU
// without one.
template <class... Options> struct encoder_activation_of { using type = ReLU; };
template <class First, class... Rest> struct encoder_activation_of<First, Rest...> : encoder_activation_of<Rest...> {};
template <class... Rest> struct encoder_activation_of<GELU, Rest...> { using type = GELU; };
template <class... Rest> struct encoder_activation_of<GELUTanh, Rest...> { using type = GELUTanh; };

template <class Spec, class Unknown, bool Ok>
constexpr auto check_encoder_options() {
    static_assert(UnknownOption<Spec, Unknown, Ok>::ok,
                  "TransformerEncoderLayer: unknown option; it takes PreNorm, GELU, GELUTanh, BlockDropout<N, D>, "
                  "Causal, KVCache<Context> and LoRA<Rank, Alpha>");
    return Ok;
}
template <class Spec, class OutOfRange, bool Ok>
constexpr auto check_encoder_ranges() {
    static_assert(OptionOutOfRange<Spec, OutOfRange, Ok>::ok,
                  "TransformerEncoderLayer: BlockDropout<N, D>'s rate N/D must be at least 0 and below 1");
    return Ok;
}
template <class Spec, bool Ok>
constexpr auto check_encoder_feed_forward() {
    static_assert(ZeroSizedLayer<Spec, Ok>::ok, "TransformerEncoderLayer<Heads, FF>: FF, the feed-forward width, must be at least 1");
    return Ok;
}

// The block's self-attention: its heads, then Causal, the block's dropout rate,
// KVCache<Context> (Context 0: none) and LoRA<Rank, Alpha> (Rank 0: none) passed on,
// in that order (the order its name shows).
template <class Attention, class Option, bool Add> struct with_option { using type = Attention; };
template <std::size_t H, class... Options, class Option>
struct with_option<MultiHeadAttention<H, Options...>, Option, true> {
    using type = MultiHeadAttention<H, Options..., Option>;
};
template <std::size_t H, class Rate, bool IsCausal, std::size_t Context, class Adapter>
struct encoder_attention;
template <std::size_t H, std::intmax_t N, std::intmax_t M, bool IsCausal, std::size_t Context, class Adapter>
struct encoder_attention<H, BlockDropout<N, M>, IsCausal, Context, Adapter> {
    using causal = typename with_option<MultiHeadAttention<H>, Causal, IsCausal>::type;
    using dropped = typename with_option<causal, AttentionDropout<N, M>, true>::type;
    using cached = typename with_option<dropped, KVCache<Context>, (Context > 0)>::type;
    using type = typename with_option<cached, Adapter, !std::is_void_v<Adapter>>::type;
};


// The block as layers, and where PyTorch's names sit in it ("0.1." is child 1 of
// child 0 of the chain).
template <std::size_t FF, std::size_t D, bool Pre, class Act, class Rate, class Attention>
struct encoder_parts;
template <std::size_t FF, std::size_t D, class Act, std::intmax_t N, std::intmax_t M, class Attention>
struct encoder_parts<FF, D, false, Act, BlockDropout<N, M>, Attention> {
    template <class In>
    using chain = chain_of<In, Residual<Attention, Dropout<N, M>>, LayerNorm<>,
                           Residual<Dense<FF>, Act, Dropout<N, M>, Dense<D>, Dropout<N, M>>, LayerNorm<>>;
    static constexpr const char* renames[][2] = {
        {"0.0.", "self_attn."}, {"1.", "norm1."}, {"2.0.", "linear1."}, {"2.3.", "linear2."}, {"3.", "norm2."}};
};
template <std::size_t FF, std::size_t D, class Act, std::intmax_t N, std::intmax_t M, class Attention>
struct encoder_parts<FF, D, true, Act, BlockDropout<N, M>, Attention> {
    template <class In>
    using chain = chain_of<In, Residual<LayerNorm<>, Attention, Dropout<N, M>>,
                           Residual<LayerNorm<>, Dense<FF>, Act, Dropout<N, M>, Dense<D>, Dropout<N, M>>>;
    static constexpr const char* renames[][2] = {
        {"0.0.", "norm1."}, {"0.1.", "self_attn."}, {"1.0.", "norm2."}, {"1.1.", "linear1."}, {"1.4.", "linear2."}};
};

// The chain's tensor names ("2.0.weight") turned into PyTorch's ("linear1.weight").
template <class Parts, class F>
struct EncoderNames {
    F* f;
    template <class Shape>
    void operator()(const std::string& name, std::size_t offset, Shape&& shape) const {
        for (const auto& r : Parts::renames) {
            const std::string from = r[0];
            if (name.compare(0, from.size(), from) == 0) {
                (*f)(r[1] + name.substr(from.size()), offset, std::forward<Shape>(shape));
                return;
            }
        }
        (*f)(name, offset, std::forward<Shape>(shape));
    }
};

// Before the block is bound: the options and FF are judged first, then the chain
// (whose own layers judge the input's shape and the heads), one error at a time.
// A rate out of range is reported once, by this layer: its parts are then built
// with no dropout, so that the Dropout layers inside do not report it again.
template <class Rate> struct sane_dropout { using type = std::conditional_t<Rate::valid, Rate, BlockDropout<0>>; };

template <class Spec, std::size_t H>
using encoder_attention_t =
    typename encoder_attention<H, typename sane_dropout<typename Spec::dropout>::type, Spec::causal,
                               Spec::kv_context, typename Spec::adapter>::type;
template <class Spec, class In, std::size_t H, std::size_t FF>
using encoder_parts_t = encoder_parts<FF, (In::rank == 2 ? In::dims[1] : 1), Spec::pre_norm, typename Spec::activation,
                                      typename sane_dropout<typename Spec::dropout>::type, encoder_attention_t<Spec, H>>;

template <class Spec, class In, std::size_t H, std::size_t FF>
struct EncoderLayerBound : encoder_parts_t<Spec, In, H, FF>::template chain<In> {
    using parts = encoder_parts_t<Spec, In, H, FF>;
    using inner = typename parts::template chain<In>;
    using option_rule = decltype(check_encoder_options<Spec, typename Spec::unknown_option,
                                                       std::is_void_v<typename Spec::unknown_option>>());
    using range_rule = decltype(check_encoder_ranges<Spec, typename Spec::out_of_range_option,
                                                     std::is_void_v<typename Spec::out_of_range_option>>());
    using ff_rule = decltype(check_encoder_feed_forward<Spec, (FF > 0)>());

    static std::string name() { return Spec::name(); }
    static void summarize(std::vector<SummaryRow>& rows, int depth) {
        rows.push_back({depth, name(), shape_string<typename inner::output_shape>(), inner::param_count});
    }
    template <class F>
    static void for_each_param(F&& f) {
        inner::for_each_param(EncoderNames<parts, std::remove_reference_t<F>>{&f});
    }
};

}  // namespace detail

template <std::size_t Heads, std::size_t FF, class... Options>
struct TransformerEncoderLayer {
    static constexpr bool pre_norm = (std::is_same_v<Options, PreNorm> || ...);
    static constexpr bool causal = (std::is_same_v<Options, Causal> || ...);
    static constexpr std::size_t kv_context = detail::kv_cache_context<Options...>::value;
    using activation = typename detail::encoder_activation_of<Options...>::type;
    using dropout = typename detail::block_dropout_of<Options...>::type;
    using adapter = typename detail::lora_of<Options...>::type;  // LoRA<R, A>, or void
    using unknown_option = first_unknown_option_t<detail::is_encoder_option, Options...>;
    using out_of_range_option = first_out_of_range_option_t<Options...>;
    template <class In>
    using bind = detail::EncoderLayerBound<TransformerEncoderLayer, In, Heads, FF>;
    static std::string name() {
        return "TransformerEncoderLayer<" + std::to_string(Heads) + ", " + std::to_string(FF) +
               (std::string() + ... + (", " + Options::name())) + ">";
    }
};

}  // namespace tn
