// The bodies of train/checkpoint.hpp: the safetensors files of a model and of a
// training state. Inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <bit>
#include <cmath>
#include <cstring>
#include <set>

#include "typenet/io/safetensors.hpp"
#include "typenet/kernels/finite.hpp"
#include "typenet/optim/check.hpp"
#include "typenet/train/checkpoint.hpp"

namespace tn::detail {

namespace checkpoint {
namespace st = io::safetensors;

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
inline void expect_same_names(const std::vector<std::string>& expected, const st::File& file, const std::string& what,
                              const std::set<std::string>& tolerated = {}) {
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

inline std::int64_t as_i64(std::uint64_t v) { return std::bit_cast<std::int64_t>(v); }
inline std::uint64_t as_u64(std::int64_t v) { return std::bit_cast<std::uint64_t>(v); }

// Whether a file spells its tensors as typenet did before its names followed
// nn.Sequential: today's names start with a layer's index, never with "layers.".
inline bool has_legacy_names(const st::File& file) {
    for (const auto& t : file.tensors)
        if (t.name.starts_with("layers.")) return true;
    return false;
}

// The model's tensors under the names `file` uses for them (checkpoint.hpp's rule).
inline std::vector<CheckpointTensor> named_as_in(const st::File& file, const std::vector<CheckpointTensor>& tensors) {
    std::vector<CheckpointTensor> out = tensors;
    if (has_legacy_names(file))
        for (auto& t : out) t.name = t.legacy_name;
    return out;
}

// A model file, checked against the model's tensors, named as the file names them
// (named_as_in); nothing changed yet.
inline void check_model_file(const st::File& file, const std::vector<CheckpointTensor>& expected) {
    if (const auto kind = file.metadata.find("typenet.kind");
        kind != file.metadata.end() && kind->second == "training_state")
        throw CheckpointError(file.source + ": is a training state, not a model; it goes to load_training_state");
    std::vector<std::string> names;
    std::set<std::string> tolerated;
    for (const auto& e : expected) {
        names.push_back(e.name);
        if (const auto* t = file.find(e.name)) expect_tensor(*t, st::Dtype::F32, e.shape, file.source, "model");
        // PyTorch's BatchNorm also saves a step counter typenet's does not keep.
        if (const std::string_view suffix = ".running_mean"; e.name.ends_with(suffix))
            tolerated.insert(e.name.substr(0, e.name.size() - suffix.size()) + ".num_batches_tracked");
    }
    expect_same_names(names, file,
                      has_legacy_names(file) ? "the model (read in typenet's old names, layers.N...)" : "the model",
                      tolerated);
}

inline void apply_model_file(const st::File& file, const std::vector<CheckpointTensor>& expected) {
    for (const auto& e : expected) copy_floats(file.at(e.name), e.values);
}

// What a training-state file holds, read and checked, before the optimizer changes.
struct CheckedState {
    TrainingPosition position;
    float learning_rate = 0;
    std::uint64_t steps = 0;
    std::size_t slot_size = 0;
};

inline const char* const position_names[] = {
    "position.epoch",         "position.step",          "position.schedule_step", "position.plateau_bad_epochs",
    "position.learning_rate", "position.plateau_best",  "optimizer.learning_rate", "position.rng.spare",
    "position.rng.words",     "position.rng.has_spare"};

inline CheckedState check_state_file(const st::File& file, OptimizerSlots& optimizer, std::size_t parameter_count) {
    const auto kind = file.metadata.find("typenet.kind");
    if (kind == file.metadata.end() || kind->second != "training_state")
        throw CheckpointError(file.source + ": not a typenet training state (its metadata has no "
                              "\"typenet.kind\": \"training_state\"); a model file goes to load_model");
    const auto saved_by = file.metadata.find("optimizer");
    const std::string saved_name = saved_by == file.metadata.end() ? "an unnamed optimizer" : saved_by->second;
    if (saved_name != optimizer.name)
        throw CheckpointError(file.source + ": the state is " + saved_name + "'s, but the optimizer is " +
                              optimizer.name);

    std::vector<std::string> names(std::begin(position_names), std::end(position_names));
    CheckedState c;
    if (optimizer.steps) {
        names.push_back("optimizer.steps");
        // The slots are empty until the first step, and then the model's size.
        std::vector<std::pair<std::string, std::span<float>>> slots;
        optimizer.slots(optimizer.self, slots);
        bool first = true;
        for (const auto& [name, values] : slots) {
            const std::string full = "optimizer." + name;
            names.push_back(full);
            const st::Tensor* t = file.find(full);
            if (!t) continue;  // reported with the other missing names
            std::size_t want = parameter_count;
            if (!first) want = c.slot_size;
            else if (t->shape == std::vector<std::size_t>{0}) want = 0;
            expect_tensor(*t, st::Dtype::F32, {want}, file.source, "the optimizer");
            c.slot_size = want;
            first = false;
        }
    }
    expect_same_names(names, file, optimizer.name + "'s training state");

    TrainingPosition& at = c.position;
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
    c.learning_rate = scalar<float>(file, "optimizer.learning_rate", st::Dtype::F32);
    try {
        check_learning_rate(optimizer.name, c.learning_rate, RateCheck::update);
    } catch (const std::invalid_argument& e) {
        throw CheckpointError(file.source + ": optimizer.learning_rate: " + e.what());
    }
    if (optimizer.steps) c.steps = as_u64(scalar<std::int64_t>(file, "optimizer.steps", st::Dtype::I64));
    return c;
}

inline void apply_state_file(const st::File& file, const CheckedState& c, OptimizerSlots& optimizer) {
    if (optimizer.steps) {
        optimizer.reset(optimizer.self, c.slot_size);
        *optimizer.steps = c.steps;
        std::vector<std::pair<std::string, std::span<float>>> slots;
        optimizer.slots(optimizer.self, slots);
        for (const auto& [name, values] : slots) copy_floats(file.at("optimizer." + name), values);
    }
    optimizer.set_learning_rate(optimizer.self, c.learning_rate);
}
}  // namespace checkpoint

TYPENET_INLINE void save_model_tensors(const std::filesystem::path& path, const std::vector<CheckpointTensor>& tensors,
                                       const SaveOptions& options, std::uint64_t batches_tracked) {
    namespace st = io::safetensors;
    const std::int64_t tracked = checkpoint::as_i64(batches_tracked);  // lives until write() copied it
    std::vector<st::TensorView> views;
    for (const auto& t : tensors) {
        if (!options.allow_non_finite && !kernels::all_finite(t.values.data(), t.values.size()))
            throw CheckpointError("save_model: " + path.string() + ": " + t.name +
                                  " holds a NaN or an infinity (training diverged); the file was not written. Pass "
                                  "{.allow_non_finite = true} to save it anyway");
        views.push_back(st::view(t.name, t.shape, std::span<const float>(t.values)));
        // A BatchNorm's counter beside its statistics, so that the file holds every
        // key of PyTorch's state_dict (a strict load needs nothing filled in).
        if (const std::string_view suffix = ".running_mean"; t.name.ends_with(suffix))
            views.push_back(st::view(t.name.substr(0, t.name.size() - suffix.size()) + ".num_batches_tracked", {},
                                     std::span(&tracked, 1)));
    }
    st::write(path, views, {{"format", "pt"}});
}

TYPENET_INLINE void load_model_tensors(const std::filesystem::path& path,
                                       const std::vector<CheckpointTensor>& tensors) {
    const auto file = io::safetensors::read(path);
    const auto named = checkpoint::named_as_in(file, tensors);
    checkpoint::check_model_file(file, named);
    checkpoint::apply_model_file(file, named);
}

TYPENET_INLINE void save_optimizer_state(const std::filesystem::path& path, const OptimizerSlots& optimizer,
                                         const TrainingPosition& position) {
    namespace st = io::safetensors;
    using checkpoint::as_i64;
    // Scalars live here until write() has copied them out.
    const std::int64_t counters[] = {as_i64(position.epoch), as_i64(position.step), as_i64(position.schedule_step),
                                     as_i64(position.plateau_bad_epochs)};
    const float rates[] = {position.learning_rate, position.plateau_best, optimizer.learning_rate(optimizer.self),
                           position.rng.spare};
    std::int64_t words[4];
    for (std::size_t i = 0; i < 4; ++i) words[i] = as_i64(position.rng.words[i]);
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
    if (optimizer.steps) {
        steps = as_i64(*optimizer.steps);
        views.push_back(st::view("optimizer.steps", {}, one(steps)));
        std::vector<std::pair<std::string, std::span<float>>> slots;
        optimizer.slots(optimizer.self, slots);
        for (const auto& [name, values] : slots)
            views.push_back(st::view("optimizer." + name, {values.size()}, std::span<const float>(values)));
    }
    st::write(path, views, {{"typenet.kind", "training_state"}, {"optimizer", optimizer.name}});
}

TYPENET_INLINE TrainingPosition load_optimizer_state(const std::filesystem::path& path, OptimizerSlots& optimizer,
                                                     std::size_t parameter_count) {
    const auto file = io::safetensors::read(path);
    const checkpoint::CheckedState checked = checkpoint::check_state_file(file, optimizer, parameter_count);
    checkpoint::apply_state_file(file, checked, optimizer);
    return checked.position;
}

TYPENET_INLINE TrainingPosition load_model_and_state(const std::filesystem::path& model_path,
                                                     const std::vector<CheckpointTensor>& tensors,
                                                     const std::filesystem::path& state_path,
                                                     OptimizerSlots& optimizer, std::size_t parameter_count,
                                                     std::optional<std::uint64_t> epoch) {
    const auto model_file = io::safetensors::read(model_path);
    const auto state_file = io::safetensors::read(state_path);
    const auto named = checkpoint::named_as_in(model_file, tensors);
    checkpoint::check_model_file(model_file, named);
    const checkpoint::CheckedState checked = checkpoint::check_state_file(state_file, optimizer, parameter_count);
    if (epoch && checked.position.epoch != *epoch)
        throw CheckpointError(state_file.source + ": holds the position after epoch " +
                              std::to_string(checked.position.epoch) + ", but its name says epoch " +
                              std::to_string(*epoch));
    checkpoint::apply_model_file(model_file, named);
    checkpoint::apply_state_file(state_file, checked, optimizer);
    return checked.position;
}

}  // namespace tn::detail
