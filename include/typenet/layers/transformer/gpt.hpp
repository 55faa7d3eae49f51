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
//
// GPT2<Layers, Dim, Heads, Context, Vocab, Window = Context>: the same composition
// with GPT-2's exact arithmetic, so that OpenAI's weights give OpenAI's logits
// (interop/hugging_face_gpt2.hpp loads Hugging Face's model.safetensors):
//   - GELUTanh, GPT-2's "gelu_new", not the exact-erf GELU (they differ by up to 4.7e-4);
//   - LayerNorm's eps 1e-5 (layer_norm_epsilon), typenet's default (asserted below);
//   - no dropout (BlockDropout<0>): GPT-2 trained with 0.1, which inference never
//     applies, and without it the attention keeps no second [H, T, T] cache of
//     dropped probabilities per layer.
// Window is the sequence the model reads per call (Tokens<Window>); Context is GPT-2's
// n_positions, the size of the position table (wpe) and of the KV cache. They differ
// only to run short sequences cheaply: every Dense and the head compute all Window
// positions, and the training caches (the attention's [Heads, Window, Window]
// probabilities) are sized by Window, so GPT2<12, 768, 12, 1024, 50257, 128> reads
// 128 tokens at a time for 1/8 of the work, with the same parameters as GPT2Small.
//
//   using GPT2Small = GPT2<12, 768, 12, 1024, 50257>;   // "gpt2", 124,439,808 parameters
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

template <std::size_t Layers, std::size_t Dim, std::size_t Heads, std::size_t Context, std::size_t Vocab,
          std::size_t Window = Context>
using GPT2 = Sequential<
    Tokens<Window>,
    TiedEmbedding<Vocab, Dim, LearnedPositions<Context>,
                  Repeat<Layers, TransformerEncoderLayer<Heads, 4 * Dim, PreNorm, GELUTanh, Causal, KVCache<Context>,
                                                         BlockDropout<0>>>,
                  LayerNorm<>>>;
static_assert(LayerNorm<>::epsilon == 1e-5, "GPT2: GPT-2's layer_norm_epsilon is 1e-5, every LayerNorm's here");

// OpenAI's smallest GPT-2 ("gpt2" on the Hugging Face Hub): 12 layers, width 768,
// 12 heads, 1024 positions, 50,257 tokens.
using GPT2Small = GPT2<12, 768, 12, 1024, 50257>;

}  // namespace tn
