// MaxPool<0>: a window of nothing (and, by default, a stride of 0).
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: MaxPool, AvgPool: window and stride must be at least 1
// expect-gcc: note: 'tn::ZeroKernelOrStride<tn::MaxPool<0>, tn::Kernel<0, 0>, tn::Stride<0, 0>, false>::ok' evaluates to false
// expect-clang: 'ZeroKernelOrStride<tn::MaxPool<0, 0>, tn::Kernel<0, 0>, tn::Stride<0, 0>, false>::ok'
// expect-clang: "MaxPool, AvgPool: window and stride must be at least 1"

using Net = tn::Sequential<tn::Input<1, 8, 8>, tn::MaxPool<0>, tn::Flatten, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
