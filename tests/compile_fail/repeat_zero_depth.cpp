// Repeat<0, ...>: no copy of the block. Nothing inside it is bound, so its layers
// add no error of their own.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Repeat<N, ...>: N, the number of copies, must be at least 1
// expect-gcc: note: 'tn::ZeroSizedLayer<tn::Repeat<0, tn::Dense<8>, tn::ReLU>, false>::ok' evaluates to false
// expect-clang: 'ZeroSizedLayer<tn::Repeat<0, tn::Dense<8>, tn::ReLU>, false>::ok'
// expect-clang: "Repeat<N, ...>: N, the number of copies, must be at least 1"

using namespace tn;
using Net = Sequential<Input<8>, Repeat<0, Dense<8>, ReLU>, Dense<2>>;

int main() {
    Model<Net> model{Seed{1}};
    model.summary();
}
