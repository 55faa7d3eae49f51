// A network with an attention layer is a decoder: alone, it has no memory to attend
// over. Model names the rule NeedsMemory.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Model: this network's layers attend over an encoder's output (memory); it is the Decoder of Model<EncoderDecoder<Encoder, Decoder>>, not a model of its own
// expect-gcc: note: 'tn::NeedsMemory<tn::Sequential<tn::Tokens<5>, tn::Embedding<20, 4>, tn::LSTM<6>, tn::BahdanauAttention<8>, tn::Dense<20> >, false>::ok' evaluates to false
// expect-clang: 'NeedsMemory<tn::Sequential<tn::Tokens<5>, tn::Embedding<20, 4>, tn::LSTM<6>, tn::BahdanauAttention<8>, tn::Dense<20>>, false>::ok'

using Decoder = tn::Sequential<tn::Tokens<5>, tn::Embedding<20, 4>, tn::LSTM<6>, tn::BahdanauAttention<8>, tn::Dense<20>>;

int main() {
    tn::Model<Decoder> model{tn::Seed{1}};
    model.summary();
}
