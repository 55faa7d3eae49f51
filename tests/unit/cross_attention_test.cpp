// CrossAttention (layers/attention/cross_attention.hpp): finite-difference gradients
// of the decoder's input, the memory and the parameters, with padding on both sides;
// what padding must not change; a memory shared by every sample (stride 0, the beams
// of one source) gives what copies of it give; PyTorch's parameter names.
#include <doctest/doctest.h>

#include <vector>

#include <typenet/layers/attention/cross_attention.hpp>

#include "unit/memory_layer_check.hpp"

namespace {

template <class Spec, std::size_t T, std::size_t D, std::size_t S>
using Bound = typename Spec::template bind_with_memory<tn::Shape<T, D>, tn::Shape<S, D>>;

}  // namespace

TEST_CASE("CrossAttention: gradients of the input, the memory and the parameters; padding on both sides") {
    // Parameters doubled: attention far from uniform, so the softmax's gradient matters.
    tn::testing::check_memory_layer_gradients<Bound<tn::CrossAttention<2>, 4, 6, 5>, 5, 6>({4, 2, 1}, {5, 3, 1}, 2.f);
    tn::testing::check_memory_layer_gradients<Bound<tn::CrossAttention<3, tn::NoBias>, 3, 6, 4>, 4, 6>({3, 3, 2},
                                                                                                        {2, 4, 1}, 2.f);
    // One head, a single query position, every memory length full.
    tn::testing::check_memory_layer_gradients<Bound<tn::CrossAttention<1>, 1, 4, 3>, 3, 4>({1, 1, 1}, {3, 3, 3}, 2.f);
}

TEST_CASE("CrossAttention: padded memory rows and padded queries change nothing; weights over real keys only") {
    using L = Bound<tn::CrossAttention<2>, 3, 4, 5>;
    constexpr std::size_t B = 2, T = 3, D = 4, S = 5;
    tn::Rng rng{tn::Seed{3}};
    std::vector<float> params(L::param_count);
    L::init(params.data(), rng);
    for (auto& v : params) v += rng.uniform(-0.1f, 0.1f);
    std::vector<float> x(B * T * D), memory(B * S * D);
    for (auto& v : x) v = rng.uniform(-1.f, 1.f);
    for (auto& v : memory) v = rng.uniform(-1.f, 1.f);
    const std::vector<std::uint32_t> lengths{2, 3}, memory_lengths{3, 5};
    const auto run = [&](float pad) {
        std::vector<float> xs = x, ms = memory;
        for (std::size_t t = lengths[0]; t < T; ++t) std::fill_n(xs.begin() + std::ptrdiff_t(t * D), D, pad);
        for (std::size_t s = memory_lengths[0]; s < S; ++s) std::fill_n(ms.begin() + std::ptrdiff_t(s * D), D, pad);
        std::vector<float> y(B * T * D), cache(B * L::cache_size), workspace(B * L::workspace_size);
        tn::Pass p{.batch = B, .training = false};
        p.lengths = lengths.data();
        p.memory = ms.data();
        p.memory_stride = S * D;
        p.memory_lengths = memory_lengths.data();
        L::forward(p, params.data(), xs.data(), y.data(), cache.data(), workspace.data());
        return std::make_pair(y, L::attention_weights(cache.data(), B, 0, 1));
    };
    const auto [a, wa] = run(0.f);
    const auto [b, wb] = run(7.f);
    CHECK(a == b);
    CHECK(wa == wb);
    for (std::size_t t = lengths[0]; t < T; ++t)
        for (std::size_t d = 0; d < D; ++d) CHECK(a[t * D + d] == 0.f);
    for (std::size_t t = 0; t < lengths[0]; ++t) {
        double total = 0;
        for (std::size_t s = 0; s < S; ++s) {
            total += wa[t * S + s];
            if (s >= memory_lengths[0]) CHECK(wa[t * S + s] == 0.f);
        }
        CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
    }
}

TEST_CASE("CrossAttention: one memory shared by the batch (stride 0) equals a copy per sample") {
    using L = Bound<tn::CrossAttention<2>, 3, 4, 5>;
    constexpr std::size_t B = 3, T = 3, D = 4, S = 5;
    tn::Rng rng{tn::Seed{4}};
    std::vector<float> params(L::param_count);
    L::init(params.data(), rng);
    std::vector<float> x(B * T * D), one(S * D), copies;
    for (auto& v : x) v = rng.uniform(-1.f, 1.f);
    for (auto& v : one) v = rng.uniform(-1.f, 1.f);
    for (std::size_t b = 0; b < B; ++b) copies.insert(copies.end(), one.begin(), one.end());
    const std::vector<std::uint32_t> memory_lengths(B, 4);
    const auto run = [&](const std::vector<float>& memory, std::size_t stride) {
        std::vector<float> y(B * T * D), cache(B * L::cache_size), workspace(B * L::workspace_size);
        tn::Pass p{.batch = B, .training = false};
        p.memory = memory.data();
        p.memory_stride = stride;
        p.memory_lengths = memory_lengths.data();
        L::forward(p, params.data(), x.data(), y.data(), cache.data(), workspace.data());
        return y;
    };
    const auto shared = run(one, 0), copied = run(copies, S * D);
    for (std::size_t i = 0; i < shared.size(); ++i) CHECK(shared[i] == doctest::Approx(copied[i]).epsilon(1e-6));
}

TEST_CASE("CrossAttention: nn.MultiheadAttention's parameter names and shapes") {
    using L = Bound<tn::CrossAttention<2>, 3, 4, 5>;
    std::vector<std::string> names;
    std::vector<std::vector<std::size_t>> shapes;
    L::for_each_param([&](const std::string& name, std::size_t, std::vector<std::size_t> shape) {
        names.push_back(name);
        shapes.push_back(shape);
    });
    CHECK(names == std::vector<std::string>{"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"});
    CHECK(shapes[0] == std::vector<std::size_t>{12, 4});
    CHECK(L::param_count == 12 * 4 + 12 + 16 + 4);
    CHECK(L::name() == "CrossAttention<2>");
    CHECK(tn::CrossAttention<4, tn::AttentionDropout<10>, tn::NoBias>::name() ==
          "CrossAttention<4, AttentionDropout<10>, NoBias>");
}
