// BatchNorm2D insists on an image; BatchNorm takes flat inputs.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: BatchNorm2D: input must be an image [channels, height, width] (rank 3); use BatchNorm for [features] or [time, features]
// expect-gcc: note: 'tn::RankMismatch<tn::BatchNorm2D<>, tn::Rank<3>, tn::Got<8>, false>::ok' evaluates to false
// expect-clang: 'RankMismatch<tn::BatchNorm2D<>, tn::Rank<3>, tn::Got<8>, false>::ok'
// expect-clang: "BatchNorm2D: input must be an image [channels, height, width] (rank 3); use BatchNorm for [features] or [time, features]"

using Net = tn::Sequential<tn::Input<20>, tn::Dense<8>, tn::BatchNorm2D<>, tn::ReLU, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
