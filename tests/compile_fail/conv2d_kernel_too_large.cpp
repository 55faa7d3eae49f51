// A 7x7 kernel on a 5x5 image with no padding: the rule shows the kernel's extent,
// the padded input it must fit in, and the input's shape.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Conv2D: the kernel (its extent with dilation, Window<h, w>) is larger than the padded input (PaddedInput<h, w>); use a smaller kernel or more padding
// expect-gcc: note: 'tn::KernelLargerThanInput<tn::Conv2D<4, tn::Kernel<7, 7> >, tn::Window<7, 7>, tn::PaddedInput<5, 5>, tn::Got<1, 5, 5>, false>::ok' evaluates to false
// expect-clang: 'KernelLargerThanInput<tn::Conv2D<4, tn::Kernel<7, 7>>, tn::Window<7, 7>, tn::PaddedInput<5, 5>, tn::Got<1, 5, 5>, false>::ok'
// expect-clang: "Conv2D: the kernel (its extent with dilation, Window<h, w>) is larger than the padded input (PaddedInput<h, w>); use a smaller kernel or more padding"

using Net = tn::Sequential<tn::Input<1, 5, 5>, tn::Conv2D<4, tn::Kernel<7>>, tn::Flatten, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
