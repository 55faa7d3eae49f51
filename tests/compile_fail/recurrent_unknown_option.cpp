// An option the recurrent layers do not take (an activation, as Keras's activation= argument) names the layer and the option.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: recurrent layer: unknown option; RNN, LSTM and GRU take ReturnSequences, LastState and Stateful
// expect-gcc: note: 'tn::UnknownOption<tn::GRU<8, tn::Tanh>, tn::Tanh, false>::ok' evaluates to false
// expect-clang: 'UnknownOption<tn::GRU<8, tn::Tanh>, tn::Tanh, false>::ok'
// expect-clang: "recurrent layer: unknown option; RNN, LSTM and GRU take ReturnSequences, LastState and Stateful"

using Net = tn::Sequential<tn::Input<5, 4>, tn::GRU<8, tn::Tanh>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
