// A repeated block must return the shape it was given: copy 2 is given copy 1's
// output. Repeat reports it, naming both copies and both shapes, before any layer of
// copy 2 is bound (Dense<64> would take 64 features; the mistake is the block's).
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Repeat: copy 1 of the block outputs Got<...>, but copy 2 needs the shape the block was given, Expected<...>; a repeated block must return the shape it was given
// expect-gcc: note: 'tn::RepeatChangesShape<tn::Repeat<3, tn::Dense<64>, tn::ReLU>, tn::Copy<1>, tn::Got<64>, tn::Copy<2>, tn::Expected<32>, false>::ok' evaluates to false
// expect-clang: 'RepeatChangesShape<tn::Repeat<3, tn::Dense<64>, tn::ReLU>, tn::Copy<1>, tn::Got<64>, tn::Copy<2>, tn::Expected<32>, false>::ok'
// expect-clang: "Repeat: copy 1 of the block outputs Got<...>, but copy 2 needs the shape the block was given, Expected<...>; a repeated block must return the shape it was given"

using namespace tn;
using Net = Sequential<Input<32>, Repeat<3, Dense<64>, ReLU>, Dense<2>>;

int main() {
    Model<Net> model{Seed{1}};
    model.summary();
}
