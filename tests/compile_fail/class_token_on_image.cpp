// ClassToken on an image: it puts a row before a sequence [T, D]; the patches must
// become a sequence first (PatchesToSequence).
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: ClassToken: its input must be a sequence [T, D] (rank 2), e.g. after PatchesToSequence
// expect-gcc: note: 'tn::NeedsSequence<tn::ClassToken, tn::Got<8, 4, 4>, false>::ok' evaluates to false
// expect-clang: 'NeedsSequence<tn::ClassToken, tn::Got<8, 4, 4>, false>::ok'

using Net = tn::Sequential<tn::Input<1, 28, 28>, tn::Conv2D<8, tn::Kernel<7>, tn::Stride<7>>, tn::ClassToken>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
