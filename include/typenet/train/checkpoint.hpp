// Checkpoints in the safetensors format (io/safetensors.hpp), in two files:
//
//   save_model("mlp.safetensors", model);     // what PyTorch can load: the weights
//   load_model("mlp.safetensors", model);
//   save_training_state("mlp.state.safetensors", optimizer, position);   // how to go on
//   TrainingPosition at = load_training_state("mlp.state.safetensors", optimizer, model.param_count);
//
// The model file holds one F32 tensor per parameter, named and shaped as PyTorch's
// state_dict of the same nn.Sequential (stored under a `layers` attribute):
// `layers.3.weight` [out, in], `layers.3.bias` [out]; plus the model's non-trainable
// buffers (BatchNorm's running statistics) when it has any. Metadata: {"format": "pt"}.
// Loading checks every name, dtype and shape before it changes a single parameter,
// so a checkpoint of another network fails cleanly and leaves the model as it was.
// The one tensor it lets pass unasked is PyTorch's BatchNorm `num_batches_tracked`
// (next to a `running_mean`), which typenet's BatchNorm does not keep; PyTorch in
// turn fills it in when it loads a typenet file, so files go both ways.
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
#pragma once
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "typenet/io/safetensors.hpp"
#include "typenet/model.hpp"
#include "typenet/optim/check.hpp"
#include "typenet/train/position.hpp"

