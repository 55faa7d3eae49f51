// A stride of 0 would never move the window: an error naming kernel and stride.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Conv2D: kernel, stride and dilation must all be at least 1
// expect-gcc: note: 'tn::ZeroKernelOrStride<tn::Conv2D<4, tn::Kernel<3, 3>, tn::Stride<0, 0> >, tn::Kernel<3>, tn::Stride<0>, false>::ok' evaluates to false
// expect-clang: 'ZeroKernelOrStride<tn::Conv2D<4, tn::Kernel<3, 3>, tn::Stride<0, 0>>, tn::Kernel<3, 3>, tn::Stride<0, 0>, false>::ok'
// expect-clang: "Conv2D: kernel, stride and dilation must all be at least 1"

using Net = tn::Sequential<tn::Input<1, 8, 8>, tn::Conv2D<4, tn::Kernel<3>, tn::Stride<0>>, tn::Flatten, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
