// The layers inside TiedEmbedding change the width from 4 to 6: the tied output layer
// multiplies by the [Vocab, 4] table, so it could not read them.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: TiedEmbedding: the layers between the embedding and the tied output must keep the shape [T, Dim] (the output layer multiplies by the same [Vocab, Dim] table)
// expect-gcc: note: 'tn::ShapeMismatch<tn::TiedEmbedding<9, 4, tn::Dense<6> >, tn::Expected<5, 4>, tn::Got<5, 6>, false>::ok' evaluates to false
// expect-clang: 'ShapeMismatch<tn::TiedEmbedding<9, 4, tn::Dense<6>>, tn::Expected<5, 4>, tn::Got<5, 6>, false>::ok'

using Net = tn::Sequential<tn::Tokens<5>, tn::TiedEmbedding<9, 4, tn::Dense<6>>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
