// A nested model that is broken on its own Input: the error is the first broken rule
// inside it, and the mismatch with what it is given (8 features) is not judged then.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Dense: input is an image or volume (rank 3 or more); put Flatten before Dense
// expect-gcc: note: 'tn::NeedsFlatInput<tn::Dense<8>, tn::Got<1, 4, 4>, false>::ok' evaluates to false
// expect-clang: 'NeedsFlatInput<tn::Dense<8>, tn::Got<1, 4, 4>, false>::ok'

using namespace tn;
using Block = Sequential<Input<1, 4, 4>, Dense<8>, ReLU>;  // forgot Flatten
using Net = Sequential<Input<8>, Block, Dense<2>>;

int main() {
    Model<Net> model{Seed{1}};
    model.summary();
}
