// RMSNorm, like LayerNorm, normalises the last axis of [features] or [time, features].
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: RMSNorm: input must be [features] or [time, features] (rank 1 or 2)
// expect-gcc: note: 'tn::RankMismatch<tn::RMSNorm<>, tn::Rank<1, 2>, tn::Got<2, 4, 4>, false>::ok' evaluates to false
// expect-clang: 'RankMismatch<tn::RMSNorm<>, tn::Rank<1, 2>, tn::Got<2, 4, 4>, false>::ok'

using Net = tn::Sequential<tn::Input<2, 4, 4>, tn::RMSNorm<>, tn::Flatten, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
