// LSTM<0>: a hidden state of no floats. ZeroSizedLayer names the spec, the 0 in it, and the layers after stay silent.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: RNN<H>, LSTM<H>, GRU<H>: H, the size of the hidden state, must be at least 1
// expect-gcc: note: 'tn::ZeroSizedLayer<tn::LSTM<0>, false>::ok' evaluates to false
// expect-clang: 'ZeroSizedLayer<tn::LSTM<0>, false>::ok'
// expect-clang: "RNN<H>, LSTM<H>, GRU<H>: H, the size of the hidden state, must be at least 1"

using Net = tn::Sequential<tn::Input<5, 4>, tn::LSTM<0>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
