// Scaled dot-product attention (the kernel) and MultiHeadAttention (the layer):
// forward against a direct double-precision computation, causal and key-padding
// masks, the tiled (inference) path against the kept (training) one, gradients by
// finite differences, padding that changes nothing, and the attention weights.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include <typenet/typenet.hpp>

#include "../support/gradient_check.hpp"

using namespace tn;

namespace {

std::vector<float> random_values(std::size_t n, std::uint64_t seed, float range = 1.f) {
    Rng rng(Seed{seed});
    std::vector<float> v(n);
    for (auto& x : v) x = rng.uniform(-range, range);
    return v;
}

// softmax(scale Q K^T + mask) V in double, straight from the definition, with
// masked scores at -infinity.
std::vector<double> naive_attention(const std::vector<float>& q, const std::vector<float>& k,
                                    const std::vector<float>& v, std::size_t Tq, std::size_t Tk, std::size_t d,
                                    std::size_t dv, std::size_t Lq, std::size_t Lk, bool causal,
                                    std::vector<double>* probs = nullptr) {
    std::vector<double> out(Tq * dv, 0.0);
    if (probs) probs->assign(Tq * Tk, 0.0);
    const double scale = 1.0 / std::sqrt(double(d));
    for (std::size_t i = 0; i < Lq; ++i) {
        std::vector<double> s(Tk, -INFINITY);
        double top = -INFINITY;
        for (std::size_t j = 0; j < Lk; ++j) {
            if (causal && j > i) continue;
            double dot = 0;
            for (std::size_t c = 0; c < d; ++c) dot += double(q[i * d + c]) * k[j * d + c];
            s[j] = dot * scale;
            top = std::max(top, s[j]);
        }
        double sum = 0;
        for (auto& x : s) sum += (x = std::exp(x - top));
        for (std::size_t j = 0; j < Tk; ++j) {
            const double p = s[j] / sum;
            if (probs) (*probs)[i * Tk + j] = p;
            for (std::size_t c = 0; c < dv; ++c) out[i * dv + c] += p * v[j * dv + c];
        }
    }
    return out;
}

}  // namespace

TEST_CASE("Scaled dot-product attention: the direct formula, causal and padding masks, tiles or whole") {
    constexpr std::size_t Tq = 37, Tk = 29, d = 6, dv = 5;  // odd sizes: vector tails everywhere
    const auto q = random_values(Tq * d, 1, 2.f), k = random_values(Tk * d, 2, 2.f), v = random_values(Tk * dv, 3);
    const kernels::AttentionOperands ops{q.data(), d, k.data(), d, v.data(), dv, d, dv};
    const float scale = 1.f / std::sqrt(float(d));
    for (bool causal : {false, true}) {
        for (auto [Lq, Lk] : {std::pair<std::size_t, std::size_t>{Tq, Tk}, {20, 11}, {1, 1}}) {
            CAPTURE(causal);
            CAPTURE(Lq);
            CAPTURE(Lk);
            std::vector<double> expected_probs;
            const auto expected = naive_attention(q, k, v, Tq, Tk, d, dv, Lq, Lk, causal, &expected_probs);
            const kernels::AttentionMask mask{Lq, Lk, causal};
            // The training path: every probability kept.
            std::vector<float> out(Tq * dv, 7.f), probs(Tq * Tk, 0.f);
            kernels::attention_forward_tiled(ops, mask, scale, Tq, out.data(), dv, probs.data(), Tk, Tq);
            for (std::size_t i = 0; i < out.size(); ++i) CHECK(out[i] == doctest::Approx(expected[i]).epsilon(1e-5));
            for (std::size_t i = 0; i < Lq; ++i)
                for (std::size_t j = 0; j < Lk; ++j)
                    CHECK(probs[i * Tk + j] == doctest::Approx(expected_probs[i * Tk + j]).epsilon(1e-5));
            // The inference path: 4 rows at a time through a [4, Tk] scratch. The same
            // sums, up to rounding (a GEMM of 4 rows may take another kernel than one of 37).
            std::vector<float> tiled(Tq * dv, 7.f), tile(4 * Tk);
            kernels::attention_forward_tiled(ops, mask, scale, Tq, tiled.data(), dv, tile.data(), Tk, 4);
            for (std::size_t i = 0; i < out.size(); ++i) CHECK(tiled[i] == doctest::Approx(out[i]).epsilon(1e-6));
        }
    }
}

