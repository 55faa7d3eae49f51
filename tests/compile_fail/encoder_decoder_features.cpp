// Both parts of an EncoderDecoder read token ids (each row is the source ids, then the
// target ids): an encoder of float features is EncoderDecoderPartNotTokens.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: EncoderDecoder<Encoder, Decoder>: both parts are networks that start with Tokens<T>
// expect-gcc: note: 'tn::EncoderDecoderPartNotTokens<tn::EncoderDecoder<tn::Sequential<tn::Input<8, 3>, tn::LSTM<6> >, tn::Sequential<tn::Tokens<5>, tn::Embedding<20, 4>, tn::LSTM<6>, tn::BahdanauAttention<8>, tn::Dense<20> > >, tn::EncoderPart, false>::ok' evaluates to false
// expect-clang: 'EncoderDecoderPartNotTokens<tn::EncoderDecoder<tn::Sequential<tn::Input<8, 3>, tn::LSTM<6>>, tn::Sequential<tn::Tokens<5>, tn::Embedding<20, 4>, tn::LSTM<6>, tn::BahdanauAttention<8>, tn::Dense<20>>>, tn::EncoderPart, false>::ok'

using Encoder = tn::Sequential<tn::Input<8, 3>, tn::LSTM<6>>;
using Decoder = tn::Sequential<tn::Tokens<5>, tn::Embedding<20, 4>, tn::LSTM<6>, tn::BahdanauAttention<8>, tn::Dense<20>>;

int main() {
    tn::Model<tn::EncoderDecoder<Encoder, Decoder>> model{tn::Seed{1}};
    model.summary();
}
