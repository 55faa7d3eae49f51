// A Transformer decoder of width 16 over an encoder of width 8: the decoder layer's
// own rule, MemoryWidthMismatch naming the layer and both widths, before any of its
// parts is bound.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: TransformerDecoderLayer: the decoder's model width (QueryWidth) and the encoder's output width (MemoryWidth) must be equal
// expect-gcc: note: 'tn::MemoryWidthMismatch<tn::TransformerDecoderLayer<4, 32>, tn::QueryWidth<16>, tn::MemoryWidth<8>, false>::ok' evaluates to false
// expect-clang: 'MemoryWidthMismatch<tn::TransformerDecoderLayer<4, 32>, tn::QueryWidth<16>, tn::MemoryWidth<8>, false>::ok'

using Encoder = tn::Sequential<tn::Tokens<9>, tn::Embedding<30, 8>, tn::SinusoidalPositions,
                               tn::Repeat<2, tn::TransformerEncoderLayer<4, 32>>>;
using Decoder = tn::Sequential<tn::Tokens<6>, tn::Embedding<30, 16>, tn::SinusoidalPositions,
                               tn::Repeat<2, tn::TransformerDecoderLayer<4, 32>>, tn::Dense<30>>;

int main() {
    tn::Model<tn::EncoderDecoder<Encoder, Decoder>> model{tn::Seed{1}};
    model.summary();
}
