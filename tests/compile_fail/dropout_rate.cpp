// Dropout's rate Num/Den must be below 1: at 1 every value is dropped and the
// survivors' scale 1/(1 - p) is infinite.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Dropout<Num, Den>: the rate Num/Den must be at least 0 and below 1 (Dropout<50> drops half)
// expect-gcc: note: 'tn::InvalidParameter<tn::Dropout<100>, false>::ok' evaluates to false
// expect-clang: 'InvalidParameter<tn::Dropout<100, 100>, false>::ok'
// expect-clang: "Dropout<Num, Den>: the rate Num/Den must be at least 0 and below 1 (Dropout<50> drops half)"

using Net = tn::Sequential<tn::Input<8>, tn::Dense<4>, tn::Dropout<100>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
