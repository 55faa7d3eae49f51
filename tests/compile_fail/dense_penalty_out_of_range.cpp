// L2<1, 0>: a strength with a zero denominator. The layer that takes the option names
// it (the option itself asserts nothing, so training code that reads its value later
// adds no error of its own).
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: L1<Num, Den>, L2<Num, Den>: the strength Num/Den must be >= 0, with Den > 0
// expect-gcc: note: 'tn::OptionOutOfRange<tn::Dense<8, tn::L2<1, 0> >, tn::L2<1, 0>, false>::ok' evaluates to false
// expect-clang: 'OptionOutOfRange<tn::Dense<8, tn::L2<1, 0>>, tn::L2<1, 0>, false>::ok'

using namespace tn;
using Net = Sequential<Input<8>, Dense<8, L2<1, 0>>, ReLU, Dense<2>>;

int main() {
    Model<Net> model{Seed{7}};
    float targets[1] = {0};
    SGD sgd{{.lr = 0.1f}};
    model.train_step(1, targets, SoftmaxCrossEntropy{}, sgd);
}
