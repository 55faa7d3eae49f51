// Conv2D<0, ...>: a convolution with no filters, an image with no channels after it.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Conv2D<F>: F, the number of output channels (filters), must be at least 1
// expect-gcc: note: 'tn::ZeroSizedLayer<tn::Conv2D<0, tn::Kernel<3, 3> >, false>::ok' evaluates to false
// expect-clang: 'ZeroSizedLayer<tn::Conv2D<0, tn::Kernel<3, 3>>, false>::ok'
// expect-clang: "Conv2D<F>: F, the number of output channels (filters), must be at least 1"

using namespace tn;
using Net = Sequential<Input<1, 8, 8>, Conv2D<0, Kernel<3>>, ReLU, MaxPool<2>, Flatten, Dense<2>>;

int main() {
    Model<Net> model{Seed{1}};
    model.summary();
}
