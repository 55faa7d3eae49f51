// MultiHeadAttention given a flat vector: attention mixes positions, and a vector has none.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: MultiHeadAttention reads a sequence [T, D]
// expect-gcc: note: 'tn::NeedsSequence<tn::MultiHeadAttention<2>, tn::Got<16>, false>::ok' evaluates to false
// expect-clang: 'NeedsSequence<tn::MultiHeadAttention<2>, tn::Got<16>, false>::ok'
// expect-clang: "MultiHeadAttention reads a sequence [T, D]

using Net = tn::Sequential<tn::Input<16>, tn::MultiHeadAttention<2>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
