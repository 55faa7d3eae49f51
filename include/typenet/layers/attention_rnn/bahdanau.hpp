// BahdanauAttention<A>: additive attention, e = v^T tanh(W q + U k) with A hidden units
// (Bahdanau, Cho & Bengio 2015), a layer of an EncoderDecoder's decoder:
//
//   using Decoder = Sequential<Tokens<12>, Embedding<V, 64>, LSTM<128, Stateful>,
//                              BahdanauAttention<64>, Dense<128>, Tanh, Dense<V>>;
//
// Input [T, H] (the decoder's states), memory [S, D] (the encoder's outputs), output
// [T, D + H]: each position's context then its state (rnn_attention.hpp). The memory
// may be of any width: W and U map both into A units.
#pragma once
#include <string>

#include "typenet/layers/attention_rnn/rnn_attention.hpp"
#include "typenet/layers/attention_rnn/scores.hpp"

namespace tn {

template <std::size_t A>
struct BahdanauAttention : RnnAttentionSpec<BahdanauAttention<A>, attention_score::Additive<A>> {
    static_assert(A > 0, "BahdanauAttention<A>: A, the number of hidden units of the score, must be at least 1");
    static std::string name() { return "BahdanauAttention<" + std::to_string(A) + ">"; }
};

}  // namespace tn