namespace tn {

// A valid safetensors file that does not fit what it is loaded into.
struct CheckpointError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace detail {
namespace st = io::safetensors;

struct CheckpointTensor {
    std::string name;
    std::vector<std::size_t> shape;
    std::span<float> values;
};

// Every tensor a model file holds: parameters, then buffers if the model has any.
template <class Net>
std::vector<CheckpointTensor> model_tensors(Model<Net>& model) {
    std::vector<CheckpointTensor> out;
    for (auto& p : model.named_parameters()) out.push_back({p.name, p.shape, p.values});
    if constexpr (requires { model.named_buffers(); })
        for (auto& b : model.named_buffers()) out.push_back({b.name, b.shape, b.values});
    return out;
}

// Checks a tensor read from `source` against what the loader expects of it.
inline void expect_tensor(const st::Tensor& t, st::Dtype dtype, const std::vector<std::size_t>& shape,
                          const std::string& source, std::string_view expecter) {
    if (t.dtype != dtype)
        throw CheckpointError(source + ": " + t.name + ": checkpoint has dtype " + std::string(st::name_of(t.dtype)) +
                              ", " + std::string(expecter) + " expects " + std::string(st::name_of(dtype)));
    if (t.shape != shape)
        throw CheckpointError(source + ": " + t.name + ": checkpoint has shape " + st::shape_string(t.shape) + ", " +
                              std::string(expecter) + " expects " + st::shape_string(shape));
}

// "missing a, b; unexpected c" for the names on each side that the other lacks;
// `tolerated` names may be in the file without being expected.
inline void expect_same_names(const std::vector<std::string>& expected, const st::File& file,
                              const std::string& what, const std::set<std::string>& tolerated = {}) {
    const std::set<std::string> wanted(expected.begin(), expected.end());
    std::string missing, unexpected;
    for (const auto& name : expected)
        if (!file.find(name)) missing += (missing.empty() ? "" : ", ") + name;
    for (const auto& t : file.tensors)
        if (!wanted.contains(t.name) && !tolerated.contains(t.name))
            unexpected += (unexpected.empty() ? "" : ", ") + t.name;
    if (missing.empty() && unexpected.empty()) return;
    std::string msg = file.source + ": does not match " + what + ":";
    if (!missing.empty()) msg += " missing " + missing + (unexpected.empty() ? "" : ";");
    if (!unexpected.empty()) msg += " unexpected " + unexpected;
    throw CheckpointError(msg);
}

inline void copy_floats(const st::Tensor& t, std::span<float> to) {
    if (!to.empty()) std::memcpy(to.data(), t.bytes.data(), to.size_bytes());
}

template <class T>
T scalar(const st::File& file, const std::string& name, st::Dtype dtype) {
    const st::Tensor& t = file.at(name);
    expect_tensor(t, dtype, {}, file.source, "typenet");
    T v;
    std::memcpy(&v, t.bytes.data(), sizeof v);
    return v;
}
}  // namespace detail

// --- The model ---------------------------------------------------------------------

template <class Net>
void save_model(const std::filesystem::path& path, Model<Net>& model) {
    std::vector<io::safetensors::TensorView> views;
    for (const auto& t : detail::model_tensors(model))
        views.push_back(io::safetensors::view(t.name, t.shape, std::span<const float>(t.values)));
    io::safetensors::write(path, views, {{"format", "pt"}});
}

namespace detail {
// Checks a model file against `model` (kind, every name, dtype and shape) without
// changing anything; copy_model_file then copies it in.
template <class Net>
void check_model_file(const st::File& file, Model<Net>& model) {
    if (const auto kind = file.metadata.find("typenet.kind");
        kind != file.metadata.end() && kind->second == "training_state")
        throw CheckpointError(file.source + ": is a training state, not a model; it goes to load_training_state");
    const auto expected = model_tensors(model);
    std::vector<std::string> names;
    std::set<std::string> tolerated;
    for (const auto& e : expected) {
        names.push_back(e.name);
        if (const auto* t = file.find(e.name)) expect_tensor(*t, st::Dtype::F32, e.shape, file.source, "model");
        // PyTorch's BatchNorm also saves a step counter typenet's does not keep.
        if (const std::string_view suffix = ".running_mean"; e.name.ends_with(suffix))
            tolerated.insert(e.name.substr(0, e.name.size() - suffix.size()) + ".num_batches_tracked");
    }
    expect_same_names(names, file, "the model", tolerated);
}
template <class Net>
void copy_model_file(const st::File& file, Model<Net>& model) {
    for (const auto& e : model_tensors(model)) copy_floats(file.at(e.name), e.values);
}
}  // namespace detail

// Throws io::FormatError for a file that is not valid safetensors, CheckpointError
// (naming the tensor) for one that does not fit this model; either way the model
// is unchanged.
template <class Net>
void load_model(const std::filesystem::path& path, Model<Net>& model) {
    const auto file = io::safetensors::read(path);
    detail::check_model_file(file, model);
    detail::copy_model_file(file, model);
}

// --- Optimizer state and training position ------------------------------------------

namespace detail {
template <class Optimizer>
concept StatefulOptimizer = requires(Optimizer& o) {
    o.state.steps;
    o.state.ensure(std::size_t{});
    o.for_each_state([](std::string_view, std::span<float>) {});
};

inline std::int64_t as_i64(std::uint64_t v) { return std::bit_cast<std::int64_t>(v); }
inline std::uint64_t as_u64(std::int64_t v) { return std::bit_cast<std::uint64_t>(v); }
}  // namespace detail

template <class Optimizer>
void save_training_state(const std::filesystem::path& path, Optimizer& optimizer, const TrainingPosition& position) {
    namespace st = io::safetensors;
    // Scalars live here until write() has copied them out.
    const std::int64_t counters[] = {detail::as_i64(position.epoch), detail::as_i64(position.step),
                                     detail::as_i64(position.schedule_step),
                                     detail::as_i64(position.plateau_bad_epochs)};
    const float rates[] = {position.learning_rate, position.plateau_best, optimizer.learning_rate(),
                           position.rng.spare};
    std::int64_t words[4];
    for (std::size_t i = 0; i < 4; ++i) words[i] = detail::as_i64(position.rng.words[i]);
    const std::uint8_t has_spare = position.rng.has_spare ? 1 : 0;
    std::int64_t steps = 0;

    auto one = [](const auto& value) { return std::span(&value, 1); };
    std::vector<st::TensorView> views{
        st::view("position.epoch", {}, one(counters[0])),
        st::view("position.step", {}, one(counters[1])),
        st::view("position.schedule_step", {}, one(counters[2])),
        st::view("position.plateau_bad_epochs", {}, one(counters[3])),
        st::view("position.learning_rate", {}, one(rates[0])),
        st::view("position.plateau_best", {}, one(rates[1])),
        st::view("optimizer.learning_rate", {}, one(rates[2])),
        st::view("position.rng.spare", {}, one(rates[3])),
        st::view("position.rng.words", {4}, std::span<const std::int64_t>(words)),
        {"position.rng.has_spare", st::Dtype::BOOL, {}, std::as_bytes(std::span(&has_spare, 1))},
    };
    if constexpr (detail::StatefulOptimizer<Optimizer>) {
        steps = detail::as_i64(optimizer.state.steps);
        views.push_back(st::view("optimizer.steps", {}, one(steps)));
        optimizer.for_each_state([&](std::string_view name, std::span<float> values) {
            views.push_back(st::view(st::detail::join("optimizer.", name), {values.size()}, std::span<const float>(values)));
        });
    }
    io::safetensors::write(path, views, {{"typenet.kind", "training_state"}, {"optimizer", optimizer.name()}});
}

namespace detail {
// What check_training_state found valid, for apply_training_state.
struct CheckedTrainingState {
    TrainingPosition position;
    float learning_rate = 0;
    std::uint64_t steps = 0;
    std::size_t slot_size = 0;
};

// Checks a training-state file against `optimizer` and `parameter_count` (kind,
// optimizer's name, every tensor's dtype and shape, nothing missing or left over,
// a usable learning rate) and reads the position, without changing anything.
template <class Optimizer>
CheckedTrainingState check_training_state(const st::File& file, Optimizer& optimizer, std::size_t parameter_count) {
    const auto kind = file.metadata.find("typenet.kind");
    if (kind == file.metadata.end() || kind->second != "training_state")
        throw CheckpointError(file.source + ": not a typenet training state (its metadata has no "
                              "\"typenet.kind\": \"training_state\"); a model file goes to load_model");
    const auto saved_by = file.metadata.find("optimizer");
    const std::string saved_name = saved_by == file.metadata.end() ? "an unnamed optimizer" : saved_by->second;
    if (saved_name != optimizer.name())
        throw CheckpointError(file.source + ": the state is " + saved_name + "'s, but the optimizer is " +
                              optimizer.name());

    std::vector<std::string> names{"position.epoch",         "position.step",         "position.schedule_step",
                                   "position.plateau_bad_epochs", "position.learning_rate", "position.plateau_best",
                                   "optimizer.learning_rate", "position.rng.spare",    "position.rng.words",
                                   "position.rng.has_spare"};
    CheckedTrainingState out;
    if constexpr (StatefulOptimizer<Optimizer>) {
        names.push_back("optimizer.steps");
        // The slots are empty until the first step, and then the model's size.
        bool first = true;
        optimizer.for_each_state([&](std::string_view name, std::span<float>) {
            const std::string full = st::detail::join("optimizer.", name);
            names.push_back(full);
            const st::Tensor* t = file.find(full);
            if (!t) return;  // reported with the other missing names
            std::size_t want = parameter_count;
            if (!first) want = out.slot_size;
            else if (t->shape == std::vector<std::size_t>{0}) want = 0;
            expect_tensor(*t, st::Dtype::F32, {want}, file.source, "the optimizer");
            out.slot_size = want;
            first = false;
        });
    }
    expect_same_names(names, file, optimizer.name() + "'s training state");

    TrainingPosition& at = out.position;
    at.epoch = as_u64(scalar<std::int64_t>(file, "position.epoch", st::Dtype::I64));
    at.step = as_u64(scalar<std::int64_t>(file, "position.step", st::Dtype::I64));
    at.schedule_step = as_u64(scalar<std::int64_t>(file, "position.schedule_step", st::Dtype::I64));
    at.plateau_bad_epochs = as_u64(scalar<std::int64_t>(file, "position.plateau_bad_epochs", st::Dtype::I64));
    at.learning_rate = scalar<float>(file, "position.learning_rate", st::Dtype::F32);
    at.plateau_best = scalar<float>(file, "position.plateau_best", st::Dtype::F32);
    at.rng.spare = scalar<float>(file, "position.rng.spare", st::Dtype::F32);
    at.rng.has_spare = scalar<std::uint8_t>(file, "position.rng.has_spare", st::Dtype::BOOL) != 0;
    const st::Tensor& words = file.at("position.rng.words");
    expect_tensor(words, st::Dtype::I64, {4}, file.source, "typenet");
    const auto values = words.to_int64s();
    for (std::size_t i = 0; i < 4; ++i) at.rng.words[i] = as_u64(values[i]);
    out.learning_rate = scalar<float>(file, "optimizer.learning_rate", st::Dtype::F32);
    try {
        check_learning_rate(optimizer.name(), out.learning_rate, RateCheck::update);
    } catch (const std::invalid_argument& e) {
        throw CheckpointError(file.source + ": optimizer.learning_rate: " + e.what());
    }
    if constexpr (StatefulOptimizer<Optimizer>)
        out.steps = as_u64(scalar<std::int64_t>(file, "optimizer.steps", st::Dtype::I64));
    return out;
}

// Restores what check_training_state checked into the optimizer.
template <class Optimizer>
void apply_training_state(const st::File& file, const CheckedTrainingState& checked, Optimizer& optimizer) {
    if constexpr (StatefulOptimizer<Optimizer>) {
        optimizer.state = {};
        if (checked.slot_size > 0) optimizer.state.ensure(checked.slot_size);
        optimizer.state.steps = checked.steps;
        optimizer.for_each_state([&](std::string_view name, std::span<float> values_to) {
            copy_floats(file.at(st::detail::join("optimizer.", name)), values_to);
        });
    }
    optimizer.set_learning_rate(checked.learning_rate);
}
}  // namespace detail

// Restores the optimizer (its per-parameter state, step count and learning rate)
// and returns the position; the caller gives position.rng to its model's generator.
// `parameter_count` is the model's (Model<Net>::param_count): the optimizer's state
// must be that size. Checks the file kind, the optimizer's name, every tensor's
// dtype and shape, that nothing is missing or left over, and the learning rate,
// before changing the optimizer.
template <class Optimizer>
TrainingPosition load_training_state(const std::filesystem::path& path, Optimizer& optimizer,
                                     std::size_t parameter_count) {
    const auto file = io::safetensors::read(path);
    const auto checked = detail::check_training_state(file, optimizer, parameter_count);
    detail::apply_training_state(file, checked, optimizer);
    return checked.position;
}

}  // namespace tn
