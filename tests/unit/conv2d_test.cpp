// Conv2D: forward and backward against a plain loop convolution (tests/support/
// naive_conv.hpp) with strides, padding, dilation, non-square kernels, several
// channels and batches; finite-difference gradients; fusion with the activation;
// thread-count independence; initialisation, names and the LeNet-5 shape.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <vector>

#include <typenet/kernels/parallel.hpp>
#include <typenet/typenet.hpp>

#include "support/gradient_check.hpp"
#include "support/naive_conv.hpp"

using namespace tn;
using testing::check_gradients;
using testing::ConvSpec;
using testing::GradientCheckOptions;

namespace {

bool same_bits(std::span<const float> a, std::span<const float> b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

std::vector<float> random_values(std::size_t n, std::uint64_t seed, float lo = -1.f, float hi = 1.f) {
    Rng rng{Seed{seed}};
    std::vector<float> v(n);
    for (float& f : v) f = rng.uniform(lo, hi);
    return v;
}

// |a - b| <= 1e-5 (1 + |b|) element by element, naming the first that is not.
template <class A, class B>
void check_close(const A& a, const B& b, const char* what) {
    REQUIRE(a.size() == b.size());
    std::size_t bad = a.size();
    for (std::size_t i = 0; i < a.size() && bad == a.size(); ++i)
        if (std::abs(double(a[i]) - double(b[i])) > 1e-5 * (1 + std::abs(double(b[i])))) bad = i;
    CHECK_MESSAGE(bad == a.size(), what << ": element " << bad << " differs: " << (bad < a.size() ? double(a[bad]) : 0)
                                        << " vs " << (bad < a.size() ? double(b[bad]) : 0));
}

// One Conv2D alone: forward, then backward with a random dy, both against the loops.
template <class ConvLayer, std::size_t C, std::size_t H, std::size_t W>
void check_against_loops(const ConvSpec& s, std::size_t batch) {
    using Net = Sequential<Input<C, H, W>, ConvLayer>;
    static_assert(Net::output_shape::rank == 3);
    REQUIRE(Net::output_shape::dims[1] == s.out_h());
    REQUIRE(Net::output_shape::dims[2] == s.out_w());
    Model<Net> model{Seed{3}};
    const auto x = random_values(C * H * W * batch, 4);
    std::copy(x.begin(), x.end(), model.input(batch));
    const float* weight = model.parameters().data();
    const bool has_bias = Net::param_count > s.filters * s.channels * s.kh * s.kw;
    const float* bias = has_bias ? weight + s.filters * s.channels * s.kh * s.kw : nullptr;

    const auto y = model.forward(batch, true);
    check_close(y, testing::naive_conv(s, batch, x, weight, bias), "forward");

    const auto dy = random_values(y.size(), 5);
    std::vector<float> dx(x.size());
    model.backward(dy.data(), dx.data());
    const auto expected = testing::naive_conv_backward(s, batch, x, weight, dy);
    const auto grads = model.gradients();
    check_close(grads.subspan(0, expected.weight.size()), expected.weight, "dW");
    if (has_bias) check_close(grads.subspan(expected.weight.size()), expected.bias, "db");
    check_close(dx, expected.input, "dx");
}

}  // namespace

TEST_CASE("Conv2D equals the loop convolution, forward and backward") {
    SUBCASE("3x3, no padding, 3 channels in, batch 3") {
        check_against_loops<Conv2D<4, Kernel<3>>, 3, 7, 9>({3, 7, 9, 4, 3, 3}, 3);
    }
    SUBCASE("non-square kernel, stride and padding that differ per axis") {
        check_against_loops<Conv2D<5, Kernel<3, 2>, Stride<2, 1>, Pad<1, 2>>, 2, 8, 7>(
            {2, 8, 7, 5, 3, 2, 2, 1, 1, 2}, 2);
    }
    SUBCASE("dilation 2 with stride 2 and padding 2, options in another order") {
        check_against_loops<Conv2D<3, Stride<2>, Dilation<2>, Kernel<3>, Pad<2>>, 2, 11, 10>(
            {2, 11, 10, 3, 3, 3, 2, 2, 2, 2, 2, 2}, 4);
    }
    SUBCASE("Same keeps the size (5x5 kernel, pad 2)") {
        check_against_loops<Conv2D<4, Kernel<5>, Same>, 3, 6, 6>({3, 6, 6, 4, 5, 5, 1, 1, 2, 2}, 2);
    }
    SUBCASE("Same with dilation pads d (k - 1) / 2") {
        check_against_loops<Conv2D<2, Kernel<3>, Dilation<2>, Same>, 2, 7, 7>({2, 7, 7, 2, 3, 3, 1, 1, 2, 2, 2, 2},
                                                                               2);
    }
    SUBCASE("1x1 without bias (the input is its own column matrix)") {
        check_against_loops<Conv2D<7, Kernel<1>, NoBias>, 5, 4, 3>({5, 4, 3, 7, 1, 1}, 3);
    }
    SUBCASE("a kernel as large as the padded input: one output") {
        check_against_loops<Conv2D<3, Kernel<4, 6>, Pad<1, 0>>, 2, 2, 6>({2, 2, 6, 3, 4, 6, 1, 1, 1, 0}, 2);
    }
    SUBCASE("wide enough for the packed GEMM path (16 -> 20 channels, 12x12), batch 5") {
        check_against_loops<Conv2D<20, Kernel<3>, Pad<1>>, 16, 12, 12>({16, 12, 12, 20, 3, 3, 1, 1, 1, 1}, 5);
    }
    SUBCASE("a batch of several groups (backward sums partial gradients of 4, 4 and 2 samples)") {
        using Layer = detail::Conv2DLayer<Conv2D<8, Kernel<3>, Pad<1>>, Shape<8, 20, 20>>;
        static_assert(Layer::group_samples == 4);
        check_against_loops<Conv2D<8, Kernel<3>, Pad<1>>, 8, 20, 20>({8, 20, 20, 8, 3, 3, 1, 1, 1, 1}, 10);
    }
    SUBCASE("few taps take the direct path (no im2col): LeNet's first layer, batch 12 = groups of 5, 5, 2") {
        using Layer = detail::Conv2DLayer<Conv2D<6, Kernel<5>, Pad<2>>, Shape<1, 28, 28>>;
        static_assert(kernels::direct_conv_fits<Layer::G> && Layer::group_samples == 5);
        check_against_loops<Conv2D<6, Kernel<5>, Pad<2>>, 1, 28, 28>({1, 28, 28, 6, 5, 5, 1, 1, 2, 2}, 12);
        // More than 8 filters (two blocks, the second partial), 3 channels, 27 taps.
        check_against_loops<Conv2D<11, Kernel<3>, Pad<1, 0>>, 3, 9, 21>({3, 9, 21, 11, 3, 3, 1, 1, 1, 0}, 3);
    }
    SUBCASE("batch 1") { check_against_loops<Conv2D<6, Kernel<5>, Pad<2>>, 1, 28, 28>({1, 28, 28, 6, 5, 5, 1, 1, 2, 2}, 1); }
}

namespace {
// ConvPanels hands out exactly im2col's matrix, panel by panel, zeros past the
// last column.
template <class G>
void check_conv_panels() {
    constexpr std::size_t width = kernels::BPanelsRef::panel_width;
    std::vector<float> x(G::input_size);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 97) - 40.f;
    std::vector<float> col(G::rows * G::cols), padded(kernels::Padded<G>::size);
    kernels::im2col<G>(x.data(), col.data(), G::cols);
    kernels::pad_input<G>(x.data(), padded.data());
    const kernels::ConvPanels<G> panels{padded.data()};
    std::size_t wrong = 0;
    // K in two uneven blocks, as the GEMM asks for it.
    const std::size_t k_split = G::rows / 3;
    for (std::size_t j0 = 0; j0 < G::cols; j0 += width)
        for (const auto& [k0, kc] : {std::pair{std::size_t{0}, k_split}, std::pair{k_split, G::rows - k_split}}) {
            const std::size_t cols = std::min(width, G::cols - j0);
            std::vector<float> panel(kc * width, std::nanf(""));
            panels(panel.data(), k0, kc, j0, cols);
            for (std::size_t k = 0; k < kc; ++k)
                for (std::size_t j = 0; j < width; ++j) {
                    const float expected = j < cols ? col[(k0 + k) * G::cols + j0 + j] : 0.f;
                    if (std::memcmp(&panel[k * width + j], &expected, sizeof(float)) != 0) ++wrong;
                }
        }
    CHECK(wrong == 0);
}
// ConvPanelsTransposed hands out col^T of a group of samples (their columns side
// by side), panel by panel, zeros past the last tap.
template <class G>
void check_transposed_panels(std::size_t samples) {
    constexpr std::size_t width = kernels::BPanelsRef::panel_width;
    const std::size_t ld = samples * G::cols;
    std::vector<float> x(samples * G::input_size), col(G::rows * ld), padded(samples * kernels::Padded<G>::size);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 89) - 30.f;
    for (std::size_t s = 0; s < samples; ++s) {
        kernels::im2col<G>(x.data() + s * G::input_size, col.data() + s * G::cols, ld);
        kernels::pad_input<G>(x.data() + s * G::input_size, padded.data() + s * kernels::Padded<G>::size);
    }
    const kernels::ConvPanelsTransposed<G> panels{padded.data()};
    std::size_t wrong = 0;
    // Positions in blocks that start and end inside output rows and samples.
    const std::size_t kc = ld / 3 + 5;
    for (std::size_t j0 = 0; j0 < G::rows; j0 += width)
        for (std::size_t k0 = 0; k0 < ld; k0 += kc) {
            const std::size_t cols = std::min(width, G::rows - j0), depth = std::min(kc, ld - k0);
            std::vector<float> panel(depth * width, std::nanf(""));
            panels(panel.data(), k0, depth, j0, cols);
            for (std::size_t k = 0; k < depth; ++k)
                for (std::size_t j = 0; j < width; ++j) {
                    const float expected = j < cols ? col[(j0 + j) * ld + k0 + k] : 0.f;
                    if (std::memcmp(&panel[k * width + j], &expected, sizeof(float)) != 0) ++wrong;
                }
        }
    CHECK(wrong == 0);
}
}  // namespace

