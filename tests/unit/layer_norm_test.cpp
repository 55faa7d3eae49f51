// LayerNorm and RMSNorm (layers/layer_norm.hpp, layers/rms_norm.hpp): PyTorch's names
// and values, finite-difference gradients, and padding that changes nothing.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <typenet/typenet.hpp>

#include "../support/gradient_check.hpp"
#include "../support/torch_reference.hpp"

using namespace tn;

namespace {
// The definition, in double: per row of D, (x - mean) / sqrt(var + eps) (or x / rms).
std::vector<double> normalised_rows(const std::vector<float>& x, std::size_t D, bool centred, double eps) {
    std::vector<double> y(x.size());
    for (std::size_t r = 0; r < x.size() / D; ++r) {
        double mean = 0, squares = 0;
        if (centred)
            for (std::size_t k = 0; k < D; ++k) mean += x[r * D + k] / double(D);
        for (std::size_t k = 0; k < D; ++k) squares += (x[r * D + k] - mean) * (x[r * D + k] - mean) / double(D);
        for (std::size_t k = 0; k < D; ++k) y[r * D + k] = (x[r * D + k] - mean) / std::sqrt(squares + eps);
    }
    return y;
}
}  // namespace

TEST_CASE("LayerNorm and RMSNorm: shapes, parameter names and counts are PyTorch's") {
    using LN = Model<Sequential<Input<5, 12>, LayerNorm<>>>;
    static_assert(std::is_same_v<LN::output_shape, Shape<5, 12>>);
    LN ln;
    const auto tensors = ln.named_parameters();
    REQUIRE(tensors.size() == 2);
    CHECK(tensors[0].name == "0.weight");
    CHECK(tensors[1].name == "0.bias");
    CHECK(tensors[0].shape == std::vector<std::size_t>{12});
    for (float w : tensors[0].values) CHECK(w == 1.f);
    for (float b : tensors[1].values) CHECK(b == 0.f);
    CHECK(Model<Sequential<Input<7>, LayerNorm<NoAffine>>>{}.named_parameters().empty());

    Model<Sequential<Input<3, 8>, RMSNorm<>>> rms;
    REQUIRE(rms.named_parameters().size() == 1);
    CHECK(rms.named_parameters()[0].name == "0.weight");
    static_assert(RMSNorm<>::epsilon == 1.0 / 8388608.0);  // float32's machine epsilon, nn.RMSNorm's default
    static_assert(LayerNorm<>::epsilon == 1e-5);
    CHECK(LayerNorm<NoAffine, Epsilon<1, 1000>>::name() == "LayerNorm<NoAffine, Epsilon<1, 1000>>");
    CHECK(RMSNorm<>::name() == "RMSNorm<>");
}

TEST_CASE("LayerNorm and RMSNorm: forward is the definition, at every width around the vector's") {
    // 1 to 37 features: shorter than a vector, a tail, several vectors and a tail.
    auto check_width = [&]<std::size_t D>() {
        Model<Sequential<Input<3, D>, LayerNorm<>>> ln{Seed{D}};
        Model<Sequential<Input<3, D>, RMSNorm<>>> rms{Seed{D}};
        Rng rng{Seed{D + 100}};
        std::vector<float> x(2 * 3 * D);
        for (float& v : x) v = rng.uniform(-3.f, 5.f);
        std::copy(x.begin(), x.end(), ln.input(2));
        std::copy(x.begin(), x.end(), rms.input(2));
        const auto want_ln = normalised_rows(x, D, true, 1e-5);
        const auto want_rms = normalised_rows(x, D, false, 1.0 / 8388608.0);
        const auto got_ln = ln.forward(2);
        const auto got_rms = rms.forward(2);
        for (std::size_t i = 0; i < x.size(); ++i) {
            INFO("D = " << D << ", element " << i);
            // With D = 1 LayerNorm gives 0 (x - mean = 0), exactly, as PyTorch does.
            CHECK(got_ln[i] == doctest::Approx(want_ln[i]).epsilon(2e-6).scale(1.0));
            CHECK(got_rms[i] == doctest::Approx(want_rms[i]).epsilon(2e-6).scale(1.0));
        }
    };
    [&]<std::size_t... D>(std::index_sequence<D...>) { (check_width.template operator()<D + 1>(), ...); }(
        std::make_index_sequence<37>{});
}

