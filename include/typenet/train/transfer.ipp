// The body of train/transfer.hpp's load_matching: inline in a header-only build,
// compiled once into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <set>

#include "typenet/train/checkpoint.hpp"
#include "typenet/train/checkpoint.ipp"
#include "typenet/train/transfer.hpp"

namespace tn::detail {

TYPENET_INLINE LoadReport load_matching_tensors(const std::filesystem::path& path,
                                                const std::vector<CheckpointTensor>& tensors, LoadOptions options) {
    namespace st = io::safetensors;
    const auto file = st::read(path);
    LoadReport report;
    std::set<std::string> known;
    std::vector<std::pair<const st::Tensor*, std::span<float>>> copies;
    // A file of typenet's old names is read in them (train/checkpoint.hpp's rule); the
    // report names the model's tensors as the model does, the file's as the file does.
    const auto named = checkpoint::named_as_in(file, tensors);
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const CheckpointTensor& t = tensors[i];
        known.insert(named[i].name);
        const st::Tensor* found = file.find(named[i].name);
        if (!found) {
            report.missing.push_back(t.name);
        } else if (found->dtype == st::Dtype::F32 && found->shape == t.shape) {
            report.loaded.push_back(t.name);
            copies.emplace_back(found, t.values);
        } else if (options.skip_mismatched) {
            report.mismatched.push_back(t.name);
        } else {
            checkpoint::expect_tensor(*found, st::Dtype::F32, t.shape, file.source,
                                      "the model (pass {.skip_mismatched = true} to leave it as it is)");
        }
    }
    for (const auto& t : file.tensors)
        if (!known.contains(t.name) && !t.name.ends_with(".num_batches_tracked")) report.unexpected.push_back(t.name);
    for (const auto& [tensor, values] : copies) checkpoint::copy_floats(*tensor, values);
    return report;
}

}  // namespace tn::detail
