// Dense on a rank-3 input: the rule NeedsFlatInput names the layer and the shape it
// got, and the message says what to do (put Flatten before Dense).
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Dense: input is an image or volume (rank 3 or more); put Flatten before Dense
// expect-gcc: note: 'tn::NeedsFlatInput<tn::Dense<10>, tn::Got<1, 28, 28>, false>::ok' evaluates to false
// expect-clang: 'NeedsFlatInput<tn::Dense<10>, tn::Got<1, 28, 28>, false>::ok'
// expect-clang: "Dense: input is an image or volume (rank 3 or more); put Flatten before Dense"

using Net = tn::Sequential<tn::Input<1, 28, 28>, tn::Dense<10>, tn::ReLU, tn::Dense<3>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
