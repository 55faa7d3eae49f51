// LearnedPositions<0>: a table of no positions.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: LearnedPositions<Tmax>: the table needs at least one position (Tmax >= 1)
// expect-gcc: note: 'tn::ZeroSizedLayer<tn::LearnedPositions<0>, false>::ok' evaluates to false
// expect-clang: 'ZeroSizedLayer<tn::LearnedPositions<0>, false>::ok'

using Net = tn::Sequential<tn::Input<4, 8>, tn::LearnedPositions<0>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
