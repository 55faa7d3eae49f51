// A pool window larger than what reaches it, after a convolution shrank the image to 4x4.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: MaxPool, AvgPool: the window (Window<h, w>) is larger than the padded input (PaddedInput<h, w>)
// expect-gcc: note: 'tn::PoolWindowLargerThanInput<tn::MaxPool<5>, tn::Window<5, 5>, tn::PaddedInput<4, 4>, tn::Got<4, 4, 4>, false>::ok' evaluates to false
// expect-clang: 'PoolWindowLargerThanInput<tn::MaxPool<5, 5>, tn::Window<5, 5>, tn::PaddedInput<4, 4>, tn::Got<4, 4, 4>, false>::ok'
// expect-clang: "MaxPool, AvgPool: the window (Window<h, w>) is larger than the padded input (PaddedInput<h, w>)"

using Net = tn::Sequential<tn::Input<1, 8, 8>, tn::Conv2D<4, tn::Kernel<5>>, tn::ReLU, tn::MaxPool<5>, tn::Flatten,
                           tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
