// LearnedPositions<8> has a row for positions 0 to 7: a sequence of 12 would run off it.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: LearnedPositions<Tmax>: the sequence is longer than the table (T > Tmax); give Tmax at least the model's sequence length
// expect-gcc: note: 'tn::SequenceLongerThanTable<tn::LearnedPositions<8>, tn::Got<12, 16>, false>::ok' evaluates to false
// expect-clang: 'SequenceLongerThanTable<tn::LearnedPositions<8>, tn::Got<12, 16>, false>::ok'

using Net = tn::Sequential<tn::Tokens<12>, tn::Embedding<50, 16>, tn::LearnedPositions<8>, tn::MeanOverTime, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
