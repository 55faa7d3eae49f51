// Dense<0>: a layer with no outputs. ZeroSizedLayer names the spec (the 0 is in it),
// and the layers after it stay silent (no division by zero in the next Dense).
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Dense<N>: N, the number of output features, must be at least 1
// expect-gcc: note: 'tn::ZeroSizedLayer<tn::Dense<0>, false>::ok' evaluates to false
// expect-clang: 'ZeroSizedLayer<tn::Dense<0>, false>::ok'
// expect-clang: "Dense<N>: N, the number of output features, must be at least 1"

using Net = tn::Sequential<tn::Input<8>, tn::Dense<0>, tn::ReLU, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
