// Fused paths equal unfused ones (design decision 7).
//
// Dense followed by an element-wise activation runs as one GEMM whose epilogue adds
// the bias and applies the activation (core/chain.hpp decides, layers/dense.hpp does
// it). An Identity in between breaks the fusion and leaves the same parameters (it
// has none, and draws nothing at initialisation), so the two models must agree.
//
// They agree bit for bit, and that is what is asserted: both paths accumulate the
// same GEMM in the same order, add the bias to the same float, and apply the same
// xsimd function lane by lane to the same value (an element's result does not
// depend on the lane or chunk it lands in). Backward is the same code on the same
// values. A tolerance here would hide a fused epilogue that, say, skipped the bias
// on a ragged tail by a small amount.
//
// Softmax + cross-entropy are fused in SoftmaxCrossEntropy (one pass computing
// log-sum-exp, loss and gradient). Its unfused equivalent, a Softmax layer and the
// negative log-likelihood, computes in a different order (exp, normalise, log), so
// that comparison holds to float rounding, not bits.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include <typenet/typenet.hpp>

using namespace tn;

namespace {

bool same_bits(std::span<const float> a, std::span<const float> b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Index of the first element whose bits differ, for the failure message.
std::string first_difference(std::span<const float> a, std::span<const float> b) {
    if (a.size() != b.size()) return "sizes differ: " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0)
            return "element " + std::to_string(i) + ": " + std::to_string(a[i]) + " vs " + std::to_string(b[i]);
    return "none";
}

#define CHECK_SAME_BITS(a, b) CHECK_MESSAGE(same_bits(a, b), "first difference: " << first_difference(a, b))

template <std::size_t In, std::size_t Out, class Activation, std::size_t Batch>
void check_fused_equals_unfused() {
    using Fused = Sequential<Input<In>, Dense<Out>, Activation>;
    using Unfused = Sequential<Input<In>, Dense<Out>, Identity, Activation>;
    static_assert(Fused::param_count == Unfused::param_count);
    Model<Fused> fused{Seed{21}};
    Model<Unfused> unfused{Seed{21}};
    // Same seed, same draws: the parameters are identical without copying.
    REQUIRE(same_bits(fused.parameters(), unfused.parameters()));

    Rng rng{Seed{22}};
    std::vector<float> dy(Out * Batch), dx_fused(In * Batch), dx_unfused(In * Batch);
    float* xf = fused.input(Batch);
    float* xu = unfused.input(Batch);
    for (std::size_t i = 0; i < In * Batch; ++i) xf[i] = xu[i] = rng.uniform(-2.f, 2.f);
    for (float& v : dy) v = rng.uniform(-1.f, 1.f);

    const auto y_fused = fused.forward(Batch, true);
    const auto y_unfused = unfused.forward(Batch, true);
    CHECK_SAME_BITS(y_fused, y_unfused);
    fused.backward(dy.data(), dx_fused.data());
    unfused.backward(dy.data(), dx_unfused.data());
    CHECK_SAME_BITS(fused.gradients(), unfused.gradients());
    CHECK_SAME_BITS(std::span<const float>(dx_fused), std::span<const float>(dx_unfused));
}

template <class Activation>
void check_activation_fusion() {
    check_fused_equals_unfused<8, 5, Activation, 3>();     // narrower than one vector
    check_fused_equals_unfused<40, 70, Activation, 17>();  // several GEMM tiles, ragged edges in both
}

}  // namespace

TEST_CASE("Dense + activation fused into the GEMM equals Dense, Identity, activation") {
    SUBCASE("GELU: needs the pre-activation, which the fused path stores") { check_activation_fusion<GELU>(); }
    SUBCASE("GELUTanh: needs the pre-activation too") { check_activation_fusion<GELUTanh>(); }
    SUBCASE("ReLU") { check_activation_fusion<ReLU>(); }
    SUBCASE("Sigmoid") { check_activation_fusion<Sigmoid>(); }
    SUBCASE("Tanh") { check_activation_fusion<Tanh>(); }
    SUBCASE("ELU") { check_activation_fusion<ELU<>>(); }
    SUBCASE("SELU") { check_activation_fusion<SELU>(); }
    SUBCASE("LeakyReLU") { check_activation_fusion<LeakyReLU<>>(); }
    SUBCASE("Step") { check_activation_fusion<Step>(); }
}

