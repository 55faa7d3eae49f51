// FirstPosition on a flat vector: there is no first position to read.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: FirstPosition: its input must be a sequence [T, D] (rank 2)
// expect-gcc: note: 'tn::NeedsSequence<tn::FirstPosition, tn::Got<16>, false>::ok' evaluates to false
// expect-clang: 'NeedsSequence<tn::FirstPosition, tn::Got<16>, false>::ok'

using Net = tn::Sequential<tn::Input<16>, tn::FirstPosition, tn::Dense<3>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
