// LeakyReLU<0, 1>: a zero slope (that is ReLU). The rule is judged where the
// activation is bound, so the Dense it would fuse with adds no error.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: activation: its parameter Num/Den must be positive (LeakyReLU<Num, Den>'s slope, ELU<Num, Den>'s alpha: Num > 0, Den > 0)
// expect-gcc: note: 'tn::InvalidParameter<tn::LeakyReLU<0, 1>, false>::ok' evaluates to false
// expect-clang: 'InvalidParameter<tn::LeakyReLU<0, 1>, false>::ok'

using namespace tn;
using Net = Sequential<Input<8>, Dense<8>, LeakyReLU<0, 1>, Dense<2>>;

int main() {
    Model<Net> model{Seed{1}};
    model.summary();
}
