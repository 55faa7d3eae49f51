// An encoder that averages its positions away (MeanOverTime) returns one vector: a
// cross-attention has no source positions to attend over. MemoryNotSequence names
// the layer and the memory's shape.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: CrossAttention attends over a memory [S, D] (rank 2: S source positions); the encoder must return a sequence
// expect-gcc: note: 'tn::MemoryNotSequence<tn::CrossAttention<2>, tn::Got<8>, false>::ok' evaluates to false
// expect-clang: 'MemoryNotSequence<tn::CrossAttention<2>, tn::Got<8>, false>::ok'

using Encoder = tn::Sequential<tn::Tokens<7>, tn::Embedding<20, 8>, tn::MeanOverTime>;
using Decoder = tn::Sequential<tn::Tokens<5>, tn::Embedding<20, 8>, tn::CrossAttention<2>, tn::Dense<20>>;

int main() {
    tn::Model<tn::EncoderDecoder<Encoder, Decoder>> model{tn::Seed{1}};
    model.summary();
}
