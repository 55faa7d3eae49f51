// A cross-attention projects queries (the decoder's, width 8) and keys and values (the
// encoder's output, width 6) with one in_proj_weight [3D, D]: MemoryWidthMismatch,
// naming both widths.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: CrossAttention: the decoder's width (QueryWidth) and the encoder's output width (MemoryWidth) must be equal
// expect-gcc: note: 'tn::MemoryWidthMismatch<tn::CrossAttention<2>, tn::QueryWidth<8>, tn::MemoryWidth<6>, false>::ok' evaluates to false
// expect-clang: 'MemoryWidthMismatch<tn::CrossAttention<2>, tn::QueryWidth<8>, tn::MemoryWidth<6>, false>::ok'
// expect-clang: "CrossAttention: the decoder's width (QueryWidth) and the encoder's output width (MemoryWidth) must be equal

using Encoder = tn::Sequential<tn::Tokens<7>, tn::Embedding<20, 6>, tn::MultiHeadAttention<2>>;
using Decoder = tn::Sequential<tn::Tokens<5>, tn::Embedding<20, 8>, tn::CrossAttention<2>, tn::Dense<20>>;

int main() {
    tn::Model<tn::EncoderDecoder<Encoder, Decoder>> model{tn::Seed{1}};
    model.summary();
}
