// A positional encoding adds a vector per position: a flat vector has no positions.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: positional encoding: its input must be a sequence [T, D] (rank 2), e.g. an Embedding's output
// expect-gcc: note: 'tn::NeedsSequence<tn::SinusoidalPositions, tn::Got<16>, false>::ok' evaluates to false
// expect-clang: 'NeedsSequence<tn::SinusoidalPositions, tn::Got<16>, false>::ok'

using Net = tn::Sequential<tn::Input<16>, tn::SinusoidalPositions, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