TEST_CASE("ConvPanelsTransposed hands the weight gradient col^T of a group, panel by panel") {
    using kernels::ConvGeometry;
    check_transposed_panels<ConvGeometry<32, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1>>(2);  // VGG-like, 288 taps
    check_transposed_panels<ConvGeometry<6, 14, 14, 5, 5, 1, 1, 0, 0, 1, 1>>(3);   // LeNet's: 150 taps, rows of 10
    check_transposed_panels<ConvGeometry<2, 11, 10, 3, 3, 2, 2, 2, 2, 2, 2>>(2);   // stride and dilation
    check_transposed_panels<ConvGeometry<3, 9, 8, 1, 1, 2, 2, 0, 0, 1, 1>>(2);     // strided 1x1
}

TEST_CASE("ConvPanels hands the GEMM im2col's columns, panel by panel") {
    using kernels::ConvGeometry;
    // VGG's 3x3 Same (a feature-map row is one panel, or half of one).
    check_conv_panels<ConvGeometry<3, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1>>();
    check_conv_panels<ConvGeometry<4, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1>>();
    // LeNet's second layer: rows of 10 cross panel boundaries, 100 columns end in a narrow panel.
    check_conv_panels<ConvGeometry<6, 14, 14, 5, 5, 1, 1, 0, 0, 1, 1>>();
    // Stride, dilation and uneven padding.
    check_conv_panels<ConvGeometry<2, 11, 10, 3, 3, 2, 2, 2, 2, 2, 2>>();
    check_conv_panels<ConvGeometry<3, 9, 40, 3, 2, 2, 1, 1, 2, 1, 1>>();
}

