// The AlexNet-style network of lesson 16, shared with lesson 22 (transfer learning).
//
// It is written as torchvision writes AlexNet: a convolutional body, `features`, and a
// dense head, `classifier`, each a Sequential block. The whole network is then
//
//   Sequential<Input<3, 32, 32>, AlexNetFeatures, AlexNetClassifier<Classes>>
//
// so its parameters are named 0.* (the body) and 1.* (the head), and
// "replace the head" (lesson 22) is a type with another Classes: the body's tensors
// keep their names and shapes, only the head's last Dense changes.
#pragma once
#include <cstddef>

#include <typenet/typenet.hpp>

namespace emoji_nets {

using namespace tn;

// The emoji are 64 x 64; the lessons read them at 32 x 32 (CIFAR's size) because the
// shared CPU trains a 32 x 32 AlexNet four times faster, and the categories stay
// recognisable (a flag, a face, a car) at that size.
inline constexpr std::size_t image_size = 32;

// The body. AlexNet at 224 x 224 (shapes from torchvision):
//   Conv 11x11 stride 4 (64) -> 55, MaxPool 3/2 -> 27, Conv 5x5 (192), MaxPool 3/2 -> 13,
//   Conv 3x3 (384), Conv 3x3 (256), Conv 3x3 (256), MaxPool 3/2 -> 6, 256 x 6 x 6.
// Scaled to 32 x 32: the same pattern, one big strided convolution first, then
// overlapping 3/2 pools between groups of 3x3 convolutions, with fewer filters:
//
//   layer                                     output
//   Conv2D<24, Kernel<5>, Stride<2>, Pad<2>>  24 x 16 x 16   the big strided first look
//   MaxPool<3, 2, Pad<1>>                     24 x 8 x 8     windows of 3 every 2: they overlap
//   Conv2D<48, Kernel<3>, Same>               48 x 8 x 8
//   MaxPool<3, 2, Pad<1>>                     48 x 4 x 4
//   Conv2D<64, Kernel<3>, Same> x 2, Conv2D<48, Kernel<3>, Same>  48 x 4 x 4
//   MaxPool<3, 2, Pad<1>>                     48 x 2 x 2
//
// The pools pad by 1 so that 16 -> 8 -> 4 -> 2 halves exactly (unpadded, 3/2 pooling
// takes 16 to 7 and the last maps to 1 x 1). He initialisation suits the ReLUs.
using AlexNetFeatures = Sequential<Conv2D<24, Kernel<5>, Stride<2>, Pad<2>, Init<HeNormal>>, ReLU,
                                   MaxPool<3, 2, Pad<1>>,
                                   Conv2D<48, Kernel<3>, Same, Init<HeNormal>>, ReLU,
                                   MaxPool<3, 2, Pad<1>>,
                                   Conv2D<64, Kernel<3>, Same, Init<HeNormal>>, ReLU,
                                   Conv2D<64, Kernel<3>, Same, Init<HeNormal>>, ReLU,
                                   Conv2D<48, Kernel<3>, Same, Init<HeNormal>>, ReLU,
                                   MaxPool<3, 2, Pad<1>>>;

// The head: AlexNet's classifier was Dropout, Dense 4096, ReLU, Dropout, Dense 4096,
// ReLU, Dense 1000, dropping half of the units. Here 192 features go through two
// Dense<128> with dropout before each, as AlexNet's, to the class scores, dropping a
// fifth: 128 units with half of them gone left the network underfitting (58% on
// lesson 16's validation emoji after 30 epochs, against 63% with 20%).
template <std::size_t Classes>
using AlexNetClassifier = Sequential<Flatten,
                                     Dropout<20>, Dense<128, Init<HeNormal>>, ReLU,
                                     Dropout<20>, Dense<128, Init<HeNormal>>, ReLU,
                                     Dense<Classes>>;

template <std::size_t Classes>
using EmojiAlexNet = Sequential<Input<3, image_size, image_size>, AlexNetFeatures, AlexNetClassifier<Classes>>;

}  // namespace emoji_nets
