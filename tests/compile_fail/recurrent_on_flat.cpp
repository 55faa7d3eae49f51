// A recurrent layer given a flat vector: there is no time axis to run along.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: a recurrent layer reads a sequence [T, D] (rank 2: T steps of D features); start with Input<T, D>, or Tokens<T> and Embedding<V, D>
// expect-gcc: note: 'tn::NeedsSequence<tn::LSTM<64>, tn::Got<128>, false>::ok' evaluates to false
// expect-clang: 'NeedsSequence<tn::LSTM<64>, tn::Got<128>, false>::ok'
// expect-clang: "a recurrent layer reads a sequence [T, D] (rank 2: T steps of D features); start with Input<T, D>, or Tokens<T> and Embedding<V, D>"

using Net = tn::Sequential<tn::Input<128>, tn::LSTM<64>, tn::Dense<3>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