TEST_CASE("Scaled dot-product attention: huge scores do not overflow (softmax from each row's maximum)") {
    constexpr std::size_t T = 3, d = 1;
    const std::vector<float> q{100.f, 100.f, -100.f}, k{100.f, 99.f, -100.f}, v{1.f, 2.f, 3.f};
    std::vector<float> out(T), probs(T * T);
    kernels::attention_forward_tiled({q.data(), d, k.data(), d, v.data(), d, d, d}, {T, T, false}, 1.f, T,
                                     out.data(), d, probs.data(), T, T);
    for (float x : out) CHECK(std::isfinite(x));
    CHECK(out[0] == doctest::Approx(1.f));  // exp(10000 - 9900) leaves nothing for the others
}

namespace {
// The layer from the definition, in double: in-projection, heads, out-projection.
template <std::size_t T, std::size_t D, std::size_t H>
std::vector<double> naive_layer(const std::vector<float>& params, const std::vector<float>& x, std::size_t L,
                                bool causal) {
    constexpr std::size_t d = D / H;
    std::vector<float> qkv(T * 3 * D);
    for (std::size_t t = 0; t < T; ++t)
        for (std::size_t o = 0; o < 3 * D; ++o) {
            double s = params[3 * D * D + o];
            for (std::size_t c = 0; c < D; ++c) s += double(x[t * D + c]) * params[o * D + c];
            qkv[t * 3 * D + o] = float(s);
        }
    std::vector<double> heads(T * D, 0.0);
    for (std::size_t h = 0; h < H; ++h) {
        std::vector<float> q(T * d), k(T * d), v(T * d);
        for (std::size_t t = 0; t < T; ++t)
            for (std::size_t c = 0; c < d; ++c) {
                q[t * d + c] = qkv[t * 3 * D + h * d + c];
                k[t * d + c] = qkv[t * 3 * D + D + h * d + c];
                v[t * d + c] = qkv[t * 3 * D + 2 * D + h * d + c];
            }
        const auto o = naive_attention(q, k, v, T, T, d, d, L, L, causal);
        for (std::size_t t = 0; t < T; ++t)
            for (std::size_t c = 0; c < d; ++c) heads[t * D + h * d + c] = o[t * d + c];
    }
    const std::size_t w_out = 3 * D * D + 3 * D, b_out = w_out + D * D;
    std::vector<double> y(T * D, 0.0);
    for (std::size_t t = 0; t < L; ++t)
        for (std::size_t o = 0; o < D; ++o) {
            double s = params[b_out + o];
            for (std::size_t c = 0; c < D; ++c) s += heads[t * D + c] * params[w_out + o * D + c];
            y[t * D + o] = s;
        }
    return y;
}

template <class Net, std::size_t T, std::size_t D, std::size_t H>
void check_layer_forward(bool causal) {
    Model<Net> m{Seed{5}};
    // Non-zero biases, so that a bias in the wrong place shows.
    for (auto& p : m.parameters()) p += 0.01f;
    const std::vector<float> params(m.parameters().begin(), m.parameters().end());
    const std::vector<std::uint32_t> lengths{T, 3};
    const auto x = random_values(2 * T * D, 11);
    for (bool training : {false, true}) {
        std::copy(x.begin(), x.end(), m.input(2));
        std::copy(lengths.begin(), lengths.end(), m.lengths(2));
        const auto y = m.forward(2, training);
        for (std::size_t b = 0; b < 2; ++b) {
            const std::vector<float> xb(x.begin() + std::ptrdiff_t(b * T * D), x.begin() + std::ptrdiff_t((b + 1) * T * D));
            const auto expected = naive_layer<T, D, H>(params, xb, lengths[b], causal);
            for (std::size_t i = 0; i < T * D; ++i)
                CHECK(y[b * T * D + i] == doctest::Approx(expected[i]).epsilon(1e-5).scale(1e-3));
        }
    }
}
}  // namespace

