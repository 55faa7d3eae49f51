// Checkpoints of a run in a directory, one every N epochs, and resuming from the
// latest: the checkpoint API (train/checkpoint.hpp) driven by a fit() callback.
//
//   Adam adam;
//   auto at = tn::load_latest_checkpoint("out/run", model, adam);   // nullopt the first time
//   fit(model, train, loss, adam, {.epochs = 50, .resume_from = at},
//       tn::checkpoint_every(5, "out/run", model, adam));
//
// Epoch k is saved as epoch-000k.safetensors (the model, loadable by PyTorch) and
// epoch-000k.state.safetensors (the optimizer's state and the TrainingPosition).
// Kept apart from callbacks.hpp because the file format pulls in a JSON parser,
// which a program that never saves should not compile.
#pragma once
#include <charconv>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include "typenet/train/callbacks.hpp"
#include "typenet/train/checkpoint.hpp"
#include "typenet/train/position.hpp"

namespace tn {

struct CheckpointPaths {
    std::filesystem::path model, state;
};

// The two files of epoch `epoch` in `directory` (zero-padded, so they sort by epoch).
inline CheckpointPaths checkpoint_paths(const std::filesystem::path& directory, std::size_t epoch) {
    char stem[32];
    std::snprintf(stem, sizeof stem, "epoch-%04zu", epoch);
    return {directory / (std::string(stem) + ".safetensors"), directory / (std::string(stem) + ".state.safetensors")};
}

// A callback that saves model, optimizer state and position to `directory` at the
// end of every `every`-th epoch (creating the directory if needed).
template <class Net, class Optimizer>
CheckpointEvery checkpoint_every(std::size_t every, std::filesystem::path directory, Model<Net>& model,
                                 Optimizer& optimizer) {
    return {.every = every, .save = [directory = std::move(directory), &model, &optimizer](const FitState& s) {
                std::filesystem::create_directories(directory);
                const CheckpointPaths paths = checkpoint_paths(directory, s.epoch);
                save_model(paths.model, model);
                save_training_state(paths.state, optimizer, s.position());
                if (s.verbose) std::fprintf(stderr, "checkpoint: %s\n", paths.model.string().c_str());
            }};
}

// The highest epoch with both files in `directory`; nullopt when there is none (or
// no directory).
inline std::optional<std::size_t> latest_checkpoint_epoch(const std::filesystem::path& directory) {
    std::optional<std::size_t> latest;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
        const std::string name = entry.path().filename().string();
        const std::string prefix = "epoch-", suffix = ".state.safetensors";
        if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        std::size_t epoch = 0;
        const char* first = name.data() + prefix.size();
        const char* last = name.data() + name.size() - suffix.size();
        if (auto [end, ec] = std::from_chars(first, last, epoch); ec != std::errc{} || end != last) continue;
        if (!std::filesystem::exists(checkpoint_paths(directory, epoch).model)) continue;
        if (!latest || epoch > *latest) latest = epoch;
    }
    return latest;
}

// Loads the latest checkpoint in `directory` into `model` and `optimizer` and
// returns its position, for FitOptions::resume_from; nullopt, touching nothing,
// when the directory holds none. Both files are read and checked (format, names,
// dtypes, shapes, the optimizer's name, the epoch in the state against the file
// name) before either the model or the optimizer changes, so a bad state file does
// not leave a model restored and an optimizer not.
template <class Net, class Optimizer>
std::optional<TrainingPosition> load_latest_checkpoint(const std::filesystem::path& directory, Model<Net>& model,
                                                       Optimizer& optimizer) {
    const auto epoch = latest_checkpoint_epoch(directory);
    if (!epoch) return std::nullopt;
    const CheckpointPaths paths = checkpoint_paths(directory, *epoch);
    const auto model_file = io::safetensors::read(paths.model);
    const auto state_file = io::safetensors::read(paths.state);
    detail::check_model_file(model_file, model);
    const auto state = detail::check_training_state(state_file, optimizer, Model<Net>::param_count);
    if (state.position.epoch != *epoch)
        throw CheckpointError(paths.state.string() + ": holds the position after epoch " +
                              std::to_string(state.position.epoch) + ", but its name says epoch " +
                              std::to_string(*epoch));
    // Everything is checked: now change the model and the optimizer.
    detail::copy_model_file(model_file, model);
    detail::apply_training_state(state_file, state, optimizer);
    return state.position;
}

}  // namespace tn
