// Same with an even kernel would need unequal padding on the two sides.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Conv2D: Same padding needs stride 1 and an odd kernel (use Pad<p> otherwise)
// expect-gcc: note: 'tn::InvalidSamePadding<tn::Conv2D<4, tn::Kernel<4, 4>, tn::Same>, tn::Kernel<4>, tn::Stride<1, 1>, false>::ok' evaluates to false
// expect-clang: 'InvalidSamePadding<tn::Conv2D<4, tn::Kernel<4, 4>, tn::Same>, tn::Kernel<4, 4>, tn::Stride<1, 1>, false>::ok'
// expect-clang: "Conv2D: Same padding needs stride 1 and an odd kernel (use Pad<p> otherwise)"

using Net = tn::Sequential<tn::Input<3, 8, 8>, tn::Conv2D<4, tn::Kernel<4>, tn::Same>, tn::Flatten, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