TEST_CASE("MultiHeadAttention: forward as the definition, in training and inference, with lengths") {
    check_layer_forward<Sequential<Input<7, 12>, MultiHeadAttention<3>>, 7, 12, 3>(false);
    check_layer_forward<Sequential<Input<7, 12>, MultiHeadAttention<3, Causal>>, 7, 12, 3>(true);
    check_layer_forward<Sequential<Input<20, 8>, MultiHeadAttention<1>>, 20, 8, 1>(false);  // tiles of 16 rows
}

TEST_CASE("MultiHeadAttention: PyTorch's parameter names, shapes and count") {
    using Net = Sequential<Input<5, 8>, MultiHeadAttention<2>>;
    static_assert(Net::param_count == 3 * 8 * 8 + 3 * 8 + 8 * 8 + 8);
    static_assert(std::is_same_v<Net::output_shape, Shape<5, 8>>);
    Model<Net> m;
    const auto names = m.named_parameters();
    REQUIRE(names.size() == 4);
    CHECK(names[0].name == "0.in_proj_weight");
    CHECK(names[0].shape == std::vector<std::size_t>{24, 8});
    CHECK(names[1].name == "0.in_proj_bias");
    CHECK(names[2].name == "0.out_proj.weight");
    CHECK(names[3].name == "0.out_proj.bias");
    Model<Sequential<Input<5, 8>, MultiHeadAttention<2, NoBias>>> no_bias;
    CHECK(no_bias.named_parameters().size() == 2);
    CHECK(MultiHeadAttention<4, Causal, AttentionDropout<10>>::name() == "MultiHeadAttention<4, Causal, AttentionDropout<10>>");
}

TEST_CASE("MultiHeadAttention: gradients match finite differences, masks, lengths, no bias, dropout") {
    using Plain = Sequential<Input<5, 6>, MultiHeadAttention<2>>;
    using CausalNet = Sequential<Input<5, 6>, MultiHeadAttention<3, Causal>>;
    using NoBiasNet = Sequential<Input<4, 4>, MultiHeadAttention<1, NoBias>>;
    using Dropped = Sequential<Input<5, 6>, MultiHeadAttention<2, AttentionDropout<30>>>;
    const testing::GradientCheckOptions noisy{.batch = 3, .parameter_noise = 0.1f};
    CHECK_GRADIENTS((testing::check_gradients<Plain>(MSE{}, noisy)));
    CHECK_GRADIENTS((testing::check_gradients<Plain>(MSE{}, {.batch = 3, .parameter_noise = 0.1f, .lengths = {5, 2, 1}})));
    CHECK_GRADIENTS((testing::check_gradients<CausalNet>(MSE{}, noisy)));
    CHECK_GRADIENTS((testing::check_gradients<CausalNet>(MSE{}, {.batch = 3, .parameter_noise = 0.1f, .lengths = {3, 5, 4}})));
    CHECK_GRADIENTS((testing::check_gradients<NoBiasNet>(MSE{}, {.batch = 2})));
    CHECK_GRADIENTS((testing::check_gradients<Dropped>(MSE{}, {.batch = 2, .parameter_noise = 0.1f, .lengths = {5, 3}})));
}

namespace {
template <std::size_t T>
using Pooled = Sequential<Input<T, 4>, MultiHeadAttention<2, Causal>, MeanOverTime, Dense<2>>;
}

