// LearnedPositions after MeanOverTime: the positions were averaged away.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: positional encoding: its input must be a sequence [T, D] (rank 2), e.g. an Embedding's output
// expect-gcc: note: 'tn::NeedsSequence<tn::LearnedPositions<8>, tn::Got<16>, false>::ok' evaluates to false
// expect-clang: 'NeedsSequence<tn::LearnedPositions<8>, tn::Got<16>, false>::ok'

using Net = tn::Sequential<tn::Tokens<8>, tn::Embedding<20, 16>, tn::MeanOverTime, tn::LearnedPositions<8>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
