// CrossAttention<3> on a model width of 8: three heads cannot split 8 features evenly.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: CrossAttention<Heads>: Heads must divide the model width D (each head attends in D / Heads dimensions)
// expect-gcc: note: 'tn::HeadsDoNotDivideWidth<tn::CrossAttention<3>, tn::HeadCount<3>, tn::ModelWidth<8>, false>::ok' evaluates to false
// expect-clang: 'HeadsDoNotDivideWidth<tn::CrossAttention<3>, tn::HeadCount<3>, tn::ModelWidth<8>, false>::ok'

using Encoder = tn::Sequential<tn::Tokens<7>, tn::Embedding<20, 8>, tn::MultiHeadAttention<2>>;
using Decoder = tn::Sequential<tn::Tokens<5>, tn::Embedding<20, 8>, tn::CrossAttention<3>, tn::Dense<20>>;

int main() {
    tn::Model<tn::EncoderDecoder<Encoder, Decoder>> model{tn::Seed{1}};
    model.summary();
}
