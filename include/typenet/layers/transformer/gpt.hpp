// GPT<Layers, Dim, Heads, Context, Vocab, BlockOptions...>: a decoder-only Transformer
// language model (Radford et al. 2018, 2019) as the composition of typenet's parts:
//
//   Tokens<Context>                              ids, at most Context per sample
//   TiedEmbedding<Vocab, Dim,                    one [Vocab, Dim] table in and out
//       LearnedPositions<Context>,               a learned row per position (wpe)
//       Repeat<Layers, TransformerEncoderLayer<Heads, 4 Dim, PreNorm, GELU, Causal,
//                                              KVCache<Context>, BlockOptions...>>,
//       LayerNorm<>>                             GPT-2's final ln_f
//
// i.e. GPT-2's block: pre-norm, GELU, a feed-forward four times the width, causal
// self-attention with a KV cache for generation (LanguageModelSession steps it one
// token at a time, O(T) per token). BlockOptions go to every block, e.g.
// BlockDropout<0> to train without dropout (the default is PyTorch's 0.1).
// The output is the logits [Context, Vocab] at every position: train it with
// TokenCrossEntropy on the ids shifted by one.
//
// It is an alias, not a new layer: errors, names and summary() are those of its parts
// ("0.weight" the tied table, "0.0.weight" the positions, "0.1.2.self_attn.in_proj_weight"
// block 2's attention, "0.2.weight" ln_f).
#pragma once
#include <cstddef>

#include "typenet/core/repeat.hpp"
#include "typenet/core/sequential.hpp"
#include "typenet/core/tokens.hpp"
#include "typenet/layers/layer_norm.hpp"
#include "typenet/layers/positional_encoding.hpp"
#include "typenet/layers/tied_embedding.hpp"
#include "typenet/layers/transformer/encoder_layer.hpp"

namespace tn {

template <std::size_t Layers, std::size_t Dim, std::size_t Heads, std::size_t Context, std::size_t Vocab,
          class... BlockOptions>
using GPT = Sequential<
    Tokens<Context>,
    TiedEmbedding<Vocab, Dim, LearnedPositions<Context>,
                  Repeat<Layers, TransformerEncoderLayer<Heads, 4 * Dim, PreNorm, GELU, Causal, KVCache<Context>,
                                                         BlockOptions...>>,
                  LayerNorm<>>>;

}  // namespace tn
