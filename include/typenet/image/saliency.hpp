// Which pixels the model's answer depends on (Simonyan et al. 2014, "Deep Inside
// Convolutional Networks"): the gradient of one class's score (the model's output
// before any softmax the loss applies) with respect to the input image, its absolute
// value, the largest over the channels. Drawn as a heat map over the image.
//   auto s = tn::image::saliency(model, sample, predicted_class);
//   write_png("out/saliency.png", saliency_overlay(sample.data(), 1, 28, 28, s.data(), {.upscale = 8}));
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/image/image.hpp"
#include "typenet/image/saliency_overlay.hpp"
#include "typenet/model.hpp"

namespace tn::image {

// |d output[class_index] / d input|, [height, width] for an image input [C, H, W] (max
// over C) or [H, W]; for other inputs, one value per input. Runs forward in inference
// mode and backward on one sample; the model's gradients() are overwritten.
template <class Net>
std::vector<float> saliency(Model<Net>& model, std::span<const float> sample, std::size_t class_index) {
    using M = Model<Net>;
    if (sample.size() != M::input_size)
        throw std::invalid_argument("saliency: a sample has " + std::to_string(M::input_size) + " values, got " +
                                    std::to_string(sample.size()));
    if (class_index >= M::output_size)
        throw std::invalid_argument("saliency: class " + std::to_string(class_index) + " but the model has " +
                                    std::to_string(M::output_size) + " outputs");
    std::copy(sample.begin(), sample.end(), model.input(1));
    model.forward(1, false);
    std::vector<float> d_output(M::output_size, 0.f), d_input(M::input_size, 0.f);
    d_output[class_index] = 1.f;
    model.backward(d_output.data(), d_input.data());
    using In = typename M::input_shape;
    const std::size_t channels = In::rank == 3 ? In::dims[0] : 1;
    const std::size_t plane = M::input_size / channels;
    std::vector<float> out(plane, 0.f);
    for (std::size_t c = 0; c < channels; ++c)
        for (std::size_t i = 0; i < plane; ++i) out[i] = std::max(out[i], std::fabs(d_input[c * plane + i]));
    return out;
}

}  // namespace tn::image