TEST_CASE("MultiHeadAttention: a padded batch gives the loss and gradients of its samples run alone") {
    Model<Pooled<5>> padded{Seed{3}};
    const std::vector<float> params(padded.parameters().begin(), padded.parameters().end());
    auto xs = random_values(2 * 5 * 4, 21);
    for (std::size_t i = 2 * 4; i < 5 * 4; ++i) xs[i] = 50.f;  // sample 0's padding: loud if read
    const std::vector<float> targets{0.5f, -0.5f, 0.2f, 0.1f};
    std::copy(xs.begin(), xs.end(), padded.input(2));
    padded.lengths(2)[0] = 2;
    padded.lengths(2)[1] = 5;
    auto y = padded.forward(2, true);
    std::vector<float> dy(y.size()), dx(xs.size());
    const double loss = MSE::compute<Shape<2>>(y.data(), targets.data(), dy.data(), 2);
    padded.backward(dy.data(), dx.data());
    const std::vector<float> g(padded.gradients().begin(), padded.gradients().end());
    for (std::size_t i = 2 * 4; i < 5 * 4; ++i) CHECK(dx[i] == 0.f);

    auto alone = [&]<std::size_t L>(std::integral_constant<std::size_t, L>, std::size_t b) {
        Model<Pooled<L>> m;
        std::copy(params.begin(), params.end(), m.parameters().begin());
        std::copy_n(xs.begin() + std::ptrdiff_t(b * 5 * 4), L * 4, m.input(1));
        auto out = m.forward(1, true);
        std::vector<float> d(out.size());
        const double l = MSE::compute<Shape<2>>(out.data(), targets.data() + 2 * b, d.data(), 1);
        m.backward(d.data());
        return std::pair{l, std::vector<float>(m.gradients().begin(), m.gradients().end())};
    };
    const auto a = alone(std::integral_constant<std::size_t, 2>{}, 0);
    const auto b = alone(std::integral_constant<std::size_t, 5>{}, 1);
    CHECK(loss == doctest::Approx((a.first + b.first) / 2).epsilon(1e-6));
    for (std::size_t i = 0; i < g.size(); ++i)
        CHECK(g[i] == doctest::Approx((a.second[i] + b.second[i]) / 2).epsilon(1e-5).scale(0.1));
}

TEST_CASE("attention_weights: the probabilities of the last forward, for pictures") {
    using Net = Sequential<Input<6, 8>, Dense<8>, MultiHeadAttention<2, Causal>>;
    Model<Net> m{Seed{4}};
    const auto x = random_values(2 * 6 * 8, 8);
    std::copy(x.begin(), x.end(), m.input(2));
    m.lengths(2)[0] = 6;
    m.lengths(2)[1] = 4;
    m.forward(2, false);
    const auto w = attention_weights<1>(m, 1, 1);
    REQUIRE(w.size() == 36);
    for (std::size_t i = 0; i < 6; ++i) {
        const double row = std::accumulate(w.begin() + std::ptrdiff_t(i * 6), w.begin() + std::ptrdiff_t(i * 6 + 6), 0.0);
        CHECK(row == doctest::Approx(i < 4 ? 1.0 : 0.0));           // padded queries: a zero row
        for (std::size_t j = i + 1; j < 6; ++j) CHECK(w[i * 6 + j] == 0.f);  // causal: no future
        for (std::size_t j = 4; j < 6; ++j) CHECK(w[i * 6 + j] == 0.f);      // padded keys
    }
    CHECK(w[3 * 6 + 0] > 0.f);
    // The same numbers a training forward keeps for backward.
    std::copy(x.begin(), x.end(), m.input(2));
    m.lengths(2)[0] = 6;
    m.lengths(2)[1] = 4;
    m.forward(2, true);
    const auto view = m.layer_view<1>();
    const float* kept = view.cache + 2 * (6 * 24 + 6 * 8) + (1 * 2 + 1) * 36;  // probs of sample 1, head 1
    const auto again = attention_weights<1>(m, 1, 1);
    for (std::size_t i = 0; i < 36; ++i) CHECK(again[i] == doctest::Approx(kept[i]));
    CHECK_THROWS_AS(attention_weights<1>(m, 2, 0), std::out_of_range);
}
