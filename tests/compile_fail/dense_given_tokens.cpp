// Token ids given straight to Dense: the rule NeedsEmbedding names the layer and the
// length, and says what to put first.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: this layer is given token ids (Tokens<T>), which are integers, not features; put Embedding<Vocabulary, Dim> first to turn each id into a vector
// expect-gcc: note: 'tn::NeedsEmbedding<tn::Dense<10>, tn::Got<64>, false>::ok' evaluates to false
// expect-clang: 'NeedsEmbedding<tn::Dense<10>, tn::Got<64>, false>::ok'
// expect-clang: "this layer is given token ids (Tokens<T>), which are integers, not features; put Embedding<Vocabulary, Dim> first to turn each id into a vector"

using Net = tn::Sequential<tn::Tokens<64>, tn::Dense<10>, tn::ReLU, tn::Dense<3>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
