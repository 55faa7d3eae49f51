// Luong's dot score compares the decoder's state with the encoder's outputs directly:
// a decoder LSTM<5> over an encoder LSTM<6> is MemoryWidthMismatch, naming both widths.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: this attention score compares the decoder's state (QueryWidth) with the encoder's outputs (MemoryWidth) directly, so they must be as wide
// expect-gcc: note: 'tn::MemoryWidthMismatch<tn::LuongAttention<tn::Dot>, tn::QueryWidth<5>, tn::MemoryWidth<6>, false>::ok' evaluates to false
// expect-clang: 'MemoryWidthMismatch<tn::LuongAttention<tn::Dot>, tn::QueryWidth<5>, tn::MemoryWidth<6>, false>::ok'

using Encoder = tn::Sequential<tn::Tokens<8>, tn::Embedding<20, 4>, tn::LSTM<6>>;
using Decoder = tn::Sequential<tn::Tokens<5>, tn::Embedding<20, 4>, tn::LSTM<5>, tn::LuongAttention<tn::Dot>, tn::Dense<20>>;

int main() {
    tn::Model<tn::EncoderDecoder<Encoder, Decoder>> model{tn::Seed{1}};
    model.summary();
}
