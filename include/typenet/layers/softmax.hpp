// Softmax over the last axis: probabilities over classes (or over positions, for
// attention). For training a classifier prefer SoftmaxCrossEntropy on the logits,
// which fuses the two into one stable pass.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>

#include "typenet/core/layer.hpp"

namespace tn {

namespace detail {
template <class In>
struct SoftmaxLayer {
    using input_shape = In;
    using output_shape = In;
    static constexpr std::size_t classes = In::dims[In::rank - 1];
    static std::string name() { return "Softmax"; }

    static void forward(const Pass& p, const float*, const float* x, float* y, float*, float*) {
        const std::size_t rows = p.batch * In::size / classes;
        for (std::size_t r = 0; r < rows; ++r) {
            const float* xr = x + r * classes;
            float* yr = y + r * classes;
            const float m = *std::max_element(xr, xr + classes);
            float sum = 0.f;
            for (std::size_t k = 0; k < classes; ++k) sum += (yr[k] = std::exp(xr[k] - m));
            const float inv = 1.f / sum;
            for (std::size_t k = 0; k < classes; ++k) yr[k] *= inv;
        }
    }
    // dx = y * (dy - sum_k dy_k y_k)
    static void backward(const Pass& p, const float*, const float*, const float* y, const float* dy, float* dx,
                         float*, const float*, float*) {
        if (!dx) return;
        const std::size_t rows = p.batch * In::size / classes;
        for (std::size_t r = 0; r < rows; ++r) {
            const float* yr = y + r * classes;
            const float* dyr = dy + r * classes;
            float dot = 0.f;
            for (std::size_t k = 0; k < classes; ++k) dot += dyr[k] * yr[k];
            for (std::size_t k = 0; k < classes; ++k) dx[r * classes + k] = yr[k] * (dyr[k] - dot);
        }
    }
};
}  // namespace detail

struct Softmax {
    template <class In>
    using bind = detail::SoftmaxLayer<In>;
};

}  // namespace tn
