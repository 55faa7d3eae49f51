// xtensor views of typenet's storage, for users who want xtensor's expressions,
// printing and reductions on a model's parameters, outputs or data. The views do
// not copy: they adapt the model's arenas in place.
//
// Kept out of typenet.hpp on purpose: <xtensor/xtensor.hpp> alone costs ~1.7 s of
// compile time per translation unit (design decision 4), so only the programs
// that use it pay for it.
#pragma once
#include <cstddef>
#include <vector>
#include <xtensor/xadapt.hpp>

#include "typenet/model.hpp"
#include "typenet/train/dataset.hpp"

namespace tn {

// A named parameter as an xtensor view with its own shape ([out, in] for Dense).
inline auto as_xtensor(const NamedTensor& t) {
    return xt::adapt(t.values.data(), t.values.size(), xt::no_ownership(), t.shape);
}
inline auto gradients_as_xtensor(const NamedTensor& t) {
    return xt::adapt(t.gradients.data(), t.gradients.size(), xt::no_ownership(), t.shape);
}

// A data set's inputs and targets as [samples, width] views.
inline auto inputs_as_xtensor(Dataset& d) {
    return xt::adapt(d.inputs.data(), d.inputs.size(), xt::no_ownership(),
                     std::vector<std::size_t>{d.size(), d.input_width});
}
inline auto targets_as_xtensor(Dataset& d) {
    return xt::adapt(d.targets.data(), d.targets.size(), xt::no_ownership(),
                     std::vector<std::size_t>{d.size(), d.target_width});
}

// The last forward's output as [batch, output_shape...].
template <class Net>
auto output_as_xtensor(Model<Net>& m) {
    auto out = m.output();
    std::vector<std::size_t> shape{out.size() / Model<Net>::output_size};
    for (auto d : Model<Net>::output_shape::dims) shape.push_back(d);
    return xt::adapt(const_cast<float*>(out.data()), out.size(), xt::no_ownership(), shape);
}

}  // namespace tn
