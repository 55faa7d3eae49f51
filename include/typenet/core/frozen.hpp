// Frozen<Layer>: the layer as it is, except that training does not change its
// parameters (transfer learning: `Frozen<Conv2D<32, Kernel<3>>>` keeps pretrained
// filters while the layers after it learn).
//
// The wrapper keeps the layer's parameter names (`0.weight`, not
// `0.0.weight`), so a checkpoint of the unfrozen network loads into
// the frozen one and back. Gradients still flow through a frozen layer to the
// layers before it; what is frozen is reported through `for_each_frozen`, and
// Model::train_step keeps those parameters bit for bit (core/frozen_parameters.hpp).
// The same can be decided at run time with Model::freeze("0").
#pragma once
#include <string>

#include "typenet/core/layer.hpp"

namespace tn {

namespace detail {
template <class Layer, class In>
struct FrozenBound : bind_layer_t<Layer, In> {
    using inner = bind_layer_t<Layer, In>;
    static std::string name() { return "Frozen<" + inner::name() + ">"; }
    template <class F>
    static void for_each_frozen(F&& f) {
        f(std::size_t{0}, param_count_of<inner>());
    }
};
}  // namespace detail

template <class Layer>
struct Frozen {
    template <class In>
    using bind = detail::FrozenBound<Layer, In>;
};

}  // namespace tn
