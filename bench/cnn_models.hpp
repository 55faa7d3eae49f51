// The networks of the CNN benchmarks (the CNN issue's LeNet-5 and VGG-small, as their
// PyTorch twins in bench/peers/cnn_torch.py define them) and the random batches they
// train on: the speed does not depend on the values.
#pragma once
#include <cstddef>
#include <vector>

#include <typenet/typenet.hpp>

namespace bench {

using LeNet5 = tn::Sequential<tn::Input<1, 28, 28>, tn::Conv2D<6, tn::Kernel<5>, tn::Pad<2>>, tn::ReLU, tn::MaxPool<2>,
                              tn::Conv2D<16, tn::Kernel<5>>, tn::ReLU, tn::MaxPool<2>, tn::Flatten, tn::Dense<120>,
                              tn::ReLU, tn::Dense<84>, tn::ReLU, tn::Dense<10>>;
using VggSmall =
    tn::Sequential<tn::Input<3, 32, 32>, tn::Conv2D<32, tn::Kernel<3>, tn::Pad<1>>, tn::ReLU,
                   tn::Conv2D<32, tn::Kernel<3>, tn::Pad<1>>, tn::ReLU, tn::MaxPool<2>,
                   tn::Conv2D<64, tn::Kernel<3>, tn::Pad<1>>, tn::ReLU, tn::Conv2D<64, tn::Kernel<3>, tn::Pad<1>>,
                   tn::ReLU, tn::MaxPool<2>, tn::Flatten, tn::Dense<256>, tn::ReLU, tn::Dense<10>>;

// `count` batches of `batch` inputs of `width` floats in [0, 1) and labels 0-9, seeded.
struct RandomBatches {
    std::size_t batch, width;
    std::vector<float> inputs, labels;
    RandomBatches(std::size_t count, std::size_t batch_size, std::size_t input_width)
        : batch(batch_size), width(input_width), inputs(count * batch_size * input_width), labels(count * batch_size) {
        tn::Rng rng{tn::Seed{7}};
        for (float& v : inputs) v = rng.uniform();
        for (float& t : labels) t = float(rng.below(10));
    }
    const float* input(std::size_t b) const { return inputs.data() + b * batch * width; }
    const float* label(std::size_t b) const { return labels.data() + b * batch; }
};

}  // namespace bench
