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
#include <typenet/layers/transformer/encoder_layer.hpp>
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
    // At padded positions PyTorch's output was multiplied by 0 (the script says why)
    // and so the loss's gradient is 0 there, which is what typenet's losses give.
    // typenet's blocks may compute anything finite there (a pre-norm block's skip
    // carries x through): compared at real positions only.
    auto padded = [&](std::size_t row) { return row % T >= std::size_t(lengths[row / T]); };
    const auto out = model.forward(B, true);
    std::vector<float> y(out.begin(), out.end());
    for (std::size_t row = 0; row < B * T; ++row)
        if (padded(row)) std::fill_n(y.begin() + std::ptrdiff_t(row * D), D, 0.f);
    check_close(name + " output", y, tensor("output"));
    auto weights = tensor("weights");
    for (std::size_t row = 0; row < B * T; ++row)
        if (padded(row)) std::fill_n(weights.begin() + std::ptrdiff_t(row * D), D, 0.f);
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

TEST_CASE("TransformerEncoderLayer matches torch.nn.TransformerEncoderLayer (eval): post-norm ReLU, pre-norm GELU") {
    // BlockDropout<0>: PyTorch's reference ran in eval mode; typenet's check trains (for
    // the cache backward reads), so the block's dropout is off in the type.
    check_case<TransformerEncoderLayer<2, 16, BlockDropout<0>>>("encoder_post_relu", 12);
    check_case<TransformerEncoderLayer<2, 16, PreNorm, GELU, BlockDropout<0>>>("encoder_pre_gelu", 12);
}
