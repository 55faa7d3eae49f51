// MeanOverTime on a flat vector: there is no time axis to average over.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: MeanOverTime: its input must be a sequence [T, D] (rank 2)
// expect-gcc: note: 'tn::NeedsSequence<tn::MeanOverTime, tn::Got<128>, false>::ok' evaluates to false
// expect-clang: 'NeedsSequence<tn::MeanOverTime, tn::Got<128>, false>::ok'

using Net = tn::Sequential<tn::Input<128>, tn::MeanOverTime, tn::Dense<3>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
