// BatchNorm takes RunningMomentum<...> and Epsilon<...>; anything else is named.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: BatchNorm: unknown option; BatchNorm takes RunningMomentum<Num, Den> and Epsilon<Num, Den>
// expect-gcc: note: 'tn::UnknownOption<tn::BatchNorm<tn::Epsilon<1, 1000>, tn::L2<1, 100> >, tn::L2<>, false>::ok' evaluates to false
// expect-clang: 'UnknownOption<tn::BatchNorm<tn::Epsilon<1, 1000>, tn::L2<1, 100>>, tn::L2<1, 100>, false>::ok'
// expect-clang: "BatchNorm: unknown option; BatchNorm takes RunningMomentum<Num, Den> and Epsilon<Num, Den>"

using Net = tn::Sequential<tn::Input<8>, tn::BatchNorm<tn::Epsilon<1, 1000>, tn::L2<>>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
