// TransformerDecoderLayer (layers/transformer/decoder_layer.hpp) and CrossAttention
// against PyTorch: each case of tests/reference/decoder_reference.safetensors
// (make_decoder_reference.py: nn.MultiheadAttention as cross-attention and
// nn.TransformerDecoderLayer, batch_first, eval, causal tgt_mask, target lengths 3, 5, 1
// and source lengths 6, 2, 4 as the two key-padding masks) is loaded by parameter name;
// outputs and the gradients of every parameter, of the input and of the memory must
// agree to 1e-5. Then: finite-difference gradients of the layer in both norm
// placements; a whole encoder-decoder Transformer (Repeat of encoder and decoder
// layers) through Model: names, gradients, padding, fit, greedy and beam decoding.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <typenet/io/safetensors.hpp>
#include <typenet/typenet.hpp>

#include "support/gradient_check.hpp"
#include "unit/memory_layer_check.hpp"

using namespace tn;

namespace {

constexpr std::size_t B = 3, T = 5, S = 6, D = 8;

std::size_t elements(const std::vector<std::size_t>& shape) {
    std::size_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

const io::safetensors::File& reference() {
    static const io::safetensors::File file = io::safetensors::read(
        (std::filesystem::path(__FILE__).parent_path() / "../reference/decoder_reference.safetensors").string());
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

// The bound layer, called as a decoder calls it (Pass::memory, memory_lengths,
// memory_grad), with PyTorch's tensors loaded by their state_dict names.
template <class Spec>
void check_case(const std::string& name, std::size_t expected_tensors) {
    using L = typename Spec::template bind_with_memory<Shape<T, D>, Shape<S, D>>;
    const auto& file = reference();
    auto tensor = [&](const std::string& key) { return file.at(name + "." + key).to_floats(); };
    std::vector<float> params(L::param_count), dparams(L::param_count);
    std::size_t loaded = 0;
    L::for_each_param([&](const std::string& key, std::size_t offset, std::vector<std::size_t> shape) {
        const auto values = tensor(key);
        REQUIRE_MESSAGE(values.size() == elements(shape), key);
        CHECK(file.at(name + "." + key).shape == shape);
        std::copy(values.begin(), values.end(), params.begin() + std::ptrdiff_t(offset));
        ++loaded;
    });
    CHECK(loaded == expected_tensors);
    const auto x = tensor("x"), memory = tensor("memory");
    std::vector<std::uint32_t> lengths, memory_lengths;
    for (auto v : file.at(name + ".lengths").to_int64s()) lengths.push_back(std::uint32_t(v));
    for (auto v : file.at(name + ".memory_lengths").to_int64s()) memory_lengths.push_back(std::uint32_t(v));
    std::vector<float> y(B * T * D), cache(B * L::cache_size + 1), workspace(B * L::workspace_size + 1);
    Pass p{.batch = B, .training = true};  // training keeps what backward reads; no dropout in the types
    p.lengths = lengths.data();
    p.memory = memory.data();
    p.memory_stride = S * D;
    p.memory_lengths = memory_lengths.data();
    L::forward(p, params.data(), x.data(), y.data(), cache.data(), workspace.data());
    // At padded target positions PyTorch's output was multiplied by 0 and so the
    // loss's gradient is 0 there: compared at real positions only.
    auto padded = [&](std::size_t row) { return row % T >= lengths[row / T]; };
    for (std::size_t row = 0; row < B * T; ++row)
        if (padded(row)) std::fill_n(y.begin() + std::ptrdiff_t(row * D), D, 0.f);
    check_close(name + " output", y, tensor("output"));
    auto weights = tensor("weights");
    for (std::size_t row = 0; row < B * T; ++row)
        if (padded(row)) std::fill_n(weights.begin() + std::ptrdiff_t(row * D), D, 0.f);
    std::vector<float> dx(x.size()), dmemory(memory.size(), 0.f);
    p.memory_grad = dmemory.data();
    L::backward(p, params.data(), x.data(), y.data(), weights.data(), dx.data(), dparams.data(), cache.data(),
                workspace.data());
    L::for_each_param([&](const std::string& key, std::size_t offset, std::vector<std::size_t> shape) {
        check_close(name + " grad of " + key,
                    std::span<const float>(dparams.data() + offset, elements(shape)),
                    tensor("grad." + key));
    });
    check_close(name + " grad of x", dx, tensor("grad.x"));
    check_close(name + " grad of memory", dmemory, tensor("grad.memory"));
}

}  // namespace

TEST_CASE("CrossAttention matches nn.MultiheadAttention(query, memory, memory): key padding, every gradient") {
    check_case<CrossAttention<2>>("cross", 4);
}

TEST_CASE("TransformerDecoderLayer matches nn.TransformerDecoderLayer (eval): post-norm ReLU, pre-norm GELU") {
    // BlockDropout<0>: PyTorch's reference ran in eval mode.
    check_case<TransformerDecoderLayer<2, 16, BlockDropout<0>>>("decoder_post_relu", 18);
    check_case<TransformerDecoderLayer<2, 16, PreNorm, GELU, BlockDropout<0>>>("decoder_pre_gelu", 18);
}

TEST_CASE("TransformerDecoderLayer: gradients of input, memory and parameters by finite differences") {
    using Post = TransformerDecoderLayer<2, 12, BlockDropout<0>>::bind_with_memory<Shape<4, 6>, Shape<5, 6>>;
    using Pre = TransformerDecoderLayer<3, 8, PreNorm, GELU, BlockDropout<0>>::bind_with_memory<Shape<4, 6>, Shape<3, 6>>;
    // Absolute tolerance 1e-4: the block's output is three sublayers and three
    // LayerNorms deep in float, and its loss sums 72 outputs; the rounding of one
    // forward, divided by 2h, is then ~5e-5 (the worst element measured: 7e-5 off on a
    // gradient of 2.5e-3, the same with a five-point difference, so not truncation).
    // PyTorch's gradients above agree to 1e-5.
    tn::testing::check_memory_layer_gradients<Post, 5, 6>({4, 2, 1}, {5, 3, 1}, 1.f, 1e-4);
    tn::testing::check_memory_layer_gradients<Pre, 3, 6>({3, 4, 2}, {2, 3, 1}, 1.f, 1e-4);
}

namespace {

// A whole Transformer: two encoder layers, two decoder layers, as Vaswani et al.
constexpr std::size_t V = 7, Ss = 5, Tt = 4, Dm = 8;
using Encoder = Sequential<Tokens<Ss>, Embedding<V, Dm>, SinusoidalPositions,
                           Repeat<2, TransformerEncoderLayer<2, 16, BlockDropout<0>>>>;
template <class... Options>
using DecoderOf = Sequential<Tokens<Tt>, Embedding<V, Dm>, SinusoidalPositions,
                             Repeat<2, TransformerDecoderLayer<2, 16, Options...>>, Dense<V>>;
using Transformer = EncoderDecoder<Encoder, DecoderOf<BlockDropout<0>>>;
using PreNormTransformer = EncoderDecoder<Encoder, DecoderOf<PreNorm, BlockDropout<0>>>;
// For finite differences: GELU everywhere, since a step of h across ReLU's kink at 0
// (a pre-activation near 0, which a dozen positions make likely) is not a derivative.
using GeluEncoder = Sequential<Tokens<Ss>, Embedding<V, Dm>, SinusoidalPositions,
                               Repeat<2, TransformerEncoderLayer<2, 16, GELU, BlockDropout<0>>>>;
using GeluTransformer = EncoderDecoder<GeluEncoder, DecoderOf<GELU, BlockDropout<0>>>;
using GeluPreNormTransformer = EncoderDecoder<GeluEncoder, DecoderOf<PreNorm, GELU, BlockDropout<0>>>;

std::vector<float> row(std::vector<int> src, std::vector<int> tgt, float pad = 0.f) {
    std::vector<float> r(Ss + Tt, pad);
    for (std::size_t i = 0; i < src.size(); ++i) r[i] = float(src[i]);
    for (std::size_t i = 0; i < tgt.size(); ++i) r[Ss + i] = float(tgt[i]);
    return r;
}

}  // namespace

TEST_CASE("Transformer encoder-decoder: names decoder.<i>.<copy>.multihead_attn..., summary") {
    Model<Transformer> model{Seed{1}};
    const auto params = model.named_parameters();
    std::vector<std::string> names;
    for (const auto& t : params) names.push_back(t.name);
    const auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
    CHECK(has("encoder.2.0.self_attn.in_proj_weight"));
    CHECK(has("decoder.2.0.self_attn.in_proj_weight"));
    CHECK(has("decoder.2.1.multihead_attn.in_proj_weight"));
    CHECK(has("decoder.2.1.multihead_attn.out_proj.bias"));
    CHECK(has("decoder.2.1.norm3.bias"));
    CHECK(names.back() == "decoder.3.bias");
    CHECK(model.summary_table().find("TransformerDecoderLayer<2, 16, BlockDropout<0>>") != std::string::npos);
}

TEST_CASE("Transformer encoder-decoder: finite-difference gradients through both stacks; padding on both sides") {
    tn::testing::GradientCheckOptions o;
    o.lengths = {5, 3, 2};  // source lengths: the cross-attentions' key-padding mask
    o.parameter_noise = 0.1f;  // norm scales and biases off their constant start
    auto post = tn::testing::check_gradients<GeluTransformer>(TokenCrossEntropy{}, o);
    CHECK_GRADIENTS(post);
    auto pre = tn::testing::check_gradients<GeluPreNormTransformer>(TokenCrossEntropy{}, o);
    CHECK_GRADIENTS(pre);
}

TEST_CASE("Transformer encoder-decoder: padding changes nothing (source and target lengths)") {
    Model<Transformer> model{Seed{3}};
    const auto run = [&](float pad) {
        const auto a = row({1, 2, 3}, {0, 4}, pad), b = row({5, 6, 1, 2, 3}, {0, 2, 3, 4}, pad);
        float* x = model.input(2);
        std::copy(a.begin(), a.end(), x);
        std::copy(b.begin(), b.end(), x + Ss + Tt);
        model.lengths(2)[0] = 3, model.lengths(2)[1] = 5;
        model.second_lengths(2)[0] = 2, model.second_lengths(2)[1] = 4;
        const auto y = model.forward(2);
        return std::vector<float>(y.begin(), y.end());
    };
    const auto zeros = run(0.f), sixes = run(6.f);
    for (std::size_t t = 0; t < 2; ++t)
        for (std::size_t v = 0; v < V; ++v) CHECK(zeros[t * V + v] == sixes[t * V + v]);
    for (std::size_t i = Tt * V; i < 2 * Tt * V; ++i) CHECK(zeros[i] == sixes[i]);
}

TEST_CASE("Transformer encoder-decoder: fit learns to reverse; greedy and beam decoding agree with the forward") {
    // Sources of 1 to 3 letters from {2..6}; the target is the source reversed, then
    // <eos> = 1; the decoder is fed <bos> = 0 and the target shifted right.
    Dataset d("reverse", Ss + Tt, Tt);
    std::vector<std::vector<std::int32_t>> sources;
    for (int a = 2; a < 7; ++a)
        for (int b = 2; b < 7; ++b) {
            sources.push_back({a, b});
            sources.push_back({a, b, (a + b) % 5 + 2});
        }
    for (int a = 2; a < 7; ++a) sources.push_back({a});
    for (const auto& s : sources) {
        std::vector<std::int32_t> fed{0};
        std::vector<float> targets;
        for (auto it = s.rbegin(); it != s.rend(); ++it) {
            targets.push_back(float(*it));
            fed.push_back(*it);
        }
        targets.push_back(1.f);
        targets.resize(Tt, -1.f);  // past the target: ignored
        d.add_pair(Ss, s, fed, targets);
    }
    Model<Transformer> model{Seed{2}};
    fit(model, d, TokenCrossEntropy{}, Adam{{.lr = 0.01f}}, {.epochs = 60, .batch = 8, .verbosity = Verbosity::Quiet});
    // It learns: 100% of the tokens in the release build. The last digits of training
    // differ with the compiler's flags (the sanitizer build runs at -O0, without FMA
    // contraction: 98.9% there), so the bound leaves room for that and nothing more.
    const auto e = evaluate(model, d, TokenCrossEntropy{});
    CHECK(e.accuracy >= 0.97);

    EncoderDecoderSession session(model);  // no state: each step reruns the prefix
    session.encode(sources);
    const DecodeOptions o{.start = 0, .end = 1, .max_length = Tt};
    const auto decoded = greedy(session, sources.size(), o);
    std::size_t exact = 0;
    for (std::size_t i = 0; i < sources.size(); ++i)
        exact += decoded[i] == std::vector<std::int32_t>(sources[i].rbegin(), sources[i].rend());
    CHECK(exact >= sources.size() * 9 / 10);
    // Greedy agrees with the forward whatever the training reached: fed <bos> and its own
    // output, the teacher-forced forward's argmax at each position is the token greedy
    // chose there, and <eos> after the last one.
    for (std::size_t i = 0; i < sources.size(); ++i) {
        std::vector<int> src(sources[i].begin(), sources[i].end()), fed{0};
        fed.insert(fed.end(), decoded[i].begin(), decoded[i].end());
        fed.resize(std::min<std::size_t>(fed.size(), Tt));
        const auto r = row(src, fed);
        std::copy(r.begin(), r.end(), model.input(1));
        model.lengths(1)[0] = std::int32_t(src.size());
        model.second_lengths(1)[0] = std::int32_t(fed.size());
        const auto y = model.forward(1);
        for (std::size_t t = 0; t < fed.size(); ++t) {
            const auto scores = y.begin() + std::ptrdiff_t(t * V);
            const auto chosen = std::int32_t(std::max_element(scores, scores + V) - scores);
            const std::int32_t expected = t < decoded[i].size() ? decoded[i][t] : o.end;
            CHECK_MESSAGE(chosen == expected, "source " << i << ", position " << t);
        }
    }
    // Beam search over one source (the memory shared by the beams): width 1 is greedy.
    for (std::size_t i : {0, 7, 50}) {
        session.encode(sources[i]);
        const auto one = beam_search(session, {.width = 1, .start = 0, .end = 1, .max_length = Tt});
        const auto wide = beam_search(session, {.width = 3, .start = 0, .end = 1, .max_length = Tt});
        REQUIRE(!one.empty());
        REQUIRE(!wide.empty());
        CHECK(one[0].tokens == decoded[i]);
        // Three beams run as a batch of three, through other kernel paths than one beam:
        // the same sequence may score a few ulps apart.
        CHECK(wide[0].score >= one[0].score - 1e-5);
    }
}
