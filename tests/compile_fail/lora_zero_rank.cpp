// A LoRA adapter of rank 0 would add nothing and divide Alpha by 0.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: MultiHeadAttention: AttentionDropout<N, D>'s rate N/D must be at least 0 and below 1, KVCache<Context> needs Context >= 1 and LoRA<Rank, Alpha> Rank >= 1 and Alpha >= 1
// expect-gcc: note: 'tn::OptionOutOfRange<tn::MultiHeadAttention<2, tn::Causal, tn::LoRA<0, 8> >, tn::LoRA<0, 8>, false>::ok' evaluates to false
// expect-clang: 'OptionOutOfRange<tn::MultiHeadAttention<2, tn::Causal, tn::LoRA<0, 8>>, tn::LoRA<0, 8>, false>::ok'

using Net = tn::Sequential<tn::Input<4, 6>, tn::MultiHeadAttention<2, tn::Causal, tn::LoRA<0, 8>>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
