// TransformerDecoderLayer<Heads, FF, Options...>: one block of the Transformer's
// decoder on the target sequence x [T, D], attending over the encoder's output (the
// memory [S, D]), as PyTorch's
// nn.TransformerDecoderLayer(D, Heads, dim_feedforward=FF, batch_first=True) called
// as layer(x, memory, tgt_mask = causal, tgt_key_padding_mask, memory_key_padding_mask):
//
//   post-norm (the default, norm_first=False):
//       x = LayerNorm(x + Dropout(CausalSelfAttention(x)))
//       x = LayerNorm(x + Dropout(CrossAttention(x, memory)))
//       x = LayerNorm(x + Dropout(FeedForward(x)))
//   PreNorm (norm_first=True):
//       x = x + Dropout(CausalSelfAttention(LayerNorm(x)))
//       x = x + Dropout(CrossAttention(LayerNorm(x), memory))
//       x = x + Dropout(FeedForward(LayerNorm(x)))
//   FeedForward(x) = Dense<D>(Dropout(Activation(Dense<FF>(x)))), per position.
//
// The self-attention is always causal: position t of the target sees positions <= t
// only, so that teacher forcing trains each position to predict the next token from
// the tokens before it, which is all that decoding one token at a time will have.
//
// As TransformerEncoderLayer, it *is* its parts (Residual, LayerNorm,
// MultiHeadAttention<H, Causal>, CrossAttention, Dense, Dropout) and only names the
// parameters as PyTorch does, so that a state_dict loads as it is:
//   self_attn.{in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias},
//   multihead_attn.{in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias},
//   linear1.{weight, bias}, linear2.{weight, bias}, norm1/2/3.{weight, bias}
// Stacks: Repeat<N, TransformerDecoderLayer<...>> hands the memory to every copy, and
// every copy's backward adds its part into the one memory gradient.
//
// Options, in any order: PreNorm, GELU (the feed-forward's activation; default ReLU),
// BlockDropout<Num, Den> (every dropout's rate, the attention probabilities'
// included; default 10/100 as PyTorch; BlockDropout<0> for none).
//
// Rules: it reads memory, so it binds only inside the decoder of an EncoderDecoder
// (elsewhere: NeedsMemory); a memory whose width is not the decoder's is
// MemoryWidthMismatch<TransformerDecoderLayer<...>, QueryWidth<D>, MemoryWidth<D'>>,
// judged here before the block's parts are bound; Heads must divide D.
//
// Decoding step by step (core/encoder_decoder_session.hpp): the layer keeps no state
// (state_size 0), so the session reruns the decoder over the whole prefix at every
// step: right, because the self-attention is causal, but O(T^2) projections per
// sequence. A KV cache would make it O(T): the keys and values of the earlier
// positions kept in Pass::state, one position projected per step; and the memory's
// keys and values, which do not change while decoding, projected once.
#pragma once
#include <string>
#include <type_traits>

#include "typenet/core/chain.hpp"
#include "typenet/core/errors.hpp"
#include "typenet/core/options.hpp"
#include "typenet/core/residual.hpp"
#include "typenet/layers/activations.hpp"
#include "typenet/layers/attention/cross_attention.hpp"
#include "typenet/layers/attention/multi_head_attention.hpp"
#include "typenet/layers/dense.hpp"
#include "typenet/layers/dropout.hpp"
#include "typenet/layers/layer_norm.hpp"
#include "typenet/layers/transformer/encoder_layer.hpp"  // PreNorm, BlockDropout, the renaming

