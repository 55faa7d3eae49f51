// Element-wise activations as layers. An activation is a small struct with
//   static std::string name();
//   static constexpr bool from_output;          // backward needs only y, not x
//   template <class V> static V forward(V x);
//   template <class V> static V backward(V x, V y, V dy);   // returns dL/dx
// written once for xsimd vectors. Deriving from Elementwise<Self> makes it a layer.
#pragma once
#include <string>

#include "typenet/core/layer.hpp"
#include "typenet/core/options.hpp"
#include "typenet/kernels/elementwise.hpp"

namespace tn {

namespace detail {
// An activation with parameters (LeakyReLU's slope, ELU's alpha) says whether they
// are in range as `parameters_ok`; the rule is asserted here, in a function body
// (core/errors.hpp says why), not in the activation's own class.
template <class F>
consteval bool parameters_ok_of() {
    if constexpr (requires { F::parameters_ok; }) return F::parameters_ok;
    else return true;
}
template <class F, bool Ok>
constexpr auto check_activation_parameters() {
    static_assert(InvalidParameter<F, Ok>::ok,
                  "activation: its parameter Num/Den must be positive (LeakyReLU<Num, Den>'s slope, "
                  "ELU<Num, Den>'s alpha: Num > 0, Den > 0)");
    return Ok;
}

template <class F, class In>
struct ElementwiseLayer {
    using parameter_rule = decltype(check_activation_parameters<F, parameters_ok_of<F>()>());
    using input_shape = In;
    using output_shape = checked_shape_t<parameters_ok_of<F>(), In>;
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
