// A recurrent layer given an image [C, H, W]: a sequence is rank 2.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: a recurrent layer reads a sequence [T, D] (rank 2: T steps of D features)
// expect-gcc: note: 'tn::NeedsSequence<tn::GRU<16>, tn::Got<3, 8, 8>, false>::ok' evaluates to false
// expect-clang: 'NeedsSequence<tn::GRU<16>, tn::Got<3, 8, 8>, false>::ok'
// expect-clang: "a recurrent layer reads a sequence [T, D] (rank 2: T steps of D features)

using Net = tn::Sequential<tn::Input<3, 8, 8>, tn::GRU<16>, tn::Dense<3>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