TEST_CASE("Conv2D gradients by finite differences: weights, bias and input") {
    CHECK_GRADIENTS((check_gradients<Sequential<Input<2, 5, 6>, Conv2D<3, Kernel<3, 2>>>>(MSE{})));
    CHECK_GRADIENTS(
        (check_gradients<Sequential<Input<2, 6, 5>, Conv2D<3, Kernel<3>, Stride<2, 1>, Pad<1>, Dilation<1, 2>>>>(
            MSE{})));
    CHECK_GRADIENTS((check_gradients<Sequential<Input<3, 4, 4>, Conv2D<2, Kernel<3>, Same, NoBias>>>(MSE{})));
    // Fused with a smooth activation (GELU keeps the pre-activation too), then Dense.
    CHECK_GRADIENTS((check_gradients<Sequential<Input<2, 5, 5>, Conv2D<3, Kernel<3>>, Tanh, Flatten, Dense<2>>>(MSE{})));
    CHECK_GRADIENTS((check_gradients<Sequential<Input<2, 5, 5>, Conv2D<3, Kernel<2>>, GELU>>(MSE{})));
    // Two convolutions: the second's input gradient flows into the first.
    CHECK_GRADIENTS(
        (check_gradients<Sequential<Input<1, 7, 7>, Conv2D<3, Kernel<3>>, Sigmoid, Conv2D<2, Kernel<3>, Pad<1>>>>(
            MSE{})));
    // The GEMM path (more than 32 taps) with its activation's backward paired in:
    // from the output (Tanh) and from the pre-activation (GELU), into a second layer.
    CHECK_GRADIENTS((check_gradients<
                     Sequential<Input<4, 5, 5>, Conv2D<5, Kernel<3>>, Tanh, Conv2D<2, Kernel<3>, Pad<1>>, GELU>>(MSE{})));
    // With a weight penalty in the type (L2: L1's kink at 0 defeats finite differences).
    CHECK_GRADIENTS((check_gradients<Sequential<Input<2, 4, 4>, Conv2D<2, Kernel<3>, L2<1, 10>>>>(MSE{})));
}

