// BatchNorm normalises [features], [time, features] or [channels, height, width]:
// a rank-4 input is an error naming the ranks it takes and the shape it got.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: BatchNorm: input must be [features], [time, features] or [channels, height, width] (rank 1 to 3)
// expect-gcc: note: 'tn::RankMismatch<tn::BatchNorm<>, tn::Rank<1, 2, 3>, tn::Got<2, 3, 4, 5>, false>::ok' evaluates to false
// expect-clang: 'RankMismatch<tn::BatchNorm<>, tn::Rank<1, 2, 3>, tn::Got<2, 3, 4, 5>, false>::ok'
// expect-clang: "BatchNorm: input must be [features], [time, features] or [channels, height, width] (rank 1 to 3)"

using Net = tn::Sequential<tn::Input<2, 3, 4, 5>, tn::BatchNorm<>, tn::Flatten, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
