// TiedEmbedding reads token ids: float features have no row of the table.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: TiedEmbedding: its input must be token ids; start the model with Tokens<T>
// expect-gcc: note: 'tn::NeedsTokens<tn::TiedEmbedding<9, 4>, tn::Got<5, 4>, false>::ok' evaluates to false
// expect-clang: 'NeedsTokens<tn::TiedEmbedding<9, 4>, tn::Got<5, 4>, false>::ok'

using Net = tn::Sequential<tn::Input<5, 4>, tn::TiedEmbedding<9, 4>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
