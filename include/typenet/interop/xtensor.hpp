// typenet and xtensor: a model's predictions on an xtensor batch, data sets made
// from xtensor arrays and turned back into them, and views (no copy) of a model's
// parameters, its last output and a data set's float storage.
//
//   xt::xtensor<float, 4> images = ...;                  // [n, 1, 28, 28]
//   xt::xtensor<float, 1> labels = ...;                  // [n] class indices
//   Dataset train = dataset_from_xtensor(images, labels);
//   fit(model, train, SoftmaxCrossEntropy{}, Adam{}, {.epochs = 5});
//   xt::xtensor<float, 2> scores = predict(model, images);   // [n, 10]
//
// Optional: xtensor (Debian's libxtensor-dev) is needed by this header alone, and a
// program that includes it links xtensor itself (target_link_libraries(... xtensor)).
// Kept out of typenet.hpp on purpose: <xtensor/xtensor.hpp> alone costs ~1.7 s of
// compile time per translation unit (design decision 4), so only the programs
// that use it pay for it.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>
#include <xtensor/xadapt.hpp>
#include <xtensor/xtensor.hpp>

#include "typenet/model.hpp"
#include "typenet/train/dataset.hpp"

namespace tn {

namespace detail {
template <class Container>
std::string xtensor_shape_string(const Container& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}
// Elements per sample of an array whose first axis is the sample: the product of
// the other axes (1 for a rank-1 array of labels).
template <class Container>
std::size_t per_sample(const Container& shape) {
    std::size_t n = 1;
    for (std::size_t i = 1; i < shape.size(); ++i) n *= shape[i];
    return n;
}
}  // namespace detail

// --- Predictions ---------------------------------------------------------------------

// The model's output for a batch [n, input_shape...] (or [n, input size], the sample
// flattened), as [n, output_shape...]. Runs in chunks of at most `chunk` samples, in
// inference mode (dropout off, BatchNorm's running statistics).
template <class Net, std::size_t N, xt::layout_type L>
xt::xtensor<float, 1 + Model<Net>::output_shape::rank> predict(Model<Net>& model,
                                                               const xt::xtensor<float, N, L>& batch,
                                                               std::size_t chunk = 256) {
    using In = typename Model<Net>::input_shape;
    using Out = typename Model<Net>::output_shape;
    static_assert(N == 1 + In::rank || N == 2,
                  "predict: the batch is [samples, input_shape...] or [samples, input size]");
    const auto& shape = batch.shape();
    bool fits = detail::per_sample(shape) == In::size;
    if constexpr (N == 1 + In::rank)
        for (std::size_t i = 0; i < In::rank; ++i) fits = fits && shape[i + 1] == In::dims[i];
    if (!fits)
        throw std::invalid_argument("predict: the model takes samples of shape " + shape_string<In>() +
                                    " (or " + std::to_string(In::size) + " values), got a batch of shape " +
                                    detail::xtensor_shape_string(shape));
    if (chunk == 0) throw std::invalid_argument("predict: chunk must be at least 1");

    const std::size_t n = shape[0];
    std::array<std::size_t, 1 + Out::rank> out_shape{};
    out_shape[0] = n;
    std::copy(Out::dims.begin(), Out::dims.end(), out_shape.begin() + 1);
    xt::xtensor<float, 1 + Out::rank> out(out_shape);

    // Row-major samples, whatever the batch's layout.
    xt::xtensor<float, N> row_major_copy;
    const float* x = batch.data();
    if constexpr (L != xt::layout_type::row_major) {
        row_major_copy = batch;
        x = row_major_copy.data();
    }
    for (std::size_t start = 0; start < n; start += chunk) {
        const std::size_t b = std::min(chunk, n - start);
        std::copy_n(x + start * In::size, b * In::size, model.input(b));
        const auto y = model.forward(b, false);
        std::copy(y.begin(), y.end(), out.data() + start * Out::size);
    }
    return out;
}

// --- Data sets -----------------------------------------------------------------------

// A data set (a copy) from inputs [n, ...] and targets [n] (class indices, one per
// sample) or [n, ...] (one row of targets per sample): each sample's inputs and
// targets are flattened into its row, as the model and the loss read them.
template <std::size_t NI, xt::layout_type LI, std::size_t NT, xt::layout_type LT>
Dataset dataset_from_xtensor(const xt::xtensor<float, NI, LI>& inputs, const xt::xtensor<float, NT, LT>& targets,
                             std::string name = "xtensor") {
    static_assert(NI >= 1 && NT >= 1, "dataset_from_xtensor: the first axis of both arrays is the sample");
    if (inputs.shape()[0] != targets.shape()[0])
        throw std::invalid_argument("dataset_from_xtensor: " + std::to_string(inputs.shape()[0]) +
                                    " samples of inputs " + detail::xtensor_shape_string(inputs.shape()) + " but " +
                                    std::to_string(targets.shape()[0]) + " of targets " +
                                    detail::xtensor_shape_string(targets.shape()));
    Dataset d(std::move(name), detail::per_sample(inputs.shape()), detail::per_sample(targets.shape()));
    d.inputs.resize(inputs.size());
    d.targets.resize(targets.size());
    // Assigning through a row-major view copies in row-major order whatever the layout.
    xt::adapt(d.inputs.data(), d.inputs.size(), xt::no_ownership(), inputs.shape()) = inputs;
    xt::adapt(d.targets.data(), d.targets.size(), xt::no_ownership(), targets.shape()) = targets;
    return d;
}

// A data set's inputs (a copy) as [n, input width], or as [n, dims...] for
// inputs_to_xtensor<Shape<dims...>>(d) (e.g. Model<Net>::input_shape), whether they
// are stored as floats or as bytes (MNIST: the bytes times byte_scale).
template <class S = void>
auto inputs_to_xtensor(const Dataset& d) {
    if constexpr (std::is_void_v<S>) {
        xt::xtensor<float, 2> out(std::array<std::size_t, 2>{d.size(), d.input_width});
        for (std::size_t i = 0; i < d.size(); ++i) d.copy_input(i, out.data() + i * d.input_width);
        return out;
    } else {
        if (S::size != d.input_width)
            throw std::invalid_argument("inputs_to_xtensor: " + d.name + "'s samples have " +
                                        std::to_string(d.input_width) + " values, not the " +
                                        std::to_string(S::size) + " of " + shape_string<S>());
        std::array<std::size_t, 1 + S::rank> shape{};
        shape[0] = d.size();
        std::copy(S::dims.begin(), S::dims.end(), shape.begin() + 1);
        xt::xtensor<float, 1 + S::rank> out(shape);
        for (std::size_t i = 0; i < d.size(); ++i) d.copy_input(i, out.data() + i * d.input_width);
        return out;
    }
}
// Its targets (a copy) as [n, target width].
inline xt::xtensor<float, 2> targets_to_xtensor(const Dataset& d) {
    xt::xtensor<float, 2> out(std::array<std::size_t, 2>{d.size(), d.target_width});
    std::copy(d.targets.begin(), d.targets.end(), out.begin());
    return out;
}

// --- Views (no copy) -----------------------------------------------------------------

// A named parameter as an xtensor view with its own shape ([out, in] for Dense).
inline auto as_xtensor(const NamedTensor& t) {
    return xt::adapt(t.values.data(), t.values.size(), xt::no_ownership(), t.shape);
}
inline auto gradients_as_xtensor(const NamedTensor& t) {
    return xt::adapt(t.gradients.data(), t.gradients.size(), xt::no_ownership(), t.shape);
}

// A data set's float inputs and targets as [samples, width] views (inputs stored as
// bytes have no float storage to view: use inputs_to_xtensor).
inline auto inputs_as_xtensor(Dataset& d) {
    if (!d.bytes.empty())
        throw std::logic_error("inputs_as_xtensor: " + d.name + "'s inputs are stored as bytes; use inputs_to_xtensor");
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
