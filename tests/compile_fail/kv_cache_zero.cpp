// KVCache<0> would keep no position at all.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: MultiHeadAttention: AttentionDropout<N, D>'s rate N/D must be at least 0 and below 1, KVCache<Context> needs Context >= 1 and LoRA<Rank, Alpha> Rank >= 1 and Alpha >= 1
// expect-gcc: note: 'tn::OptionOutOfRange<tn::MultiHeadAttention<2, tn::Causal, tn::KVCache<0> >, tn::KVCache<0>, false>::ok' evaluates to false
// expect-clang: 'OptionOutOfRange<tn::MultiHeadAttention<2, tn::Causal, tn::KVCache<0>>, tn::KVCache<0>, false>::ok'

using Net = tn::Sequential<tn::Tokens<16>, tn::Embedding<20, 8>, tn::MultiHeadAttention<2, tn::Causal, tn::KVCache<0>>,
                           tn::Dense<20>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
