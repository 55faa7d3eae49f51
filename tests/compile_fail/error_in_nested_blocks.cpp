// A rule broken three containers deep (a Dense<0> inside a Residual inside a Repeat
// inside a Residual, after a nested model): still one error, on one screen.
#include <typenet/typenet.hpp>

// expect-gcc: note: 'tn::ZeroSizedLayer<tn::Dense<0>, false>::ok' evaluates to false
// expect-clang: 'ZeroSizedLayer<tn::Dense<0>, false>::ok'

using namespace tn;
using Block = Sequential<Input<8>, Dense<8>, ReLU>;
using Net = Sequential<Input<8>, Residual<Block>, Repeat<2, Block>, Residual<Repeat<2, Residual<Dense<8>, Dense<0>>>>,
                       Dense<2>>;

int main() {
    Model<Net> model{Seed{1}};
    model.summary();
}
