// InChannels<3> declares an RGB input (say, for pretrained weights); a grey image is an error.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Conv2D: the input's channels differ from InChannels<C>
// expect-gcc: note: 'tn::InChannelsMismatch<tn::Conv2D<8, tn::Kernel<3, 3>, tn::InChannels<3> >, tn::InChannels<3>, tn::Got<1, 28, 28>, false>::ok' evaluates to false
// expect-clang: 'InChannelsMismatch<tn::Conv2D<8, tn::Kernel<3, 3>, tn::InChannels<3>>, tn::InChannels<3>, tn::Got<1, 28, 28>, false>::ok'
// expect-clang: "Conv2D: the input's channels differ from InChannels<C>"

using Net = tn::Sequential<tn::Input<1, 28, 28>, tn::Conv2D<8, tn::Kernel<3>, tn::InChannels<3>>, tn::Flatten,
                           tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
