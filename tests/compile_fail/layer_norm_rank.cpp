// LayerNorm normalises the last axis of [features] or [time, features]: an image is
// an error naming the ranks it takes and the shape it got.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: LayerNorm: input must be [features] or [time, features] (rank 1 or 2): it normalises the last axis; for an image [C, H, W] use BatchNorm2D, or Flatten first
// expect-gcc: note: 'tn::RankMismatch<tn::LayerNorm<>, tn::Rank<1, 2>, tn::Got<3, 8, 8>, false>::ok' evaluates to false
// expect-clang: 'RankMismatch<tn::LayerNorm<>, tn::Rank<1, 2>, tn::Got<3, 8, 8>, false>::ok'
// expect-clang: "LayerNorm: input must be [features] or [time, features] (rank 1 or 2)

using Net = tn::Sequential<tn::Input<3, 8, 8>, tn::LayerNorm<>, tn::Flatten, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