namespace {
struct Run {
    std::vector<float> y, grads, dx;
};
template <class Net>
Run run_once(std::size_t batch, std::uint64_t seed) {
    Model<Net> model{Seed{21}};
    const auto x = random_values(Model<Net>::input_size * batch, seed, -2.f, 2.f);
    std::copy(x.begin(), x.end(), model.input(batch));
    const auto y = model.forward(batch, true);
    const auto dy = random_values(y.size(), seed + 1);
    std::vector<float> dx(x.size());
    model.backward(dy.data(), dx.data());
    return {{y.begin(), y.end()}, {model.gradients().begin(), model.gradients().end()}, dx};
}
template <class Fused, class Unfused>
void check_fused_equals_unfused(std::size_t batch) {
    static_assert(Fused::param_count == Unfused::param_count);
    const Run a = run_once<Fused>(batch, 31), b = run_once<Unfused>(batch, 31);
    CHECK(same_bits(a.y, b.y));
    CHECK(same_bits(a.grads, b.grads));
    CHECK(same_bits(a.dx, b.dx));
}
}  // namespace

TEST_CASE("Conv2D + activation fused into the GEMM epilogue equals Conv2D, Identity, activation, bit for bit") {
    check_fused_equals_unfused<Sequential<Input<3, 9, 8>, Conv2D<5, Kernel<3>, Pad<1>>, ReLU>,
                               Sequential<Input<3, 9, 8>, Conv2D<5, Kernel<3>, Pad<1>>, Identity, ReLU>>(3);
    // GELU's backward needs the pre-activation, which the fused form then also stores.
    check_fused_equals_unfused<Sequential<Input<3, 9, 8>, Conv2D<5, Kernel<3>, Pad<1>>, GELU>,
                               Sequential<Input<3, 9, 8>, Conv2D<5, Kernel<3>, Pad<1>>, Identity, GELU>>(3);
    check_fused_equals_unfused<Sequential<Input<16, 10, 10>, Conv2D<24, Kernel<3>, NoBias>, Tanh>,
                               Sequential<Input<16, 10, 10>, Conv2D<24, Kernel<3>, NoBias>, Identity, Tanh>>(4);
    // Really fused: the chain pairs them.
    using Bound = detail::chain_of<Shape<3, 9, 8>, Conv2D<5, Kernel<3>>, ReLU>;
    static_assert(detail::fuses<at_t<0, Bound::layers>, at_t<1, Bound::layers>>());
}

