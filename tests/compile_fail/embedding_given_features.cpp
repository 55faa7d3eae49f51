// An Embedding fed float features: the rule NeedsTokens names the layer and the
// shape it got.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Embedding: its input must be token ids; start the model with Tokens<T>, not Input<...> (float features go straight to Dense, or to a recurrent layer as [T, D])
// expect-gcc: note: 'tn::NeedsTokens<tn::Embedding<100, 16>, tn::Got<784>, false>::ok' evaluates to false
// expect-clang: 'NeedsTokens<tn::Embedding<100, 16>, tn::Got<784>, false>::ok'

using Net = tn::Sequential<tn::Input<784>, tn::Embedding<100, 16>, tn::Dense<3>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
