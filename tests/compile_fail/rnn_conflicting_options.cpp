// ReturnSequences and LastState together: two output shapes asked for at once.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: recurrent layer: ReturnSequences (output [T, H]) and LastState (output [H]) contradict each other; give one
// expect-gcc: note: 'tn::ConflictingOptions<tn::RNN<8, tn::LastState, tn::ReturnSequences>, tn::ReturnSequences, tn::LastState, false>::ok' evaluates to false
// expect-clang: 'ConflictingOptions<tn::RNN<8, tn::LastState, tn::ReturnSequences>, tn::ReturnSequences, tn::LastState, false>::ok'
// expect-clang: "recurrent layer: ReturnSequences (output [T, H]) and LastState (output [H]) contradict each other; give one"

using Net = tn::Sequential<tn::Input<5, 4>, tn::RNN<8, tn::LastState, tn::ReturnSequences>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
