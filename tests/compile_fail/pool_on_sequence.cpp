// MaxPool on a [time, features] input: pools need an image [C, H, W].
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Pooling: input must be an image [channels, height, width] (rank 3)
// expect-gcc: note: 'tn::RankMismatch<tn::MaxPool<2>, tn::Rank<3>, tn::Got<3, 10>, false>::ok' evaluates to false
// expect-clang: 'RankMismatch<tn::MaxPool<2, 2>, tn::Rank<3>, tn::Got<3, 10>, false>::ok'
// expect-clang: "Pooling: input must be an image [channels, height, width] (rank 3)"

using Net = tn::Sequential<tn::Input<3, 10>, tn::MaxPool<2>, tn::Flatten, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
