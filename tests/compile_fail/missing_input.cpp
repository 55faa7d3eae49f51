// A Model of a Sequential without an Input: MissingInput, and nothing after it
// (Model's members work on an empty stand-in once the rule has failed).
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Model: the network has no Input; write Sequential<Input<dims...>, layers...>
// expect-gcc: note: 'tn::MissingInput<tn::Sequential<tn::Dense<4>, tn::ReLU, tn::Dense<2> >, false>::ok' evaluates to false
// expect-clang: 'MissingInput<tn::Sequential<tn::Dense<4>, tn::ReLU, tn::Dense<2>>, false>::ok'
// expect-clang: "Model: the network has no Input; write Sequential<Input<dims...>, layers...>"

using Net = tn::Sequential<tn::Dense<4>, tn::ReLU, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
    float targets[2] = {0, 1};
    tn::SGD sgd{{.lr = 0.1f}};
    model.train_step(1, targets, tn::MSE{}, sgd);
}
