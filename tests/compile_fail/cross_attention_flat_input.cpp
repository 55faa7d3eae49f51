// A decoder flattened before its cross-attention gives it one vector, not a sequence
// of queries: NeedsSequence names the layer and the shape it was given.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: CrossAttention reads the decoder's sequence [T, D] (rank 2: T positions of D features)
// expect-gcc: note: 'tn::NeedsSequence<tn::CrossAttention<2>, tn::Got<40>, false>::ok' evaluates to false
// expect-clang: 'NeedsSequence<tn::CrossAttention<2>, tn::Got<40>, false>::ok'

using Encoder = tn::Sequential<tn::Tokens<7>, tn::Embedding<20, 8>, tn::MultiHeadAttention<2>>;
using Decoder = tn::Sequential<tn::Tokens<5>, tn::Embedding<20, 8>, tn::Flatten, tn::CrossAttention<2>, tn::Dense<20>>;

int main() {
    tn::Model<tn::EncoderDecoder<Encoder, Decoder>> model{tn::Seed{1}};
    model.summary();
}
