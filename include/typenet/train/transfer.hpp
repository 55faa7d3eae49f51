// Transfer learning: start a network from another one's weights.
//
//   // a pretrained network and a new one that shares its first 6 layers, with a new head
//   Model<Pretrained> base;  load_model("emoji-cnn.safetensors", base);
//   Model<CatsVsDogs> net;
//   copy_layers<6>(base, net);          // checked at compile time: the weights must fit
//   net.freeze("0");                    // layer 0; or Frozen<...> in the type
//
//   // or by name, from a file, the way PyTorch's load_state_dict(strict=False) does
//   LoadReport r = load_matching("emoji-cnn.safetensors", net);   // r.loaded, r.missing, ...
//
// copy_layers compares the two network types layer by layer: a layer whose weights
// would not fit (another number of input channels or features, another width) is a
// compile error naming the layer's index and both input shapes. load_matching works
// on names: tensors present on both sides with the same shape are copied, the rest
// reported; a name on both sides with another shape is an error (naming it and both
// shapes) unless `skip_mismatched` says to leave that tensor as it is, which is how a
// replaced head with another number of classes is loaded around. A file of typenet's
// old `layers.N` names is read in them, as load_model does (train/checkpoint.hpp);
// the report still names the model's tensors as the model does.
#pragma once
#include <cstddef>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/core/errors.hpp"
#include "typenet/core/type_list.hpp"
#include "typenet/model.hpp"
#include "typenet/train/checkpoint.hpp"

namespace tn {

template <std::size_t I> struct LayerIndex {};

// copy_layers' rule: the I-th layers of both networks must hold as many parameters and
// buffers; Expected<...> is the source layer's input shape, Got<...> this one's.
template <class Layer, class Expect, class GotShape, bool Ok = false>
struct WeightsDoNotFit {
    static constexpr bool ok = Ok;
};
template <std::size_t Wanted, std::size_t SourceLayers, std::size_t TargetLayers, bool Ok = false>
struct NotEnoughLayers {
    static constexpr bool ok = Ok;
};

namespace detail {
template <std::size_t K, class Src, class Dst>
constexpr auto check_layer_count() {
    constexpr bool ok = K <= Src::count && K <= Dst::count;
    static_assert(NotEnoughLayers<K, Src::count, Dst::count, ok>::ok,
                  "copy_layers<K>: K is more layers than one of the two networks has");
    return ok;
}

template <std::size_t I, class A, class B>
constexpr auto check_weights_fit() {
    constexpr bool ok = param_count_of<A>() == param_count_of<B>() && buffer_count_of<A>() == buffer_count_of<B>();
    static_assert(WeightsDoNotFit<LayerIndex<I>, typename expected_of<typename A::input_shape>::type,
                                  typename got_of<typename B::input_shape>::type, ok>::ok,
                  "copy_layers: this layer's weights have another size than the source model's: its input "
                  "(channels or features, Got<...>) differs from the source layer's (Expected<...>), or the "
                  "layers differ");
    return ok;
}

template <std::size_t I, class A, class B, class Src, class Dst>
void copy_layer(Model<Src>& from, Model<Dst>& to) {
    constexpr bool fits = check_weights_fit<I, A, B>();
    if constexpr (fits) {
        // The sizes agree at compile time; the shapes (a Dense<6> on 4 features holds
        // as many weights as a Dense<4> on 6) are compared by name here.
        std::vector<std::vector<std::size_t>> shapes;
        for_each_param_of<A>([&](const std::string&, std::size_t, std::vector<std::size_t> s) { shapes.push_back(s); });
        std::size_t k = 0;
        for_each_param_of<B>([&](const std::string& name, std::size_t, const std::vector<std::size_t>& s) {
            if (k >= shapes.size() || shapes[k] != s)
                throw CheckpointError("copy_layers: " + std::to_string(I) + "." + name + " has shape " +
                                      shape_string(s) + " here but " +
                                      (k < shapes.size() ? shape_string(shapes[k]) : "nothing") +
                                      " in the source model");
            ++k;
        });
        const auto src_params = from.parameters().subspan(Src::param_offsets[I], param_count_of<A>());
        std::copy(src_params.begin(), src_params.end(), to.parameters().begin() + std::ptrdiff_t(Dst::param_offsets[I]));
        const auto src_buffers = from.buffers().subspan(Src::buffer_offsets[I], buffer_count_of<A>());
        std::copy(src_buffers.begin(), src_buffers.end(), to.buffers().begin() + std::ptrdiff_t(Dst::buffer_offsets[I]));
    }
}
}  // namespace detail

// Copies the parameters and buffers of the first K layers of `from` into `to`.
template <std::size_t K, class Src, class Dst>
void copy_layers(Model<Src>& from, Model<Dst>& to) {
    if constexpr (Model<Src>::valid && Model<Dst>::valid) {
        constexpr bool enough = detail::check_layer_count<K, Src, Dst>();
        if constexpr (enough) {
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                (detail::copy_layer<I, at_t<I, typename Src::layers>, at_t<I, typename Dst::layers>>(from, to), ...);
            }(std::make_index_sequence<K>{});
        }
    }
}

struct LoadOptions {
    // Leave a tensor whose shape differs from the file's as it is (a replaced head)
    // instead of failing.
    bool skip_mismatched = false;
};

// What load_matching did, tensor by tensor.
struct LoadReport {
    std::vector<std::string> loaded;      // copied from the file
    std::vector<std::string> missing;     // in the model, not in the file: left as they were
    std::vector<std::string> unexpected;  // in the file, not in the model: ignored
    std::vector<std::string> mismatched;  // on both sides with another shape: left (skip_mismatched)

    std::string summary() const {
        const auto list = [](const std::vector<std::string>& v) {
            std::string s;
            for (const auto& n : v) s += (s.empty() ? "" : ", ") + n;
            return s.empty() ? std::string("none") : s;
        };
        return std::to_string(loaded.size()) + " tensors loaded; missing from the file: " + list(missing) +
               "; not in the model: " + list(unexpected) + "; other shape, left as they were: " + list(mismatched);
    }
};

namespace detail {
TYPENET_INLINE LoadReport load_matching_tensors(const std::filesystem::path& path,
                                                const std::vector<CheckpointTensor>& tensors, LoadOptions options);
}  // namespace detail

// Loads every tensor of a safetensors model file whose name and shape match one of
// the model's; checks everything before changing anything.
template <class Net>
LoadReport load_matching(const std::filesystem::path& path, Model<Net>& model, LoadOptions options = {}) {
    return detail::load_matching_tensors(path, detail::model_tensors(model), options);
}

}  // namespace tn

#if TYPENET_DEFINE_BODIES
#include "typenet/train/transfer.ipp"
#endif
