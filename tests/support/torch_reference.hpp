// PyTorch's values for one layer, written by a script in tests/reference/ (inputs,
// parameters, output, and the gradients of sum(output * probe)), and the check that
// typenet's layer 0 of Net reproduces them: the same comparison as
// torch_layers_test.cpp, for cases that also carry per-sample lengths.
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <typenet/io/safetensors.hpp>
#include <typenet/train/transfer.hpp>
#include <typenet/typenet.hpp>

namespace tn::testing {

inline std::filesystem::path torch_reference(const std::string& file) {
    return std::filesystem::path(__FILE__).parent_path().parent_path() / "reference" / file;
}

// |typenet - PyTorch| <= 1e-5 max(1, |PyTorch|), element by element; names the worst.
inline void compare_to_torch(const std::string& what, std::span<const float> got, const std::vector<float>& want) {
    REQUIRE_MESSAGE(got.size() == want.size(), what);
    double worst = 0;
    std::size_t at = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const double err = std::abs(double(got[i]) - double(want[i])) / std::max(1.0, std::abs(double(want[i])));
        if (!(err <= worst)) worst = err, at = i;  // a NaN is the worst
    }
    INFO(what << "[" << at << "]: typenet " << got[at] << ", PyTorch " << want[at]);
    CHECK(worst <= 1e-5);
}

// Loads every parameter by its PyTorch name, runs forward (with the file's lengths,
// if any) and backward of the probe, and compares output and every gradient.
template <class Net>
void check_against_torch(const std::string& file_name) {
    namespace st = tn::io::safetensors;
    INFO("reference " << file_name);
    const auto path = torch_reference(file_name);
    const auto file = st::read(path);
    Model<Net> model{Seed{1}};
    if (!model.named_parameters().empty()) {
        const LoadReport loaded = load_matching(path, model);
        CHECK(loaded.missing.empty());
        CHECK(loaded.loaded.size() == model.named_parameters().size());
    }
    const auto x = file.at("input").to_floats();
    const std::size_t batch = x.size() / Model<Net>::input_size;
    std::copy(x.begin(), x.end(), model.input(batch));
    if (file.find("lengths")) {
        const auto lengths = file.at("lengths").to_floats();
        std::uint32_t* l = model.lengths(batch);
        for (std::size_t b = 0; b < batch; ++b) l[b] = std::uint32_t(lengths[b]);
    }
    compare_to_torch("output", model.forward(batch, true), file.at("output").to_floats());
    const auto probe = file.at("probe").to_floats();
    std::vector<float> dx(x.size());
    model.backward(probe.data(), dx.data());
    compare_to_torch("grad.input", dx, file.at("grad.input").to_floats());
    for (const auto& p : model.named_parameters())
        compare_to_torch("grad." + p.name, p.gradients, file.at("grad." + p.name).to_floats());
}

}  // namespace tn::testing
