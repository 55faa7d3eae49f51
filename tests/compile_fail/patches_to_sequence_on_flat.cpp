// PatchesToSequence on a flat vector: there are no patches (channels x height x width)
// to turn into positions.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: PatchesToSequence: its input must be an image of patch features [channels, height, width] (rank 3), e.g. after Conv2D<D, Kernel<P>, Stride<P>>
// expect-gcc: note: 'tn::RankMismatch<tn::PatchesToSequence, tn::Rank<3>, tn::Got<64>, false>::ok' evaluates to false
// expect-clang: 'RankMismatch<tn::PatchesToSequence, tn::Rank<3>, tn::Got<64>, false>::ok'

using Net = tn::Sequential<tn::Input<64>, tn::PatchesToSequence, tn::Dense<3>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
