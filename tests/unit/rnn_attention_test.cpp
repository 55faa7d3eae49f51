// Bahdanau and Luong attention (layers/attention_rnn/): finite-difference gradients of
// the query input, the memory and the parameters; the key-padding mask (padded source
// positions are never read and get no gradient); padded query positions.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <typenet/layers/attention_rnn/bahdanau.hpp>
#include <typenet/layers/attention_rnn/luong.hpp>

namespace {

using tn::Pass;
using tn::Shape;

// The layer bound as a decoder binds it: query [Tq, H], memory [S, D].
template <class Spec, std::size_t Tq, std::size_t H, std::size_t S, std::size_t D>
using Bound = typename Spec::template bind_with_memory<Shape<Tq, H>, Shape<S, D>>;

// A fixed random linear loss L = sum_i w_i y_i over the output, so dL/dy = w.
struct Problem {
    std::size_t batch = 3;
    std::vector<float> params, x, memory, w;
    std::vector<std::uint32_t> lengths, memory_lengths;
};

template <class L>
double loss_of(const Problem& pr, std::vector<float>& cache) {
    std::vector<float> y(pr.batch * L::output_shape::size);
    Pass p{.batch = pr.batch};
    p.lengths = pr.lengths.data();
    p.memory = pr.memory.data();
    p.memory_stride = pr.memory.size() / pr.batch;
    p.memory_lengths = pr.memory_lengths.data();
    L::forward(p, pr.params.data(), pr.x.data(), y.data(), cache.data(), nullptr);
    double s = 0;
    for (std::size_t i = 0; i < y.size(); ++i) s += double(pr.w[i]) * y[i];
    return s;
}

template <class L, std::size_t Tq, std::size_t H, std::size_t S, std::size_t D>
void check_attention_gradients() {
    tn::Rng rng{tn::Seed{7}};
    Problem pr;
    pr.params.resize(L::param_count + 1);
    L::init(pr.params.data(), rng);
    for (std::size_t i = 0; i < L::param_count; ++i) pr.params[i] *= 2.f;  // scores far from uniform
    pr.x.resize(pr.batch * Tq * H);
    pr.memory.resize(pr.batch * S * D);
    pr.w.resize(pr.batch * L::output_shape::size);
    for (auto& v : pr.x) v = rng.uniform(-1.f, 1.f);
    for (auto& v : pr.memory) v = rng.uniform(-1.f, 1.f);
    for (auto& v : pr.w) v = rng.uniform(-1.f, 1.f);
    pr.lengths = {std::uint32_t(Tq), 2, 1};
    pr.memory_lengths = {std::uint32_t(S), 3, 1};

    std::vector<float> cache(pr.batch * L::cache_size + 1), workspace(pr.batch * L::workspace_size + 1);
    std::vector<float> y(pr.batch * L::output_shape::size);
    Pass p{.batch = pr.batch};
    p.lengths = pr.lengths.data();
    p.memory = pr.memory.data();
    p.memory_stride = S * D;
    p.memory_lengths = pr.memory_lengths.data();
    L::forward(p, pr.params.data(), pr.x.data(), y.data(), cache.data(), workspace.data());

    // Padded query positions give zeros; the weights sum to 1 over real keys only.
    for (std::size_t b = 0; b < pr.batch; ++b)
        for (std::size_t t = 0; t < Tq; ++t) {
            const float* a = L::alignments(cache.data(), b) + t * S;
            if (t >= pr.lengths[b]) {
                for (std::size_t i = 0; i < D + H; ++i) CHECK(y[(b * Tq + t) * (D + H) + i] == 0.f);
                continue;
            }
            double total = 0;
            for (std::size_t s = 0; s < S; ++s) {
                total += a[s];
                if (s >= pr.memory_lengths[b]) CHECK(a[s] == 0.f);
            }
            CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
        }

    // The memory gradient is accumulated: start it at 1 and subtract 1 afterwards.
    std::vector<float> dx(pr.x.size()), dparams(L::param_count + 1), dmemory(pr.memory.size(), 1.f);
    p.memory_grad = dmemory.data();
    L::backward(p, pr.params.data(), pr.x.data(), y.data(), pr.w.data(), dx.data(), dparams.data(), cache.data(),
                workspace.data());
    for (auto& v : dmemory) v -= 1.f;

    // Padded source positions: never read, so exactly no gradient.
    for (std::size_t b = 0; b < pr.batch; ++b)
        for (std::size_t s = pr.memory_lengths[b]; s < S; ++s)
            for (std::size_t d = 0; d < D; ++d) CHECK(dmemory[(b * S + s) * D + d] == 0.f);

    double largest = 0, worst = 0;
    std::string worst_name;
    const auto check = [&](std::vector<float>& values, const std::vector<float>& analytic, const char* what,
                           std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            const float v = values[i];
            const float up = v + 1e-2f, down = v - 1e-2f;
            values[i] = up;
            const double lu = loss_of<L>(pr, cache);
            values[i] = down;
            const double ld = loss_of<L>(pr, cache);
            values[i] = v;
            const double numeric = (lu - ld) / (double(up) - double(down));
            const double err = std::abs(numeric - analytic[i]);
            const double ratio = err / (3e-5 + 1e-2 * std::max(std::abs(numeric), std::abs(double(analytic[i]))));
            largest = std::max(largest, std::abs(double(analytic[i])));
            if (ratio > worst) {
                worst = ratio;
                worst_name = std::string(what) + "[" + std::to_string(i) + "] backward " +
                             std::to_string(analytic[i]) + " numeric " + std::to_string(numeric);
            }
        }
    };
    check(pr.x, dx, "query", pr.x.size());
    check(pr.memory, dmemory, "memory", pr.memory.size());
    check(pr.params, dparams, "params", L::param_count);
    INFO(L::name(), ": worst ", worst_name);
    CHECK(worst <= 1.0);
    CHECK(largest > 1e-3);
}

}  // namespace