TEST_CASE("LayerNorm and RMSNorm are nn.LayerNorm and torch 2.4's nn.RMSNorm: outputs and gradients") {
    using testing::check_against_torch;
    check_against_torch<Sequential<Input<4, 19>, LayerNorm<>>>("torch_norms_layer_norm.safetensors");
    check_against_torch<Sequential<Input<7>, LayerNorm<>>>("torch_norms_layer_norm_flat.safetensors");
    check_against_torch<Sequential<Input<3, 8>, LayerNorm<NoAffine>>>("torch_norms_layer_norm_no_affine.safetensors");
    check_against_torch<Sequential<Input<3, 5>, LayerNorm<Epsilon<1, 10>>>>("torch_norms_layer_norm_eps.safetensors");
    check_against_torch<Sequential<Input<5, 6>, LayerNorm<>>>("torch_norms_layer_norm_padded.safetensors");
    check_against_torch<Sequential<Input<4, 19>, RMSNorm<>>>("torch_norms_rms_norm.safetensors");
    check_against_torch<Sequential<Input<3, 8>, RMSNorm<Epsilon<1, 1000000>>>>("torch_norms_rms_norm_llama.safetensors");
    check_against_torch<Sequential<Input<5, 6>, RMSNorm<>>>("torch_norms_rms_norm_padded.safetensors");
}

TEST_CASE("LayerNorm and RMSNorm: gradients match finite differences, with and without lengths") {
    // Inputs in [-3, 3]: a normalisation's curvature grows as 1 / (standard deviation)^2,
    // and rows of a few values in [-1, 1] can have a small one, where the central
    // difference's truncation error (step 1e-2) reaches the tolerance.
    const testing::GradientCheckOptions noisy{.batch = 3, .input_range = 3.f, .parameter_noise = 0.3f};
    const testing::GradientCheckOptions padded{
        .batch = 3, .input_range = 3.f, .parameter_noise = 0.3f, .lengths = {4, 2, 1}};
    // A Dense after the normalisation: the loss must not be invariant to the output's
    // scale and shift, or the input gradient would be zero and prove nothing.
    CHECK_GRADIENTS((testing::check_gradients<Sequential<Input<4, 19>, LayerNorm<>, Dense<3>>>(MSE{}, noisy)));
    CHECK_GRADIENTS((testing::check_gradients<Sequential<Input<4, 19>, LayerNorm<>, Dense<3>>>(MSE{}, padded)));
    CHECK_GRADIENTS((testing::check_gradients<Sequential<Input<6>, LayerNorm<>, Dense<2>>>(MSE{}, noisy)));
    CHECK_GRADIENTS((testing::check_gradients<Sequential<Input<4, 5>, LayerNorm<NoAffine>, Dense<3>>>(MSE{}, padded)));
    CHECK_GRADIENTS((testing::check_gradients<Sequential<Input<4, 19>, RMSNorm<>, Dense<3>>>(MSE{}, noisy)));
    CHECK_GRADIENTS((testing::check_gradients<Sequential<Input<4, 7>, RMSNorm<>, Dense<3>>>(MSE{}, padded)));
    CHECK_GRADIENTS((testing::check_gradients<Sequential<Input<9>, RMSNorm<NoAffine>, Dense<2>>>(MSE{}, noisy)));
    // A flat LayerNorm after MeanOverTime: the model's lengths speak of its input's
    // positions, not of this layer's one vector, which is normalised whole.
    CHECK_GRADIENTS((testing::check_gradients<Sequential<Input<4, 5>, MeanOverTime, LayerNorm<>, Dense<2>>>(MSE{}, padded)));
}

