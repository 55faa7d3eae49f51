// Epsilon<0, 1>: BatchNorm would divide by the square root of a zero variance.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: BatchNorm: RunningMomentum<Num, Den> must be in [0, 1] and Epsilon<Num, Den> positive (Den > 0)
// expect-gcc: note: 'tn::OptionOutOfRange<tn::BatchNorm<tn::Epsilon<0, 1> >, tn::Epsilon<0, 1>, false>::ok' evaluates to false
// expect-clang: 'OptionOutOfRange<tn::BatchNorm<tn::Epsilon<0, 1>>, tn::Epsilon<0, 1>, false>::ok'

using namespace tn;
using Net = Sequential<Input<8>, Dense<8>, BatchNorm<Epsilon<0, 1>>, ReLU, Dense<2>>;

int main() {
    Model<Net> model{Seed{7}};
    float targets[1] = {0};
    SGD sgd{{.lr = 0.1f}};
    model.train_step(1, targets, SoftmaxCrossEntropy{}, sgd);
}
