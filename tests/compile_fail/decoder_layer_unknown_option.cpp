// TransformerDecoderLayer's self-attention is always causal: Causal is not one of its
// options (it is TransformerEncoderLayer's, for a decoder-only model). UnknownOption
// names the layer and the option.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: TransformerDecoderLayer: unknown option; it takes PreNorm, GELU and BlockDropout<N, D>
// expect-gcc: note: 'tn::UnknownOption<tn::TransformerDecoderLayer<2, 16, tn::Causal>, tn::Causal, false>::ok' evaluates to false
// expect-clang: 'UnknownOption<tn::TransformerDecoderLayer<2, 16, tn::Causal>, tn::Causal, false>::ok'

using Encoder = tn::Sequential<tn::Tokens<7>, tn::Embedding<20, 8>, tn::TransformerEncoderLayer<2, 16>>;
using Decoder = tn::Sequential<tn::Tokens<5>, tn::Embedding<20, 8>, tn::TransformerDecoderLayer<2, 16, tn::Causal>,
                               tn::Dense<20>>;

int main() {
    tn::Model<tn::EncoderDecoder<Encoder, Decoder>> model{tn::Seed{1}};
    model.summary();
}
