// MultiHeadAttention<4> on a width of 6: four heads cannot split 6 features evenly.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: MultiHeadAttention<Heads>: Heads must divide the model width D (each head attends in D / Heads dimensions)
// expect-gcc: note: 'tn::HeadsDoNotDivideWidth<tn::MultiHeadAttention<4>, tn::HeadCount<4>, tn::ModelWidth<6>, false>::ok' evaluates to false
// expect-clang: 'HeadsDoNotDivideWidth<tn::MultiHeadAttention<4>, tn::HeadCount<4>, tn::ModelWidth<6>, false>::ok'
// expect-clang: "MultiHeadAttention<Heads>: Heads must divide the model width D

using Net = tn::Sequential<tn::Input<10, 6>, tn::MultiHeadAttention<4>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
