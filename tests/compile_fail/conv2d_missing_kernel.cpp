// Conv2D needs its kernel size.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Conv2D: the kernel size is required, e.g. Conv2D<32, Kernel<3>>
// expect-gcc: note: 'tn::MissingKernel<tn::Conv2D<4, tn::Pad<1, 1> >, false>::ok' evaluates to false
// expect-clang: 'MissingKernel<tn::Conv2D<4, tn::Pad<1, 1>>, false>::ok'
// expect-clang: "Conv2D: the kernel size is required, e.g. Conv2D<32, Kernel<3>>"

using Net = tn::Sequential<tn::Input<1, 8, 8>, tn::Conv2D<4, tn::Pad<1>>, tn::Flatten, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
