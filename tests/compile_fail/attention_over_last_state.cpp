// An encoder that ends in LastState returns one vector, not a sequence: there is
// nothing to attend over. MemoryNotSequence names the layer and the memory's shape.
// The attention layer's own header first: its error then has one "In file included
// from" line fewer on clang, which keeps the output under 40 lines.
#include <typenet/layers/attention_rnn/rnn_attention.hpp>
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: an attention layer attends over a memory [S, D] (rank 2: S source positions); the encoder must return a sequence (a recurrent layer with ReturnSequences, not LastState)
// expect-gcc: note: 'tn::MemoryNotSequence<tn::BahdanauAttention<8>, tn::Got<6>, false>::ok' evaluates to false
// expect-clang: 'MemoryNotSequence<tn::BahdanauAttention<8>, tn::Got<6>, false>::ok'

using Encoder = tn::Sequential<tn::Tokens<8>, tn::Embedding<20, 4>, tn::LSTM<6, tn::LastState>>;
using Decoder = tn::Sequential<tn::Tokens<5>, tn::Embedding<20, 4>, tn::LSTM<6>, tn::BahdanauAttention<8>, tn::Dense<20>>;

int main() {
    tn::Model<tn::EncoderDecoder<Encoder, Decoder>> model{tn::Seed{1}};
    model.summary();
}
