// Element-wise activations as layers. An activation is a small struct with
//   static std::string name();
//   static constexpr bool from_output;          // backward needs only y, not x
//   template <class V> static V forward(V x);
//   template <class V> static V backward(V x, V y, V dy);   // returns dL/dx
// written once for xsimd vectors. Deriving from Elementwise<Self> makes it a layer.
#pragma once
#include <string>

#include "typenet/core/layer.hpp"
#include "typenet/kernels/elementwise.hpp"

namespace tn {

namespace detail {
template <class F, class In>
struct ElementwiseLayer {
    using input_shape = In;
    using output_shape = In;
    using function = F;
    static std::string name() { return F::name(); }
    static void forward(const Pass& p, const float*, const float* x, float* y, float*, float*) {
        kernels::map_forward<F>(x, y, In::size * p.batch);
    }
    static void backward(const Pass& p, const float*, const float* x, const float* y, const float* dy, float* dx,
                         float*, const float*, float*) {
        if (dx) kernels::map_backward<F>(x, y, dy, dx, In::size * p.batch);
    }
};
}  // namespace detail

template <class Self>
struct Elementwise {
    template <class In>
    using bind = detail::ElementwiseLayer<Self, In>;
};

template <class B>
inline constexpr bool is_elementwise = false;
template <class F, class In>
inline constexpr bool is_elementwise<detail::ElementwiseLayer<F, In>> = true;

}  // namespace tn
