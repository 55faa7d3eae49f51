// An Input with a zero dimension: ZeroSizedDimension shows the dimensions given.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Input: every dimension must be at least 1
// expect-gcc: note: 'tn::ZeroSizedDimension<tn::Input<3, 0>, tn::Got<3, 0>, false>::ok' evaluates to false
// expect-clang: 'ZeroSizedDimension<tn::Input<3, 0>, tn::Got<3, 0>, false>::ok'
// expect-clang: "Input: every dimension must be at least 1"

using Net = tn::Sequential<tn::Input<3, 0>, tn::Dense<4>, tn::Tanh, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
