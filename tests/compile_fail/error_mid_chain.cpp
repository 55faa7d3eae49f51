// A shape rule that fails in the middle of a long chain: exactly one error. The
// layers after it are bound to an invalid shape and stay silent, even those whose
// own rules would fail on garbage (the Residual and the Dense on an image below).
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Dense: input is an image or volume (rank 3 or more); put Flatten before Dense
// expect-gcc: note: 'tn::NeedsFlatInput<tn::Dense<64>, tn::Got<3, 8, 8>, false>::ok' evaluates to false
// expect-clang: 'NeedsFlatInput<tn::Dense<64>, tn::Got<3, 8, 8>, false>::ok'

using namespace tn;
using Net = Sequential<Input<3, 8, 8>, Identity, Tanh, Identity, ReLU, Identity,  // fine so far
                       Dense<64>,                                                 // forgot Flatten
                       ReLU, Dense<32>, Residual<Dense<16>>, Dense<10>, Sigmoid, Dense<8>, Tanh,
                       Repeat<3, Residual<Dense<8>, GELU>>, Softmax, Dense<4>, Dense<2>>;

int main() {
    Model<Net> model{Seed{1}};
    model.summary();
}
