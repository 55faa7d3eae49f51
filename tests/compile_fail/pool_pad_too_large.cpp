// Padding of more than half the window would let a window hold only padding.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: MaxPool, AvgPool: padding must be the same on both axes and at most half the window (else a window could hold only padding)
// expect-gcc: note: 'tn::PadLargerThanHalfWindow<tn::MaxPool<2, 2, tn::Pad<2, 2> >, tn::Window<2, 2>, tn::Pad<2>, false>::ok' evaluates to false
// expect-clang: 'PadLargerThanHalfWindow<tn::MaxPool<2, 2, tn::Pad<2, 2>>, tn::Window<2, 2>, tn::Pad<2, 2>, false>::ok'
// expect-clang: "MaxPool, AvgPool: padding must be the same on both axes and at most half the window (else a window could hold only padding)"

using Net = tn::Sequential<tn::Input<1, 8, 8>, tn::MaxPool<2, 2, tn::Pad<2>>, tn::Flatten, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
