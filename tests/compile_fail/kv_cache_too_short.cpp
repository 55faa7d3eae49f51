// KVCache<8> keeps positions 0 to 7: a model over 16 positions would run off it.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: MultiHeadAttention: the sequence is longer than KVCache<Context> holds (T > Context); give Context at least the model's sequence length
// expect-gcc: note: 'tn::SequenceLongerThanCache<tn::MultiHeadAttention<2, tn::Causal, tn::KVCache<8> >, tn::Got<16, 8>, false>::ok' evaluates to false
// expect-clang: 'SequenceLongerThanCache<tn::MultiHeadAttention<2, tn::Causal, tn::KVCache<8>>, tn::Got<16, 8>, false>::ok'

using Net = tn::Sequential<tn::Tokens<16>, tn::Embedding<20, 8>, tn::MultiHeadAttention<2, tn::Causal, tn::KVCache<8>>,
                           tn::Dense<20>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
