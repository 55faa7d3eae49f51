// An option Dense does not take (here an activation, written as Keras would) is an
// error naming the layer and the stray option, not silently ignored.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Dense: unknown option; Dense takes Init<...>, BiasInit<...>, NoBias, L1<...> and L2<...> (an activation is a layer of its own: Dense<N>, ReLU)
// expect-gcc: note: 'tn::UnknownOption<tn::Dense<4, tn::Init<tn::HeNormal>, tn::ReLU>, tn::ReLU, false>::ok' evaluates to false
// expect-clang: 'UnknownOption<tn::Dense<4, tn::Init<tn::HeNormal>, tn::ReLU>, tn::ReLU, false>::ok'
// expect-clang: "Dense: unknown option; Dense takes Init<...>, BiasInit<...>, NoBias, L1<...> and L2<...> (an activation is a layer of its own: Dense<N>, ReLU)"

using Net = tn::Sequential<tn::Input<8>, tn::Dense<4, tn::Init<tn::He>, tn::ReLU>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
