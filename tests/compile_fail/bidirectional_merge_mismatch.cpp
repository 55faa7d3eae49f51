// Sum of two directions whose outputs differ in width (an LSTM<4> forwards, a GRU<3> backwards).
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Bidirectional: the two directions' outputs cannot be merged (Concat needs the same positions, Sum the same shape)
// expect-gcc: note: 'tn::DirectionsMismatch<tn::Bidirectional<tn::LSTM<4>, tn::Sum, tn::GRU<3> >, tn::Got<6, 4>, tn::Got<6, 3>, false>::ok' evaluates to false
// expect-clang: 'DirectionsMismatch<tn::Bidirectional<tn::LSTM<4>, tn::Sum, tn::GRU<3>>, tn::Got<6, 4>, tn::Got<6, 3>, false>::ok'
// expect-clang: "Bidirectional: the two directions' outputs cannot be merged (Concat needs the same positions, Sum the same shape)"

using Net = tn::Sequential<tn::Input<6, 4>, tn::Bidirectional<tn::LSTM<4>, tn::Sum, tn::GRU<3>>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
