// A tensor of a model seen by name, as checkpoints, lessons and error messages see it.
#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace tn {

// A parameter tensor (Model::named_parameters()) or a buffer (named_buffers(), whose
// gradients span is empty).
struct NamedTensor {
    std::string name;
    std::vector<std::size_t> shape;
    std::span<float> values;
    std::span<float> gradients;
};

// One top-level layer's output after a forward (Model::for_each_layer_output).
struct LayerOutput {
    std::size_t index;  // the layer's position in the model: "<index>.weight"
    std::string name;   // "Dense<120>"
    std::span<const float> values;
};

}  // namespace tn
