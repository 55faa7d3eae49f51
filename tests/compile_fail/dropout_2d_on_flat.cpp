// Dropout2D drops channels of an image; on a flat input it is an error.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Dropout2D: input must be an image [channels, height, width] (rank 3); use Dropout otherwise
// expect-gcc: note: 'tn::RankMismatch<tn::Dropout2D<20>, tn::Rank<3>, tn::Got<8>, false>::ok' evaluates to false
// expect-clang: 'RankMismatch<tn::Dropout2D<20, 100>, tn::Rank<3>, tn::Got<8>, false>::ok'
// expect-clang: "Dropout2D: input must be an image [channels, height, width] (rank 3); use Dropout otherwise"

using Net = tn::Sequential<tn::Input<20>, tn::Dense<8>, tn::Dropout2D<20>, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
