// SinusoidalPositions and LearnedPositions (layers/positional_encoding.hpp): the
// encoding's values and properties, Pass::start, PyTorch's values, gradients.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <typenet/typenet.hpp>

#include "../support/error_of.hpp"
#include "../support/gradient_check.hpp"
#include "../support/torch_reference.hpp"

using namespace tn;

namespace {
// The bound layer's forward on its own, at a given Pass::start (what a model
// generating one position at a time passes).
template <class Spec, std::size_t T, std::size_t D>
std::vector<float> encode(const std::vector<float>& x, std::size_t batch, std::size_t start,
                          const std::vector<float>& params = {}) {
    using L = typename Spec::template bind<Shape<T, D>>;
    std::vector<float> y(x.size()), workspace(batch * std::max<std::size_t>(workspace_size_of<L>(), 1));
    Pass p;
    p.batch = batch;
    p.start = start;
    L::forward(p, params.data(), x.data(), y.data(), nullptr, workspace.data());
    return y;
}
}  // namespace

TEST_CASE("SinusoidalPositions: sin on even features, cos on odd, added to the input") {
    constexpr std::size_t T = 6, D = 8;
    using Net = Sequential<Input<T, D>, SinusoidalPositions>;
    static_assert(std::is_same_v<Model<Net>::output_shape, Shape<T, D>>);
    Model<Net> model;
    CHECK(model.parameters().empty());
    std::vector<float> x(2 * T * D, 0.f);
    x[T * D + 3] = 10.f;  // sample 1, position 0, feature 3
    std::copy(x.begin(), x.end(), model.input(2));
    const auto y = model.forward(2);
    for (std::size_t t = 0; t < T; ++t)
        for (std::size_t i = 0; i < D / 2; ++i) {
            const double angle = double(t) / std::pow(10000.0, double(2 * i) / D);
            CHECK(y[t * D + 2 * i] == doctest::Approx(std::sin(angle)).epsilon(1e-6));
            CHECK(y[t * D + 2 * i + 1] == doctest::Approx(std::cos(angle)).epsilon(1e-6));
        }
    CHECK(y[T * D + 3] == doctest::Approx(10.0 + 1.0));  // cos(0) added to the input
    // An odd width ends with a sin feature.
    const auto odd = encode<SinusoidalPositions, 3, 5>(std::vector<float>(15, 0.f), 1, 0);
    CHECK(odd[2 * 5 + 4] == doctest::Approx(std::sin(2.0 / std::pow(10000.0, 4.0 / 5))).epsilon(1e-6));
}

TEST_CASE("SinusoidalPositions: the dot product of two positions depends only on their distance") {
    // PE[p] . PE[p + k] = sum_i cos(k w_i): the same for every p, largest at k = 0 (D / 2).
    constexpr std::size_t T = 40, D = 16;
    const auto pe = encode<SinusoidalPositions, T, D>(std::vector<float>(T * D, 0.f), 1, 0);
    auto dot = [&](std::size_t a, std::size_t b) {
        double s = 0;
        for (std::size_t k = 0; k < D; ++k) s += double(pe[a * D + k]) * pe[b * D + k];
        return s;
    };
    for (std::size_t k : {0, 1, 5, 17})
        for (std::size_t p : {0, 3, 20}) CHECK(dot(p, p + k) == doctest::Approx(dot(0, k)).epsilon(1e-5));
    CHECK(dot(7, 7) == doctest::Approx(D / 2.0).epsilon(1e-6));
    for (std::size_t k = 1; k < 20; ++k) CHECK(dot(0, k) < dot(0, 0));
}

TEST_CASE("SinusoidalPositions and LearnedPositions: Pass::start gives a call the positions it continues from") {
    // Generation one position at a time: position s alone, at start = s, is row s of
    // the whole sequence encoded at once.
    constexpr std::size_t T = 12, D = 6;
    Rng rng{Seed{3}};
    std::vector<float> x(T * D), table(16 * D);
    for (float& v : x) v = rng.uniform(-1.f, 1.f);
    for (float& v : table) v = rng.uniform(-1.f, 1.f);
    const auto whole = encode<SinusoidalPositions, T, D>(x, 1, 0);
    const auto learned_whole = encode<LearnedPositions<16>, T, D>(x, 1, 0, table);
    for (std::size_t s = 0; s < T; ++s) {
        const std::vector<float> one(x.begin() + std::ptrdiff_t(s * D), x.begin() + std::ptrdiff_t((s + 1) * D));
        const auto step = encode<SinusoidalPositions, 1, D>(one, 1, s);
        const auto learned_step = encode<LearnedPositions<16>, 1, D>(one, 1, s, table);
        for (std::size_t k = 0; k < D; ++k) {
            CHECK(step[k] == doctest::Approx(whole[s * D + k]).epsilon(1e-6));
            CHECK(learned_step[k] == learned_whole[s * D + k]);
        }
    }
    // Far positions keep their precision (the angles are taken in double).
    const auto far = encode<SinusoidalPositions, 1, 2>(std::vector<float>(2, 0.f), 1, 100000);
    CHECK(far[0] == doctest::Approx(std::sin(100000.0)).epsilon(1e-6));
}

