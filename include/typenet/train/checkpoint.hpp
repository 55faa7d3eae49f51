// Checkpoints in the safetensors format (io/safetensors.hpp), in two files:
//
//   save_model("mlp.safetensors", model);     // what PyTorch can load: the weights
//   load_model("mlp.safetensors", model);
//   save_training_state("mlp.state.safetensors", optimizer, position);   // how to go on
//   TrainingPosition at = load_training_state("mlp.state.safetensors", optimizer, model.param_count);
//
// The model file holds one F32 tensor per parameter, named and shaped as PyTorch's
// state_dict of the same network written as a plain nn.Sequential: `3.weight`
// [out, in], `3.bias` [out], a block's `3.0.weight` (docs/design.md, "Parameter
// names"); plus the model's non-trainable buffers (BatchNorm's running statistics)
// when it has any, and for each BatchNorm PyTorch's `num_batches_tracked` (I64 [],
// the model's training steps: typenet's BatchNorm keeps no counter of its own, and
// PyTorch reads it only for momentum=None). Metadata: {"format": "pt"}.
// Loading checks every name, dtype and shape before it changes a single parameter,
// so a checkpoint of another network fails cleanly and leaves the model as it was.
// The one tensor it lets pass unasked is that `num_batches_tracked` (next to a
// `running_mean`), which a file may hold or not.
//
// Old names: typenet wrote `layers.3.weight` before (as if the nn.Sequential sat in
// a module attribute `layers`, each block adding its own: `layers.3.layers.0.weight`).
// A file any of whose tensor names starts with "layers." is read in that spelling,
// every tensor of it under its old name (today's names never start so: they start
// with a layer's index); errors then name the file's tensors as the file spells them.
// load_model, load_latest_checkpoint and load_matching all follow this rule.
//
// The training-state file is kept apart so that the model file stays a plain
// state_dict. It holds (all tensors; integers as I64 scalars, shape []):
//   optimizer.<slot>       F32 [parameters]  Momentum's momentum_buffer, Adam's exp_avg, ...
//   optimizer.steps        I64 []            updates done (Adam's bias correction reads it)
//   optimizer.learning_rate F32 []
//   position.epoch, position.step, position.schedule_step, position.plateau_bad_epochs   I64 []
//   position.learning_rate, position.plateau_best                                        F32 []
//   position.rng.words     I64 [4]  the generator's four u64 words, bit for bit
//   position.rng.spare     F32 [],  position.rng.has_spare  BOOL []
// and the metadata {"typenet.kind": "training_state", "optimizer": "Adam"}. Unsigned
// counters are stored bit for bit in I64 (safetensors readers outside typenet know
// I64 better than U64); counts stay far below 2^63 anyway.
//
// Both files are written atomically: a crash mid-save leaves the previous checkpoint.
//
// Only the choice of tensors depends on the network's type; reading and writing the
// files (and the JSON parser they need) is compiled once, in typenet::precompiled
// (checkpoint.ipp), so a program that saves a model does not compile a JSON parser.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/core/chain.hpp"
#include "typenet/model.hpp"
#include "typenet/train/position.hpp"

