// LearnedPositions takes Init<...>; Embedding's PaddingId is named as the stray option.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: LearnedPositions: unknown option; LearnedPositions takes Init<...>
// expect-gcc: note: 'tn::UnknownOption<tn::LearnedPositions<8, tn::PaddingId<0> >, tn::PaddingId<0>, false>::ok' evaluates to false
// expect-clang: 'UnknownOption<tn::LearnedPositions<8, tn::PaddingId<0>>, tn::PaddingId<0>, false>::ok'

using Net = tn::Sequential<tn::Input<4, 8>, tn::LearnedPositions<8, tn::PaddingId<0>>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
