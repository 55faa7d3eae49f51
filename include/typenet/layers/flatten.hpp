// Flatten: [C, H, W] -> [C*H*W]. Row-major storage is already flat, so this is a
// copy; it exists so that the shape in the type says what Dense will see.
#pragma once
#include <algorithm>
#include <string>

#include "typenet/core/layer.hpp"

namespace tn {

namespace detail {
template <class In>
struct FlattenLayer {
    using input_shape = In;
    using output_shape = Shape<In::size>;
    static std::string name() { return "Flatten"; }
    static void forward(const Pass& p, const float*, const float* x, float* y, float*, float*) {
        std::copy_n(x, In::size * p.batch, y);
    }
    static void backward(const Pass& p, const float*, const float*, const float*, const float* dy, float* dx,
                         float*, const float*, float*) {
        if (dx) std::copy_n(dy, In::size * p.batch, dx);
    }
};
}  // namespace detail

struct Flatten {
    template <class In>
    using bind = detail::FlattenLayer<In>;
};

}  // namespace tn
