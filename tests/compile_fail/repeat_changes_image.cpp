// The same contract on images: an unpadded 3x3 convolution shrinks the image, so
// copy 2 would get a 16x2x2 input, on which its kernel no longer fits. The error is
// Repeat's (the block changes the shape), not KernelLargerThanInput deep in copy 2.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Repeat: copy 1 of the block outputs Got<...>
// expect-gcc: note: 'tn::RepeatChangesShape<tn::Repeat<3, tn::Conv2D<16, tn::Kernel<3, 3> >, tn::ReLU>, tn::Copy<1>, tn::Got<16, 2, 2>, tn::Copy<2>, tn::Expected<3, 4, 4>, false>::ok' evaluates to false
// expect-clang: 'RepeatChangesShape<tn::Repeat<3, tn::Conv2D<16, tn::Kernel<3, 3>>, tn::ReLU>, tn::Copy<1>, tn::Got<16, 2, 2>, tn::Copy<2>, tn::Expected<3, 4, 4>, false>::ok'

using namespace tn;
using Net = Sequential<Input<3, 4, 4>, Repeat<3, Conv2D<16, Kernel<3>>, ReLU>, Flatten, Dense<2>>;

int main() {
    Model<Net> model{Seed{1}};
    model.summary();
}
