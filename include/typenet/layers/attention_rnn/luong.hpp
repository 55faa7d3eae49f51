// LuongAttention<Score>: the global attention of Luong, Pham & Manning 2015, with one
// of their three scores of a decoder state q (width H) against an encoder output k
// (width D):
//   LuongAttention<Dot>      e = q . k              no parameters; H must equal D
//   LuongAttention<General>  e = q^T W_a k          W_a [H, D]
//   LuongAttention<Concat>   e = v^T tanh(W_a [q; k]) = v^T tanh(W q + U k), with H units:
//                            the same function as BahdanauAttention<H> (and the same
//                            parameter names); the papers differ in where the score
//                            is used, not in the score (rnn_attention.hpp)
// Input [T, H], memory [S, D], output [T, D + H] = [context ; state]; Luong's
// attentional state tanh(W_c [c; h]) is the Dense<H'>, Tanh written after it.
#pragma once
#include <string>

#include "typenet/layers/attention_rnn/rnn_attention.hpp"
#include "typenet/layers/attention_rnn/scores.hpp"
#include "typenet/layers/recurrent/bidirectional.hpp"  // Concat, also Bidirectional's merge

namespace tn {

struct Dot {
    static std::string name() { return "Dot"; }
};
struct General {
    static std::string name() { return "General"; }
};

namespace detail {
template <class Score> struct luong_score;  // Dot, General or Concat, nothing else
template <> struct luong_score<Dot> { using type = attention_score::DotProduct; };
template <> struct luong_score<General> { using type = attention_score::Bilinear; };
template <> struct luong_score<Concat> { using type = attention_score::Additive<0>; };  // A = H
}  // namespace detail

template <class Score>
struct LuongAttention : RnnAttentionSpec<LuongAttention<Score>, typename detail::luong_score<Score>::type> {
    static std::string name() { return "LuongAttention<" + Score::name() + ">"; }
};

}  // namespace tn