TEST_CASE("SinusoidalPositions is PyTorch's Transformer tutorial encoding; LearnedPositions a weight [Tmax, D]") {
    testing::check_against_torch<Sequential<Input<6, 10>, SinusoidalPositions>>("torch_norms_sinusoidal.safetensors");
    testing::check_against_torch<Sequential<Input<5, 6>, LearnedPositions<8>>>("torch_norms_learned.safetensors");
    // The continuation case (start 37) through the bound layer.
    const auto file = io::safetensors::read(testing::torch_reference("torch_norms_sinusoidal_start.safetensors"));
    const auto y = encode<SinusoidalPositions, 3, 10>(file.at("input").to_floats(), 2, 37);
    testing::compare_to_torch("output at start 37", y, file.at("output").to_floats());

    Model<Sequential<Input<5, 6>, LearnedPositions<8>>> learned;
    const auto tensors = learned.named_parameters();
    REQUIRE(tensors.size() == 1);
    CHECK(tensors[0].name == "0.weight");
    CHECK(tensors[0].shape == std::vector<std::size_t>{8, 6});
    CHECK(LearnedPositions<8>::name() == "LearnedPositions<8>");
}

TEST_CASE("Positional encodings: gradients match finite differences, with and without lengths") {
    const testing::GradientCheckOptions full{.batch = 3};
    const testing::GradientCheckOptions padded{.batch = 3, .lengths = {5, 2, 1}};
    using Sin = Sequential<Input<5, 6>, SinusoidalPositions, Dense<3>, Tanh, Dense<2>>;
    using Learned = Sequential<Input<5, 6>, LearnedPositions<7>, Dense<3>, Tanh, Dense<2>>;
    CHECK_GRADIENTS((testing::check_gradients<Sin>(MSE{}, full)));
    CHECK_GRADIENTS((testing::check_gradients<Learned>(MSE{}, full)));
    // Per-token targets past each length are ignored: padding contributes nothing.
    using Tagger = Sequential<Tokens<5>, Embedding<9, 4>, LearnedPositions<6>, Dense<3>>;
    CHECK_GRADIENTS((testing::check_gradients<Tagger>(TokenCrossEntropy{}, padded)));
    using SinTagger = Sequential<Tokens<5>, Embedding<9, 4>, SinusoidalPositions, Dense<3>>;
    CHECK_GRADIENTS((testing::check_gradients<SinTagger>(TokenCrossEntropy{}, padded)));
}

TEST_CASE("LearnedPositions: rows past every sample's length get no gradient; past Tmax is an error") {
    using Net = Sequential<Input<4, 3>, LearnedPositions<6>, MeanOverTime, Dense<2>>;
    Model<Net> model{Seed{2}};
    std::fill_n(model.input(2), 2 * 4 * 3, 0.5f);
    model.lengths(2)[0] = 2;
    model.lengths(2)[1] = 3;
    const auto y = model.forward(2, true);
    std::vector<float> dy(y.size(), 1.f);
    model.backward(dy.data());
    const auto table = model.named_parameters()[0];
    for (std::size_t t = 0; t < 6; ++t) {
        double size = 0;
        for (std::size_t k = 0; k < 3; ++k) size += std::abs(table.gradients[t * 3 + k]);
        INFO("position " << t);
        if (t < 3) CHECK(size > 0);
        else CHECK(size == 0);  // position 3 is padding in both samples; 4 and 5 beyond T
    }

    using L = LearnedPositions<6>::bind<Shape<2, 3>>;
    std::vector<float> params(L::param_count), x(6), out(6);
    Pass p;
    p.start = 5;
    CHECK(support::error_of([&] { L::forward(p, params.data(), x.data(), out.data(), nullptr, nullptr); }) ==
          "LearnedPositions<6>: this call covers positions 5 to 6, but the table holds positions 0 to 5; a "
          "sequence cannot go past Tmax = 6 positions");
}