TEST_CASE("LayerNorm: padded positions give 0, a zero input gradient, and change no real result") {
    using Net = Sequential<Input<4, 6>, LayerNorm<>, Dense<3>>;
    Model<Net> padded{Seed{4}};
    for (float& p : padded.parameters()) p += 0.1f;
    Rng rng{Seed{9}};
    std::vector<float> x(2 * 4 * 6);
    for (float& v : x) v = rng.uniform(-2.f, 2.f);
    for (std::size_t k = 2 * 6; k < 4 * 6; ++k) x[k] = 1e30f;  // sample 0's padding: huge, would overflow if read
    std::copy(x.begin(), x.end(), padded.input(2));
    padded.lengths(2)[0] = 2;
    padded.lengths(2)[1] = 4;
    const auto y = padded.forward(2, true);
    std::vector<float> layer_norm_out;
    padded.for_each_layer_output([&](std::size_t i, const std::string&, std::span<const float> v) {
        if (i == 0) layer_norm_out.assign(v.begin(), v.end());
    });
    for (std::size_t k = 2 * 6; k < 4 * 6; ++k) CHECK(layer_norm_out[k] == 0.f);
    std::vector<float> dy(y.begin(), y.end()), dx(x.size(), 7.f);
    std::fill(dy.begin() + 2 * 3, dy.begin() + 4 * 3, 0.f);  // the zero a loss gives at padding
    padded.backward(dy.data(), dx.data());
    for (std::size_t k = 2 * 6; k < 4 * 6; ++k) CHECK(dx[k] == 0.f);

    // Sample 0 alone, two positions long: the same outputs and gradients.
    Model<Sequential<Input<2, 6>, LayerNorm<>, Dense<3>>> alone;
    std::copy(padded.parameters().begin(), padded.parameters().end(), alone.parameters().begin());
    std::copy(x.begin(), x.begin() + 12, alone.input(1));
    const auto y_alone = alone.forward(1, true);
    for (std::size_t k = 0; k < 6; ++k) CHECK(y_alone[k] == doctest::Approx(y[k]).epsilon(1e-6));
    std::vector<float> dx_alone(12);
    alone.backward(dy.data(), dx_alone.data());
    for (std::size_t k = 0; k < 12; ++k) CHECK(dx_alone[k] == doctest::Approx(dx[k]).epsilon(1e-6));
}

TEST_CASE("LayerNorm: a batch of one trains (no batch statistics), the same in training and evaluation") {
    Model<Sequential<Input<3, 4>, LayerNorm<>>> model{Seed{2}};
    const std::vector<float> x{1, 2, 3, 4, -1, 0, 1, 9, 5, 5, 5, 6};
    std::copy(x.begin(), x.end(), model.input(1));
    const auto train = model.forward(1, true);
    const std::vector<float> a(train.begin(), train.end());
    std::copy(x.begin(), x.end(), model.input(1));
    const auto eval = model.forward(1, false);
    for (std::size_t k = 0; k < x.size(); ++k) CHECK(a[k] == eval[k]);
    for (std::size_t k = 0; k < x.size(); ++k) CHECK(std::isfinite(a[k]));
}

TEST_CASE("LayerNorm and RMSNorm: results are bit-identical on 1 and 2 threads") {
    // Large enough that the samples are split between the threads; each sample's share
    // of the parameter gradients is added in sample order whatever the thread count.
    using Net = Sequential<Input<32, 48>, LayerNorm<>, Dense<16>, RMSNorm<>, Dense<3>>;
    auto run = [](int threads) {
        set_threads(threads);
        Model<Net> m{Seed{6}};
        for (float& p : m.parameters()) p += 0.05f;
        Rng rng{Seed{7}};
        float* x = m.input(16);
        for (std::size_t i = 0; i < 16 * 32 * 48; ++i) x[i] = rng.uniform(-2.f, 2.f);
        const auto y = m.forward(16, true);
        std::vector<float> out(y.begin(), y.end()), dx(16 * 32 * 48);
        m.backward(out.data(), dx.data());
        out.insert(out.end(), dx.begin(), dx.end());
        out.insert(out.end(), m.gradients().begin(), m.gradients().end());
        return out;
    };
    const int before = threads();
    const auto one = run(1), two = run(2);
    set_threads(before);
    CHECK(one == two);
}