namespace tn {

// A valid safetensors file that does not fit what it is loaded into.
struct CheckpointError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct SaveOptions {
    // save_model refuses weights with a NaN or an infinity (a diverged run), naming
    // the tensor; set this to save them anyway, e.g. to inspect them.
    bool allow_non_finite = false;
};

namespace detail {

struct CheckpointTensor {
    std::string name;
    std::vector<std::size_t> shape;
    std::span<float> values;
    std::string legacy_name;  // as typenet named it before: layers.3.weight (see above)
};

// Every tensor a model file holds: parameters, then buffers if the model has any.
template <class Net>
std::vector<CheckpointTensor> model_tensors(Model<Net>& model) {
    std::vector<CheckpointTensor> out;
    for (auto& p : model.named_parameters()) out.push_back({p.name, p.shape, p.values, {}});
    for (auto& b : model.named_buffers()) out.push_back({b.name, b.shape, b.values, {}});
    // The same tensors in the same order, under their old names.
    if constexpr (Model<Net>::valid) {
        std::size_t i = 0;
        const auto old = [&](const std::string& name, std::size_t, const auto&) { out[i++].legacy_name = name; };
        Net::for_each_param(LegacyNames{old});
        Net::for_each_buffer(LegacyNames{old});
    }
    return out;
}

// An optimizer as its training-state file sees it, with its type erased.
struct OptimizerSlots {
    std::string name;  // "Adam": the file records whose state it is
    void* self = nullptr;
    float (*learning_rate)(const void*) = nullptr;
    void (*set_learning_rate)(void*, float) = nullptr;
    // Null for an optimizer without per-parameter state (SGD).
    std::uint64_t* steps = nullptr;
    // Clears the state and sizes every slot for n parameters (none when n is 0).
    void (*reset)(void*, std::size_t n) = nullptr;
    // The slots by name (PyTorch's: exp_avg, ...), as they are now.
    void (*slots)(void*, std::vector<std::pair<std::string, std::span<float>>>&) = nullptr;
};

template <class Optimizer>
concept StatefulOptimizer = requires(Optimizer& o) {
    o.state.steps;
    o.state.ensure(std::size_t{});
    o.for_each_state([](std::string_view, std::span<float>) {});
};

template <class Optimizer>
OptimizerSlots optimizer_slots(Optimizer& optimizer) {
    OptimizerSlots s{.name = optimizer.name(), .self = &optimizer};
    s.learning_rate = [](const void* o) { return static_cast<const Optimizer*>(o)->learning_rate(); };
    s.set_learning_rate = [](void* o, float lr) { static_cast<Optimizer*>(o)->set_learning_rate(lr); };
    if constexpr (StatefulOptimizer<Optimizer>) {
        s.steps = &optimizer.state.steps;
        s.reset = [](void* o, std::size_t n) {
            auto& opt = *static_cast<Optimizer*>(o);
            opt.state = {};
            if (n > 0) opt.state.ensure(n);
        };
        s.slots = [](void* o, std::vector<std::pair<std::string, std::span<float>>>& out) {
            out.clear();
            static_cast<Optimizer*>(o)->for_each_state(
                [&](std::string_view name, std::span<float> values) { out.emplace_back(std::string(name), values); });
        };
    }
    return s;
}

// The file work behind the templates below (checkpoint.ipp).
// `batches_tracked`: what each BatchNorm's num_batches_tracked records.
TYPENET_INLINE void save_model_tensors(const std::filesystem::path& path, const std::vector<CheckpointTensor>& tensors,
                                       const SaveOptions& options, std::uint64_t batches_tracked);
TYPENET_INLINE void load_model_tensors(const std::filesystem::path& path, const std::vector<CheckpointTensor>& tensors);
TYPENET_INLINE void save_optimizer_state(const std::filesystem::path& path, const OptimizerSlots& optimizer,
                                         const TrainingPosition& position);
TYPENET_INLINE TrainingPosition load_optimizer_state(const std::filesystem::path& path, OptimizerSlots& optimizer,
                                                     std::size_t parameter_count);
// Both files of a checkpoint, each read and checked in full before either the model
// or the optimizer changes: a bad state file leaves the model as it was. With
// `epoch`, the state must be the position after that epoch (its file's name says so).
TYPENET_INLINE TrainingPosition load_model_and_state(const std::filesystem::path& model_path,
                                                     const std::vector<CheckpointTensor>& tensors,
                                                     const std::filesystem::path& state_path,
                                                     OptimizerSlots& optimizer, std::size_t parameter_count,
                                                     std::optional<std::uint64_t> epoch = std::nullopt);

}  // namespace detail

// --- The model ---------------------------------------------------------------------

template <class Net>
void save_model(const std::filesystem::path& path, Model<Net>& model, const SaveOptions& options = {}) {
    detail::save_model_tensors(path, detail::model_tensors(model), options, model.steps());
}

// Throws io::FormatError for a file that is not valid safetensors, CheckpointError
// (naming the tensor) for one that does not fit this model; either way the model
// is unchanged.
template <class Net>
void load_model(const std::filesystem::path& path, Model<Net>& model) {
    detail::load_model_tensors(path, detail::model_tensors(model));
}

// --- Optimizer state and training position ------------------------------------------

template <class Optimizer>
void save_training_state(const std::filesystem::path& path, Optimizer& optimizer, const TrainingPosition& position) {
    detail::save_optimizer_state(path, detail::optimizer_slots(optimizer), position);
}

// Restores the optimizer (its per-parameter state, step count and learning rate)
// and returns the position; the caller gives position.rng to its model's generator.
// `parameter_count` is the model's (Model<Net>::param_count): the optimizer's state
// must be that size. Checks the file kind, the optimizer's name, every tensor's
// dtype and shape, and that nothing is missing or left over, before changing the
// optimizer.
template <class Optimizer>
TrainingPosition load_training_state(const std::filesystem::path& path, Optimizer& optimizer,
                                     std::size_t parameter_count) {
    detail::OptimizerSlots slots = detail::optimizer_slots(optimizer);
    return detail::load_optimizer_state(path, slots, parameter_count);
}

}  // namespace tn

#if TYPENET_DEFINE_BODIES
#include "typenet/train/checkpoint.ipp"
#endif
