// Transfer learning: filters pretrained on colour images (3 input channels) do not fit
// the first convolution of a network on grey images (1 channel). copy_layers says so at
// compile time, with both input shapes.
#include <typenet/train/transfer.hpp>
#include <typenet/typenet.hpp>

using namespace tn;
using PretrainedOnColour = Sequential<Input<3, 32, 32>, Conv2D<16, Kernel<3>, Pad<1>>, ReLU, MaxPool<2>, Flatten, Dense<9>>;
using OnGrey = Sequential<Input<1, 32, 32>, Conv2D<16, Kernel<3>, Pad<1>>, ReLU, MaxPool<2>, Flatten, Dense<2>>;

int main() {
    Model<PretrainedOnColour> pretrained;
    Model<OnGrey> net;
    copy_layers<3>(pretrained, net);
}
// expect-gcc: static assertion failed: copy_layers: this layer's weights have another size than the source model's
// expect-gcc: WeightsDoNotFit<tn::LayerIndex<0>, tn::Expected<3, 32, 32>, tn::Got<1, 32, 32>, false>::ok
// expect-clang: 'WeightsDoNotFit<tn::LayerIndex<0>, tn::Expected<3, 32, 32>, tn::Got<1, 32, 32>, false>::ok'
// expect-clang: "copy_layers: this layer's weights have another size than the source model's
