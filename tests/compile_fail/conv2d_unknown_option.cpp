// An activation given as an option (Keras's activation='relu') is an error naming it.
#include <typenet/typenet.hpp>

// expect-gcc: error: static assertion failed: Conv2D: unknown option; Conv2D takes Kernel<...>, Stride<...>, Pad<...>, Same, Valid, Dilation<...>, InChannels<C>, Init<...>, BiasInit<...>, NoBias, L1<...> and L2<...> (an activation is a layer of its own: Conv2D<F, Kernel<3>>, ReLU)
// expect-gcc: note: 'tn::UnknownOption<tn::Conv2D<4, tn::Kernel<3, 3>, tn::ReLU>, tn::ReLU, false>::ok' evaluates to false
// expect-clang: 'UnknownOption<tn::Conv2D<4, tn::Kernel<3, 3>, tn::ReLU>, tn::ReLU, false>::ok'
// expect-clang: "Conv2D: unknown option; Conv2D takes Kernel<...>, Stride<...>, Pad<...>, Same, Valid, Dilation<...>, InChannels<C>, Init<...>, BiasInit<...>, NoBias, L1<...> and L2<...> (an activation is a layer of its own: Conv2D<F, Kernel<3>>, ReLU)"

using Net = tn::Sequential<tn::Input<1, 8, 8>, tn::Conv2D<4, tn::Kernel<3>, tn::ReLU>, tn::Flatten, tn::Dense<2>>;

int main() {
    tn::Model<Net> model{tn::Seed{1}};
    model.summary();
}