namespace tn {

template <std::size_t Heads, std::size_t FF, class... Options>
struct TransformerDecoderLayer;

namespace detail {

template <class Option> struct is_decoder_option : std::false_type {};
template <> struct is_decoder_option<PreNorm> : std::true_type {};
template <> struct is_decoder_option<GELU> : std::true_type {};
template <std::intmax_t N, std::intmax_t D> struct is_decoder_option<BlockDropout<N, D>> : std::true_type {};

template <class Spec, class Unknown, bool Ok>
constexpr auto check_decoder_options() {
    static_assert(UnknownOption<Spec, Unknown, Ok>::ok,
                  "TransformerDecoderLayer: unknown option; it takes PreNorm, GELU and BlockDropout<N, D>");
    return Ok;
}
template <class Spec, class OutOfRange, bool Ok>
constexpr auto check_decoder_ranges() {
    static_assert(OptionOutOfRange<Spec, OutOfRange, Ok>::ok,
                  "TransformerDecoderLayer: BlockDropout<N, D>'s rate N/D must be at least 0 and below 1");
    return Ok;
}
template <class Spec, bool Ok>
constexpr auto check_decoder_feed_forward() {
    static_assert(ZeroSizedLayer<Spec, Ok>::ok,
                  "TransformerDecoderLayer<Heads, FF>: FF, the feed-forward width, must be at least 1");
    return Ok;
}
template <class Spec, class In, bool Ok>
constexpr auto check_decoder_input() {
    static_assert(NeedsSequence<Spec, typename got_of<In>::type, Ok>::ok,
                  "TransformerDecoderLayer reads the target sequence [T, D] (rank 2); start the decoder with "
                  "Tokens<T> and Embedding<V, D>");
    return Ok;
}
template <class Spec, class Memory, bool Ok>
constexpr auto check_decoder_memory() {
    static_assert(MemoryNotSequence<Spec, typename got_of<Memory>::type, Ok>::ok,
                  "TransformerDecoderLayer attends over a memory [S, D] (rank 2: S source positions); the "
                  "encoder must return a sequence");
    return Ok;
}
template <class Spec, std::size_t D, std::size_t Dm, bool Ok>
constexpr auto check_decoder_widths() {
    static_assert(MemoryWidthMismatch<Spec, QueryWidth<D>, MemoryWidth<Dm>, Ok>::ok,
                  "TransformerDecoderLayer: the decoder's model width (QueryWidth) and the encoder's output width "
                  "(MemoryWidth) must be equal, since the cross-attention projects both with one in_proj_weight "
                  "[3D, D]; give the encoder and the decoder the same model width");
    return Ok;
}

// The block as layers, and where PyTorch's names sit in it.
template <std::size_t H, std::size_t FF, std::size_t D, bool Pre, class Act, class Rate>
struct decoder_layer_parts;
template <std::size_t H, std::size_t FF, std::size_t D, class Act, std::intmax_t N, std::intmax_t M>
struct decoder_layer_parts<H, FF, D, false, Act, BlockDropout<N, M>> {
    template <class In, class Memory>
    using chain = chain_with_memory_of<In, Memory, Residual<MultiHeadAttention<H, Causal, AttentionDropout<N, M>>, Dropout<N, M>>,
                                       LayerNorm<>, Residual<CrossAttention<H, AttentionDropout<N, M>>, Dropout<N, M>>,
                                       LayerNorm<>, Residual<Dense<FF>, Act, Dropout<N, M>, Dense<D>, Dropout<N, M>>,
                                       LayerNorm<>>;
    static constexpr std::size_t cross_attention_at[2] = {2, 0};  // child 2, its child 0
    static constexpr const char* renames[][2] = {{"0.0.", "self_attn."}, {"1.", "norm1."},
                                                 {"2.0.", "multihead_attn."}, {"3.", "norm2."},
                                                 {"4.0.", "linear1."}, {"4.3.", "linear2."}, {"5.", "norm3."}};
};
template <std::size_t H, std::size_t FF, std::size_t D, class Act, std::intmax_t N, std::intmax_t M>
struct decoder_layer_parts<H, FF, D, true, Act, BlockDropout<N, M>> {
    template <class In, class Memory>
    using chain = chain_with_memory_of<
        In, Memory, Residual<LayerNorm<>, MultiHeadAttention<H, Causal, AttentionDropout<N, M>>, Dropout<N, M>>,
        Residual<LayerNorm<>, CrossAttention<H, AttentionDropout<N, M>>, Dropout<N, M>>,
        Residual<LayerNorm<>, Dense<FF>, Act, Dropout<N, M>, Dense<D>, Dropout<N, M>>>;
    static constexpr std::size_t cross_attention_at[2] = {1, 1};
    static constexpr const char* renames[][2] = {{"0.0.", "norm1."},          {"0.1.", "self_attn."},
                                                 {"1.0.", "norm2."},          {"1.1.", "multihead_attn."},
                                                 {"2.0.", "norm3."},          {"2.1.", "linear1."},
                                                 {"2.4.", "linear2."}};
};

template <class Spec, class In, class Memory>
struct decoder_layer_parts_of {
    using type = decoder_layer_parts<Spec::heads, Spec::feed_forward, (In::rank == 2 ? In::dims[1] : 1), Spec::pre_norm,
                               typename Spec::activation, typename sane_dropout<typename Spec::dropout>::type>;
};

// The block's own rules, judged before its parts are bound (each only when the ones
// before it hold), so that a wrong memory is this layer's error, named by its type.
template <class Spec, class In, class Memory>
struct decoder_rules {
    static constexpr bool options_ok = std::is_void_v<typename Spec::unknown_option>;
    static constexpr bool ranges_ok = std::is_void_v<typename Spec::out_of_range_option>;
    static constexpr bool ff_ok = Spec::feed_forward > 0;
    static constexpr bool input_ok = In::rank == 2;
    static constexpr bool memory_ok = Memory::rank == 2;
    static constexpr std::size_t D = input_ok ? In::dims[1] : 1;
    static constexpr std::size_t Dm = memory_ok ? Memory::dims[1] : 1;
    static constexpr bool widths_ok = D == Dm;
    using option_rule = decltype(check_decoder_options<Spec, typename Spec::unknown_option, options_ok>());
    using range_rule = decltype(check_decoder_ranges<Spec, typename Spec::out_of_range_option, ranges_ok || !options_ok>());
    using ff_rule = decltype(check_decoder_feed_forward<Spec, ff_ok || !options_ok || !ranges_ok>());
    static constexpr bool before_input = options_ok && ranges_ok && ff_ok;
    using input_rule = decltype(check_decoder_input<Spec, In, input_ok || !before_input>());
    using memory_rule = decltype(check_decoder_memory<Spec, Memory, memory_ok || !before_input || !input_ok>());
    using width_rule = decltype(check_decoder_widths<Spec, D, Dm, widths_ok || !before_input || !input_ok || !memory_ok>());
    static constexpr bool ok = before_input && input_ok && memory_ok && widths_ok;
};

template <class Spec, class In, class Memory>
struct DecoderLayerBound
    : decoder_layer_parts_of<Spec, In, Memory>::type::template chain<In, Memory> {
    using parts = typename decoder_layer_parts_of<Spec, In, Memory>::type;
    using inner = typename parts::template chain<In, Memory>;
    static constexpr bool reads_memory = true;

    static std::string name() { return Spec::name(); }
    static void summarize(std::vector<SummaryRow>& rows, int depth) {
        rows.push_back({depth, name(), shape_string<typename inner::output_shape>(), inner::param_count});
    }
    template <class F>
    static void for_each_param(F&& f) {
        inner::for_each_param(EncoderNames<parts, std::remove_reference_t<F>>{&f});
    }

    // The cross-attention inside (for pictures of where each target position looks).
    using residual = at_t<parts::cross_attention_at[0], typename inner::layers>;
    using cross_attention = at_t<parts::cross_attention_at[1], typename residual::inner::layers>;
    // The cross-attention's probabilities [T, S] of one head for one sample of the
    // last forward, given this layer's cache for a batch of `batch`.
    static std::vector<float> cross_attention_weights(const float* cache, std::size_t batch, std::size_t sample,
                                                      std::size_t head) {
        const float* own = cache + inner::cache_offsets[parts::cross_attention_at[0]] * batch;
        const float* deeper = own + residual::inner::cache_offsets[parts::cross_attention_at[1]] * batch;
        return cross_attention::attention_weights(deeper, batch, sample, head);
    }
};

// A block whose own rules failed: nothing of it is bound, so the error above is the
// only one, and the layers after it stay silent.
template <class Spec, class In, class Memory, bool Ok = decoder_rules<Spec, In, Memory>::ok>
struct decoder_layer_bind {
    using type = DecoderLayerBound<Spec, In, Memory>;
};
template <class Spec, class In, class Memory>
struct decoder_layer_bind<Spec, In, Memory, false> {
    using type = Poisoned<Spec>;
};

}  // namespace detail

template <std::size_t Heads, std::size_t FF, class... Options>
struct TransformerDecoderLayer {
    static constexpr std::size_t heads = Heads, feed_forward = FF;
    static constexpr bool pre_norm = (std::is_same_v<Options, PreNorm> || ...);
    using activation = std::conditional_t<(std::is_same_v<Options, GELU> || ...), GELU, ReLU>;
    using dropout = typename detail::block_dropout_of<Options...>::type;
    using unknown_option = first_unknown_option_t<detail::is_decoder_option, Options...>;
    using out_of_range_option = first_out_of_range_option_t<Options...>;
    static constexpr bool reads_memory = true;
    template <class In>
    using bind = MissingMemory<TransformerDecoderLayer>;
    template <class In, class Memory>
    using bind_with_memory = typename detail::decoder_layer_bind<TransformerDecoderLayer, In, Memory>::type;
    static std::string name() {
        return "TransformerDecoderLayer<" + std::to_string(Heads) + ", " + std::to_string(FF) +
               (std::string() + ... + (", " + Options::name())) + ">";
    }
};

}  // namespace tn
