// The control case: a correct network that uses everything the failing cases do
// must compile with no error, so that a failure of theirs is the one they expect
// and not a broken include path or flag.
#include <typenet/typenet.hpp>

#include <vector>

using namespace tn;
using Block = Sequential<Input<16>, Dense<16>, ReLU>;  // a model used as a block
using Net = Sequential<Input<2, 4, 4>, BatchNorm<>, Flatten, Dense<16, Init<He>, L2<1, 10000>>, ReLU,
                       Residual<Dense<16>, GELU>, Repeat<2, Residual<Dense<16>, Tanh>>, Block, Repeat<2, Block>,
                       Dropout<20>, Dense<3, BiasInit<Constant<1, 10>>>>;

int main() {
    Model<Net> model{Seed{7}};
    model.summary();
    auto named = model.named_parameters();
    auto buffers = model.named_buffers();
    model.set_regularization({.l2 = 1e-4f});
    model.set_dropout_rate(0.1f);
    std::vector<float> sample(32, 0.f);
    auto out = model.predict(sample);
    float targets[1] = {0};
    SGD sgd{{.lr = 0.1f}};
    model.train_step(1, targets, SoftmaxCrossEntropy{}, sgd);
    Dataset data("toy", 32, 1);
    data.add(sample, std::vector<float>{0.f});
    auto history = fit(model, data, SoftmaxCrossEntropy{}, sgd, {.epochs = 1, .batch = 1});
    auto score = evaluate(model, data, SoftmaxCrossEntropy{});
    return int(out.size() + named.size() + buffers.size() + history.epochs.size()) + int(score.loss);
}
