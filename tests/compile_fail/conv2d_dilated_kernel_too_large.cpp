// Dilation widens the kernel: 3 taps 3 apart span 7 columns, more than 4 + 2 x 1.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Conv2D: the kernel (its extent with dilation, Window<h, w>) is larger than the padded input (PaddedInput<h, w>); use a smaller kernel or more padding
// expect-gcc: note: 'tn::KernelLargerThanInput<tn::Conv2D<4, tn::Kernel<3, 3>, tn::Dilation<3, 3>, tn::Pad<1, 1> >, tn::Window<7, 7>, tn::PaddedInput<11, 6>, tn::Got<2, 9, 4>, false>::ok' evaluates to false
// expect-clang: 'KernelLargerThanInput<tn::Conv2D<4, tn::Kernel<3, 3>, tn::Dilation<3, 3>, tn::Pad<1, 1>>, tn::Window<7, 7>, tn::PaddedInput<11, 6>, tn::Got<2, 9, 4>, false>::ok'
// expect-clang: "Conv2D: the kernel (its extent with dilation, Window<h, w>) is larger than the padded input (PaddedInput<h, w>); use a smaller kernel or more padding"

using Net = tn::Sequential<tn::Input<2, 9, 4>, tn::Conv2D<4, tn::Kernel<3>, tn::Dilation<3>, tn::Pad<1>>, tn::Flatten, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
