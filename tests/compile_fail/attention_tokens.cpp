// MultiHeadAttention given token ids: the ids need an Embedding first.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: this layer is given token ids (Tokens<T>)
// expect-gcc: note: 'tn::NeedsEmbedding<tn::MultiHeadAttention<2>, tn::Got<12>, false>::ok' evaluates to false
// expect-clang: 'NeedsEmbedding<tn::MultiHeadAttention<2>, tn::Got<12>, false>::ok'
// expect-clang: put Embedding<Vocabulary, Dim> first

using Net = tn::Sequential<tn::Tokens<12>, tn::MultiHeadAttention<2>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