TEST_CASE("Conv2D + activation backward in one pass equals the two backward passes, bit for bit") {
    // The GEMM path pairs backward too (the direct path of few taps does not): the
    // activation's gradient is formed while dY is copied, and its own pass skipped.
    using Paired = detail::chain_of<Shape<16, 10, 10>, Conv2D<24, Kernel<3>>, ReLU>;
    static_assert(detail::fuses_backward<at_t<0, Paired::layers>, at_t<1, Paired::layers>>());
    static_assert(Paired::backward_skipped[1] && !Paired::backward_skipped[0]);
    using Direct = detail::chain_of<Shape<1, 28, 28>, Conv2D<6, Kernel<5>>, ReLU>;
    static_assert(!detail::fuses_backward<at_t<0, Direct::layers>, at_t<1, Direct::layers>>());
    // A chain of pairs, with layers between and a pair at the end (its gradient is
    // the chain's dy): every running layer alternates the ping-pong buffers.
    check_fused_equals_unfused<
        Sequential<Input<8, 8, 8>, Conv2D<12, Kernel<3>, Pad<1>>, ReLU, MaxPool<2>, Conv2D<10, Kernel<3>, Pad<1>>,
                   GELU, Conv2D<6, Kernel<3>, Pad<1>>, Sigmoid>,
        Sequential<Input<8, 8, 8>, Conv2D<12, Kernel<3>, Pad<1>>, Identity, ReLU, MaxPool<2>,
                   Conv2D<10, Kernel<3>, Pad<1>>, Identity, GELU, Conv2D<6, Kernel<3>, Pad<1>>, Identity, Sigmoid>>(5);
}

TEST_CASE("Conv2D gives the same bits on 1 and 2 threads") {
    using Net = Sequential<Input<3, 16, 16>, Conv2D<16, Kernel<3>, Pad<1>>, ReLU, MaxPool<2>,
                           Conv2D<32, Kernel<3>, Pad<1>>, ReLU, AvgPool<2>, Flatten, Dense<10>>;
    for (std::size_t batch : {1u, 2u, 9u}) {
        CAPTURE(batch);
        set_threads(1);
        const auto one = run_once<Net>(batch, 41);
        set_threads(2);
        const auto two = run_once<Net>(batch, 41);
        CHECK(same_bits(one.y, two.y));
        CHECK(same_bits(one.grads, two.grads));
        CHECK(same_bits(one.dx, two.dx));
    }
    // Backward in groups of 4 samples: 3 groups (4, 4, 2), so 2 threads take different
    // shares; and the direct path (LeNet's first layer), in groups of 5.
    using Grouped = Sequential<Input<8, 20, 20>, Conv2D<8, Kernel<3>, Pad<1>>, Tanh, Conv2D<8, Kernel<3>, Pad<1>>>;
    using Direct = Sequential<Input<1, 28, 28>, Conv2D<6, Kernel<5>, Pad<2>>, ReLU, MaxPool<2>, Flatten, Dense<3>>;
    set_threads(1);
    const auto one = run_once<Grouped>(10, 43);
    const auto one_direct = run_once<Direct>(12, 44);
    set_threads(2);
    const auto two = run_once<Grouped>(10, 43);
    const auto two_direct = run_once<Direct>(12, 44);
    CHECK(same_bits(one.y, two.y));
    CHECK(same_bits(one.grads, two.grads));
    CHECK(same_bits(one.dx, two.dx));
    CHECK(same_bits(one_direct.y, two_direct.y));
    CHECK(same_bits(one_direct.grads, two_direct.grads));
    CHECK(same_bits(one_direct.dx, two_direct.dx));
}

