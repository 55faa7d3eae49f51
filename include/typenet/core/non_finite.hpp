// The messages of a NumericError (core/numeric_error.hpp): where a NaN or an
// infinity first showed in a training step. Model::train_step gathers what it saw
// (the batch, each layer's output, the parameters) into plain views and these
// functions, which know nothing of the network's type, find the first bad place.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/core/named_tensor.hpp"

namespace tn::detail {

// The loss of step `step` is not finite: names the first sample of the batch whose
// input is bad, else the first layer whose output is, and that layer's parameters
// when they already were; or, with every output finite, the largest output.
TYPENET_INLINE std::string describe_non_finite_loss(std::uint64_t step, float loss, std::span<const float> input,
                                                    std::size_t input_size, const std::vector<LayerOutput>& outputs,
                                                    const std::vector<NamedTensor>& parameters);

// The optimizer's update of step `step` left a parameter non-finite: names the
// first such tensor, its first bad element, and the gradient that led there.
TYPENET_INLINE std::string describe_non_finite_update(std::uint64_t step, const std::vector<NamedTensor>& parameters);

}  // namespace tn::detail

#if TYPENET_DEFINE_BODIES
#include "typenet/core/non_finite.ipp"
#endif
