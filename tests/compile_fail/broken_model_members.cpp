// After a shape error, user code that goes on to use the broken Model (summary,
// named parameters, predict, a training step, fit, evaluate) adds no error of its own.
#include <typenet/typenet.hpp>

#include <vector>

// expect-gcc: error: static assertion failed: Dense: input is an image or volume (rank 3 or more); put Flatten before Dense
// expect-gcc: note: 'tn::NeedsFlatInput<tn::Dense<16>, tn::Got<2, 4, 4>, false>::ok' evaluates to false
// expect-clang: 'NeedsFlatInput<tn::Dense<16>, tn::Got<2, 4, 4>, false>::ok'

using namespace tn;
using Broken = Sequential<Input<2, 4, 4>, Dense<16>, ReLU, Dense<3>>;

int main() {
    Model<Broken> model{Seed{7}};
    model.summary();
    auto named = model.named_parameters();
    std::vector<float> sample(32, 0.f);
    auto out = model.predict(sample);
    float targets[1] = {0};
    SGD sgd{{.lr = 0.1f}};
    model.train_step(1, targets, SoftmaxCrossEntropy{}, sgd);
    Dataset data("toy", 32, 1);
    data.add(sample, std::vector<float>{0.f});
    auto history = fit(model, data, SoftmaxCrossEntropy{}, sgd, {.epochs = 1, .batch = 1});
    auto score = evaluate(model, data, SoftmaxCrossEntropy{});
    return int(out.size() + named.size() + history.epochs.size()) + int(score.loss);
}
