// Same keeps the input's size, which a stride of 2 cannot: the error shows both.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Conv2D: Same padding needs stride 1 and an odd kernel (use Pad<p> otherwise)
// expect-gcc: note: 'tn::InvalidSamePadding<tn::Conv2D<4, tn::Kernel<3, 3>, tn::Same, tn::Stride<2, 2> >, tn::Kernel<3>, tn::Stride<2>, false>::ok' evaluates to false
// expect-clang: 'InvalidSamePadding<tn::Conv2D<4, tn::Kernel<3, 3>, tn::Same, tn::Stride<2, 2>>, tn::Kernel<3, 3>, tn::Stride<2, 2>, false>::ok'
// expect-clang: "Conv2D: Same padding needs stride 1 and an odd kernel (use Pad<p> otherwise)"

using Net = tn::Sequential<tn::Input<3, 8, 8>, tn::Conv2D<4, tn::Kernel<3>, tn::Same, tn::Stride<2>>, tn::Flatten,
                           tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
