// Conv2D on a flat vector: the rank rule names the rank it needs and the shape it got.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Conv2D: input must be an image [channels, height, width] (rank 3); a flat input needs a reshape first (e.g. Input<1, 28, 28>)
// expect-gcc: note: 'tn::RankMismatch<tn::Conv2D<6, tn::Kernel<5, 5> >, tn::Rank<3>, tn::Got<784>, false>::ok' evaluates to false
// expect-clang: 'RankMismatch<tn::Conv2D<6, tn::Kernel<5, 5>>, tn::Rank<3>, tn::Got<784>, false>::ok'
// expect-clang: "Conv2D: input must be an image [channels, height, width] (rank 3); a flat input needs a reshape first (e.g. Input<1, 28, 28>)"

using Net = tn::Sequential<tn::Input<784>, tn::Conv2D<6, tn::Kernel<5>>, tn::ReLU, tn::Flatten, tn::Dense<10>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
