// The attention layers against PyTorch: each case of
// tests/reference/attention_reference.safetensors (written by
// make_attention_reference.py from torch.nn.MultiheadAttention and
// torch.nn.TransformerEncoderLayer, batch_first, key_padding_mask from lengths 3, 5, 1,
// and a causal attn_mask) is loaded into the matching typenet layer by parameter
// name; outputs, parameter gradients and the input gradient of sum(output * R) must
// agree to 1e-5.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include <typenet/io/safetensors.hpp>
#include <typenet/typenet.hpp>

using namespace tn;

namespace {

const io::safetensors::File& reference() {
    static const io::safetensors::File file = io::safetensors::read(
        (std::filesystem::path(__FILE__).parent_path() / "../reference/attention_reference.safetensors").string());
    return file;
}

void check_close(const std::string& what, std::span<const float> got, const std::vector<float>& expected) {
    REQUIRE_MESSAGE(got.size() == expected.size(), what);
    std::size_t bad = 0;
    double worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        const double error = std::abs(double(got[i]) - expected[i]);
        worst = std::max(worst, error);
        if (error > 1e-5 * (1 + std::abs(expected[i]))) ++bad;
    }
    CHECK_MESSAGE(bad == 0, what << ": " << bad << " of " << got.size() << " values off by more than 1e-5 (worst "
                                 << worst << ")");
}

// Layer's parameters are named "0.<PyTorch's name>": the model's layer 0.
template <class Layer>
void check_case(const std::string& name, std::size_t expected_tensors) {
    constexpr std::size_t B = 3, T = 5, D = 8;
    using M = Model<Sequential<Input<T, D>, Layer>>;
    const auto& file = reference();
    auto tensor = [&](const std::string& key) { return file.at(name + "." + key).to_floats(); };
    M model;
    std::size_t loaded = 0;
    for (auto& t : model.named_parameters()) {
        const std::string key = t.name.substr(2);
        const auto values = tensor(key);
        REQUIRE_MESSAGE(values.size() == t.values.size(), key);
        CHECK(file.at(name + "." + key).shape == t.shape);
        std::copy(values.begin(), values.end(), t.values.begin());
        ++loaded;
    }
    CHECK(loaded == expected_tensors);
    const auto x = tensor("x");
    const auto lengths = file.at(name + ".lengths").to_int64s();
    std::copy(x.begin(), x.end(), model.input(B));
    for (std::size_t b = 0; b < B; ++b) model.lengths(B)[b] = std::uint32_t(lengths[b]);
    const auto y = model.forward(B, true);
    check_close(name + " output", y, tensor("output"));
    const auto weights = tensor("weights");
    std::vector<float> dx(x.size());
    model.backward(weights.data(), dx.data());
    for (auto& t : model.named_parameters()) {
        const std::string key = t.name.substr(2);
        check_close(name + " grad of " + key, t.gradients, tensor("grad." + key));
    }
    check_close(name + " grad of x", dx, tensor("grad.x"));
}

}  // namespace

TEST_CASE("MultiHeadAttention matches torch.nn.MultiheadAttention: key padding, causal, outputs and gradients") {
    check_case<MultiHeadAttention<2>>("mha", 4);
    check_case<MultiHeadAttention<2, Causal>>("mha_causal", 4);
}