TEST_CASE("BahdanauAttention: gradients of the query, the memory and W, U, v; key padding") {
    using L = Bound<tn::BahdanauAttention<5>, 4, 3, 5, 6>;
    static_assert(L::param_count == 5 * 3 + 5 * 6 + 5);
    static_assert(std::is_same_v<L::output_shape, Shape<4, 9>>);
    check_attention_gradients<L, 4, 3, 5, 6>();
}

TEST_CASE("LuongAttention<Dot>, <General>, <Concat>: gradients and key padding") {
    check_attention_gradients<Bound<tn::LuongAttention<tn::Dot>, 4, 5, 5, 5>, 4, 5, 5, 5>();
    check_attention_gradients<Bound<tn::LuongAttention<tn::General>, 4, 3, 5, 6>, 4, 3, 5, 6>();
    using Concat = Bound<tn::LuongAttention<tn::Concat>, 4, 3, 5, 6>;
    static_assert(Concat::param_count == 3 * 3 + 3 * 6 + 3);  // A = H
    check_attention_gradients<Concat, 4, 3, 5, 6>();
}

TEST_CASE("Attention parameters are named as nn.Linear(bias=False) modules query, key, energy") {
    using L = Bound<tn::BahdanauAttention<5>, 4, 3, 5, 6>;
    std::vector<std::string> names;
    std::vector<std::vector<std::size_t>> shapes;
    L::for_each_param([&](const std::string& n, std::size_t, std::vector<std::size_t> s) {
        names.push_back(n);
        shapes.push_back(s);
    });
    CHECK(names == std::vector<std::string>{"query.weight", "key.weight", "energy.weight"});
    CHECK(shapes[0] == std::vector<std::size_t>{5, 3});
    CHECK(shapes[1] == std::vector<std::size_t>{5, 6});
    using G = Bound<tn::LuongAttention<tn::General>, 4, 3, 5, 6>;
    G::for_each_param([&](const std::string& n, std::size_t, std::vector<std::size_t> s) {
        CHECK(n == "key.weight");
        CHECK(s == std::vector<std::size_t>{3, 6});
    });
}