TEST_CASE("fusion inside containers and on sequences equals the unfused chain") {
    using Fused = Sequential<Input<5, 12>, Residual<Dense<24>, GELU, Dense<12>, Tanh>, Dense<7, NoBias>, Sigmoid>;
    using Unfused = Sequential<Input<5, 12>, Residual<Dense<24>, Identity, GELU, Dense<12>, Identity, Tanh>,
                               Dense<7, NoBias>, Identity, Sigmoid>;
    constexpr std::size_t batch = 6, in = 60, out = 35;
    Model<Fused> fused{Seed{5}};
    Model<Unfused> unfused{Seed{5}};
    REQUIRE(same_bits(fused.parameters(), unfused.parameters()));
    Rng rng{Seed{6}};
    float* xf = fused.input(batch);
    float* xu = unfused.input(batch);
    for (std::size_t i = 0; i < in * batch; ++i) xf[i] = xu[i] = rng.uniform(-1.f, 1.f);
    std::vector<float> dy(out * batch), dx_fused(in * batch), dx_unfused(in * batch);
    for (float& v : dy) v = rng.uniform(-1.f, 1.f);
    const auto y_fused = fused.forward(batch, true);
    const auto y_unfused = unfused.forward(batch, true);
    CHECK_SAME_BITS(y_fused, y_unfused);
    fused.backward(dy.data(), dx_fused.data());
    unfused.backward(dy.data(), dx_unfused.data());
    CHECK_SAME_BITS(fused.gradients(), unfused.gradients());
    CHECK_SAME_BITS(std::span<const float>(dx_fused), std::span<const float>(dx_unfused));
}

namespace {

// Softmax layer + negative log-likelihood, written out: loss = -mean log p[t], and
// dL/dp = -1 / (rows p[t]) at the target, 0 elsewhere.
template <class LogitsNet, class ProbabilitiesNet, std::size_t Batch>
void check_softmax_cross_entropy_fusion() {
    using Out = typename LogitsNet::output_shape;
    static_assert(std::is_same_v<Out, typename ProbabilitiesNet::output_shape>);
    constexpr std::size_t C = Out::dims[Out::rank - 1];
    constexpr std::size_t rows = Batch * Out::size / C;
    Model<LogitsNet> fused{Seed{8}};
    Model<ProbabilitiesNet> unfused{Seed{8}};
    REQUIRE(same_bits(fused.parameters(), unfused.parameters()));

    Rng rng{Seed{9}};
    constexpr std::size_t in = Model<LogitsNet>::input_size * Batch;
    float* xf = fused.input(Batch);
    float* xu = unfused.input(Batch);
    for (std::size_t i = 0; i < in; ++i) xf[i] = xu[i] = rng.uniform(-3.f, 3.f);
    std::vector<float> labels(rows);
    for (float& t : labels) t = float(rng.below(C));

    auto logits = fused.forward(Batch, true);
    std::vector<float> d_logits(logits.size());
    const float fused_loss =
        SoftmaxCrossEntropy::compute<Out>(logits.data(), labels.data(), d_logits.data(), Batch);
    std::vector<float> dx_fused(in), dx_unfused(in);
    fused.backward(d_logits.data(), dx_fused.data());

    auto p = unfused.forward(Batch, true);
    double nll = 0;
    std::vector<float> d_p(p.size(), 0.f);
    for (std::size_t r = 0; r < rows; ++r) {
        const auto t = static_cast<std::size_t>(labels[r]);
        nll -= std::log(double(p[r * C + t]));
        d_p[r * C + t] = -1.f / (float(rows) * p[r * C + t]);
    }
    unfused.backward(d_p.data(), dx_unfused.data());

    CHECK(fused_loss == doctest::Approx(nll / double(rows)).epsilon(1e-6));
    // Gradients of O(0.1-1): float rounding of the two orders differs in the last
    // few bits, so 1e-5 relative with a 1e-6 floor.
    auto close = [](std::span<const float> a, std::span<const float> b) {
        double worst = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            worst = std::max(worst, std::abs(double(a[i]) - b[i]) / (1e-6 + 1e-5 * std::abs(double(b[i]))));
        return worst;
    };
    CHECK(close(fused.gradients(), unfused.gradients()) <= 1.0);
    CHECK(close(dx_fused, dx_unfused) <= 1.0);
}

}  // namespace

TEST_CASE("SoftmaxCrossEntropy equals a Softmax layer followed by the negative log-likelihood") {
    SUBCASE("flat: one label per sample") {
        check_softmax_cross_entropy_fusion<Sequential<Input<6>, Dense<4>>, Sequential<Input<6>, Dense<4>, Softmax>,
                                           5>();
    }
    SUBCASE("sequence: one label per position") {
        check_softmax_cross_entropy_fusion<Sequential<Input<7, 6>, Dense<11>>,
                                           Sequential<Input<7, 6>, Dense<11>, Softmax>, 3>();
    }
}