TEST_CASE("Conv2D initialisation: Glorot uniform over C kh kw in, F kh kw out; zero bias; or as told") {
    using Net = Sequential<Input<3, 8, 8>, Conv2D<10, Kernel<3, 5>>>;
    Model<Net> model{Seed{5}};
    const auto p = model.parameters();
    const std::size_t weights = 10 * 3 * 3 * 5;
    const double limit = std::sqrt(6.0 / double(3 * 3 * 5 + 10 * 3 * 5));
    float largest = 0;
    for (std::size_t i = 0; i < weights; ++i) largest = std::max(largest, std::abs(p[i]));
    CHECK(largest <= limit);
    CHECK(largest > 0.9 * limit);  // 450 draws come near the edge
    CHECK(std::all_of(p.begin() + weights, p.end(), [](float b) { return b == 0.f; }));

    Model<Sequential<Input<3, 8, 8>, Conv2D<10, Kernel<3>, Init<Constant<1, 4>>, BiasInit<Constant<1, 2>>>>> told{
        Seed{5}};
    const auto q = told.parameters();
    REQUIRE(q.size() == 10 * 27 + 10);
    CHECK(std::all_of(q.begin(), q.begin() + 270, [](float w) { return w == 0.25f; }));
    CHECK(std::all_of(q.begin() + 270, q.end(), [](float b) { return b == 0.5f; }));
}

namespace {
using LeNet5 = Sequential<Input<1, 28, 28>, Conv2D<6, Kernel<5>, Pad<2>>, ReLU, MaxPool<2>, Conv2D<16, Kernel<5>>,
                          ReLU, MaxPool<2>, Flatten, Dense<120>, ReLU, Dense<84>, ReLU, Dense<10>>;
}

TEST_CASE("LeNet-5: shapes, parameter count, names, summary, and it learns") {
    static_assert(std::is_same_v<LeNet5::output_shape, Shape<10>>);
    static_assert(LeNet5::param_count == 61'706);
    Model<LeNet5> model{Seed{7}};

    const auto named = model.named_parameters();
    REQUIRE(named.size() == 10);
    CHECK(named[0].name == "0.weight");
    CHECK(named[0].shape == std::vector<std::size_t>{6, 1, 5, 5});
    CHECK(named[1].name == "0.bias");
    CHECK(named[1].shape == std::vector<std::size_t>{6});
    CHECK(named[2].name == "3.weight");
    CHECK(named[2].shape == std::vector<std::size_t>{16, 6, 5, 5});
    CHECK(named[4].name == "7.weight");
    CHECK(named[4].shape == std::vector<std::size_t>{120, 400});

    std::ostringstream out;
    model.summary(out);
    const std::string s = out.str();
    CHECK(s.find("Conv2D<6, Kernel<5>, Pad<2>>") != std::string::npos);
    CHECK(s.find("[6, 28, 28]") != std::string::npos);
    CHECK(s.find("MaxPool<2>") != std::string::npos);
    CHECK(s.find("[16, 5, 5]") != std::string::npos);
    CHECK(s.find("2,416") != std::string::npos);  // 16 * 6 * 25 + 16
    CHECK(s.find("Total params: 61,706") != std::string::npos);

    // A few SGD steps on one random batch lower the loss.
    constexpr std::size_t batch = 16;
    const auto x = random_values(28 * 28 * batch, 8, 0.f, 1.f);
    std::vector<float> labels(batch);
    Rng rng{Seed{9}};
    for (float& t : labels) t = float(rng.below(10));
    SGD sgd{{.lr = 0.05f}};
    float first = 0, last = 0;
    for (int step = 0; step < 20; ++step) {
        std::copy(x.begin(), x.end(), model.input(batch));
        last = model.train_step(batch, labels.data(), SoftmaxCrossEntropy{}, sgd).loss;
        if (step == 0) first = last;
    }
    CHECK(std::isfinite(last));
    CHECK(last < 0.9f * first);  // measured about 0.8 after 20 steps
}
