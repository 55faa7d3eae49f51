// A Residual block must return the shape it was given (it computes x + f(x)):
// ShapeMismatch carries what was expected and what the block returned.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Residual: the block must return the shape it was given, since it computes x + f(x)
// expect-gcc: note: 'tn::ShapeMismatch<tn::Residual<tn::Dense<4>, tn::ReLU>, tn::Expected<8>, tn::Got<4>, false>::ok' evaluates to false
// expect-clang: 'ShapeMismatch<tn::Residual<tn::Dense<4>, tn::ReLU>, tn::Expected<8>, tn::Got<4>, false>::ok'
// expect-clang: "Residual: the block must return the shape it was given, since it computes x + f(x)"

using Net = tn::Sequential<tn::Input<8>, tn::Residual<tn::Dense<4>, tn::ReLU>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
