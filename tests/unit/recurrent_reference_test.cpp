// The recurrent layers against PyTorch: each case of
// tests/reference/recurrent_reference.safetensors (written by
// make_recurrent_reference.py from torch.nn.RNN/LSTM/GRU, batch_first, packed
// sequences of lengths 3, 5, 1) is loaded into the matching typenet layer by
// parameter name; outputs, parameter gradients and the input gradient of
// sum(output * R) must agree to 1e-5.
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
        (std::filesystem::path(__FILE__).parent_path() / "../reference/recurrent_reference.safetensors").string());
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

template <class Layer>
void check_case(const std::string& name) {
    constexpr std::size_t B = 3, T = 5, D = 4;
    using M = Model<Sequential<Input<T, D>, Layer>>;
    const auto& file = reference();
    auto tensor = [&](const std::string& key) { return file.at(name + "." + key).to_floats(); };
    M model;
    // PyTorch's names are the ends of ours (layers.0.weight_hh_l0_reverse).
    std::size_t loaded = 0;
    for (auto& t : model.named_parameters()) {
        const std::string key = t.name.substr(t.name.rfind('.') + 1);
        const auto values = tensor(key);
        REQUIRE_MESSAGE(values.size() == t.values.size(), key);
        CHECK(file.at(name + "." + key).shape == t.shape);
        std::copy(values.begin(), values.end(), t.values.begin());
        ++loaded;
    }
    CHECK(loaded == (name.find("_bi") != std::string::npos ? 8u : 4u));
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
        const std::string key = t.name.substr(t.name.rfind('.') + 1);
        check_close(name + " grad of " + key, t.gradients, tensor("grad." + key));
    }
    check_close(name + " grad of x", dx, tensor("grad.x"));
}

}  // namespace

TEST_CASE("RNN matches torch.nn.RNN: outputs and gradients, packed lengths, one and two directions") {
    check_case<RNN<3>>("rnn");
    check_case<Bidirectional<RNN<3>>>("rnn_bi");
    check_case<RNN<3, LastState>>("rnn_last");
}

TEST_CASE("LSTM matches torch.nn.LSTM: outputs and gradients, packed lengths, one and two directions") {
    check_case<LSTM<3>>("lstm");
    check_case<Bidirectional<LSTM<3>>>("lstm_bi");
    check_case<Bidirectional<LSTM<3, LastState>>>("lstm_bi_last");
}

TEST_CASE("GRU matches torch.nn.GRU: outputs and gradients, packed lengths, one and two directions") {
    check_case<GRU<3>>("gru");
    check_case<Bidirectional<GRU<3>>>("gru_bi");
    check_case<GRU<3, LastState>>("gru_last");
}
