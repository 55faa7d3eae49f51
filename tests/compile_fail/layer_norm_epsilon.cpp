// Epsilon<0, 1>: a constant row would divide by the square root of a zero variance.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: RMSNorm: Epsilon<Num, Den> must be positive (Num > 0, Den > 0)
// expect-gcc: note: 'tn::OptionOutOfRange<tn::RMSNorm<tn::Epsilon<0, 1> >, tn::Epsilon<0, 1>, false>::ok' evaluates to false
// expect-clang: 'OptionOutOfRange<tn::RMSNorm<tn::Epsilon<0, 1>>, tn::Epsilon<0, 1>, false>::ok'

using Net = tn::Sequential<tn::Input<4, 8>, tn::RMSNorm<tn::Epsilon<0, 1>>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
