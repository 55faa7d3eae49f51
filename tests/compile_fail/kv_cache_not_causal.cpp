// A KV cache on an attention that sees later positions: its output at position i
// needs keys that generation has not produced yet.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: MultiHeadAttention: KVCache<Context> needs Causal (a query that sees later positions cannot be computed before they exist)
// expect-gcc: note: 'tn::KVCacheNeedsCausal<tn::MultiHeadAttention<2, tn::KVCache<16> >, false>::ok' evaluates to false
// expect-clang: 'KVCacheNeedsCausal<tn::MultiHeadAttention<2, tn::KVCache<16>>, false>::ok'

using Net = tn::Sequential<tn::Tokens<16>, tn::Embedding<20, 8>, tn::MultiHeadAttention<2, tn::KVCache<16>>, tn::Dense<20>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
