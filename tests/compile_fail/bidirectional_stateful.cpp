// Stateful inside Bidirectional: the backward direction has no next call to carry its state to.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Bidirectional: its layers cannot be Stateful
// expect-gcc: note: 'tn::StatefulBidirectional<tn::Bidirectional<tn::LSTM<4, tn::Stateful> >, tn::LSTM<4, tn::Stateful>, false>::ok' evaluates to false
// expect-clang: 'StatefulBidirectional<tn::Bidirectional<tn::LSTM<4, tn::Stateful>, tn::Concat, tn::LSTM<4, tn::Stateful>>, tn::LSTM<4, tn::Stateful>, false>::ok'
// expect-clang: "Bidirectional: its layers cannot be Stateful

using Net = tn::Sequential<tn::Input<6, 4>, tn::Bidirectional<tn::LSTM<4, tn::Stateful>>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
