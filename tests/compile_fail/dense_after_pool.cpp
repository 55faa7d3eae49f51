// LeNet without its Flatten: Dense after a Conv2D/MaxPool chain names the pooled shape
// and says to put Flatten before it.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Dense: input is an image or volume (rank 3 or more); put Flatten before Dense
// expect-gcc: note: 'tn::NeedsFlatInput<tn::Dense<120>, tn::Got<16, 5, 5>, false>::ok' evaluates to false
// expect-clang: 'NeedsFlatInput<tn::Dense<120>, tn::Got<16, 5, 5>, false>::ok'
// expect-clang: "Dense: input is an image or volume (rank 3 or more); put Flatten before Dense"

using Net = tn::Sequential<tn::Input<1, 28, 28>, tn::Conv2D<6, tn::Kernel<5>, tn::Pad<2>>, tn::ReLU, tn::MaxPool<2>,
                           tn::Conv2D<16, tn::Kernel<5>>, tn::ReLU, tn::MaxPool<2>, tn::Dense<120>, tn::ReLU,
                           tn::Dense<10>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
