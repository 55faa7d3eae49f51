// A model (a Sequential with its own Input) used as a block must be given the shape
// its Input declares: InputMismatch names the model and both shapes.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Sequential: a model used as a block is given another shape (Got) than its Input declares (Expected); change its Input, or drop the Input to make it a block that takes any shape
// expect-gcc: note: 'tn::InputMismatch<tn::Sequential<tn::Input<16>, tn::Dense<4>, tn::ReLU>, tn::Expected<16>, tn::Got<8>, false>::ok' evaluates to false
// expect-clang: 'InputMismatch<tn::Sequential<tn::Input<16>, tn::Dense<4>, tn::ReLU>, tn::Expected<16>, tn::Got<8>, false>::ok'
// expect-clang: "Sequential: a model used as a block is given another shape (Got) than its Input declares (Expected); change its Input, or drop the Input to make it a block that takes any shape"

using namespace tn;
using Encoder = Sequential<Input<16>, Dense<4>, ReLU>;
using Net = Sequential<Input<8>, Encoder, Dense<2>>;

int main() {
    Model<Net> model{Seed{1}};
    model.summary();
}
