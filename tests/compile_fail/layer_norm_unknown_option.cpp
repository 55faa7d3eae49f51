// LayerNorm takes Epsilon<...> and NoAffine; BatchNorm's RunningMomentum (there are no
// running statistics in a layer norm) is named as the stray option.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: LayerNorm: unknown option; LayerNorm takes Epsilon<Num, Den> and NoAffine
// expect-gcc: note: 'tn::UnknownOption<tn::LayerNorm<tn::RunningMomentum<1, 10> >, tn::RunningMomentum<1, 10>, false>::ok' evaluates to false
// expect-clang: 'UnknownOption<tn::LayerNorm<tn::RunningMomentum<1, 10>>, tn::RunningMomentum<1, 10>, false>::ok'

using Net = tn::Sequential<tn::Input<4, 8>, tn::LayerNorm<tn::RunningMomentum<1, 10>>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
