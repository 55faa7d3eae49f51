// copy_layers: pretrained weights that do not fit the new network's layer (its input
// has another number of features) are a compile error naming the layer and both inputs.
#include <typenet/train/transfer.hpp>
#include <typenet/typenet.hpp>

using namespace tn;
using Pretrained = Sequential<Input<3, 8>, Dense<16>, ReLU, Dense<4>>;
using Wider = Sequential<Input<3, 6>, Dense<16>, ReLU, Dense<2>>;

int main() {
    Model<Pretrained> from;
    Model<Wider> to;
    copy_layers<2>(from, to);
}
// expect-gcc: static assertion failed: copy_layers: this layer's weights have another size than the source model's
// expect-gcc: WeightsDoNotFit<tn::LayerIndex<0>, tn::Expected<3, 8>, tn::Got<3, 6>, false>::ok
// expect-clang: 'WeightsDoNotFit<tn::LayerIndex<0>, tn::Expected<3, 8>, tn::Got<3, 6>, false>::ok'
// expect-clang: "copy_layers: this layer's weights have another size than the source model's
