// LoRA<Rank, Alpha> (layers/lora.hpp) on MultiHeadAttention's in_proj, through
// TransformerEncoderLayer and GPT, and merge_lora (train/lora_merge.hpp): an adapter
// starts as a no-op, its gradients pass finite differences, fine-tuning with the rest
// frozen moves the adapters only, and the merged plain network computes the same.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <typenet/train/lora_merge.hpp>
#include <typenet/typenet.hpp>

#include "../support/gradient_check.hpp"

using namespace tn;

namespace {
constexpr std::size_t V = 11, T = 6;
using Plain = GPT<2, 8, 2, T, V, BlockDropout<0>>;
using Adapted = GPT<2, 8, 2, T, V, BlockDropout<0>, LoRA<2, 4>>;

template <class M>
std::vector<float> logits_of(M& model, const std::vector<float>& ids, std::size_t batch) {
    std::copy(ids.begin(), ids.end(), model.input(batch));
    const auto y = model.forward(batch);
    return {y.begin(), y.end()};
}
std::vector<float> some_ids(std::size_t batch) {
    std::vector<float> ids(batch * T);
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = float((i * 7 + 3) % V);
    return ids;
}
}  // namespace

TEST_CASE("LoRA: the adapter's tensors, named after the matrix they adapt, and its count") {
    Model<Adapted> model{Seed{1}};
    const auto a = model.parameter("0.1.1.self_attn.in_proj_lora_A");
    const auto b = model.parameter("0.1.1.self_attn.in_proj_lora_B");
    CHECK(a.shape == std::vector<std::size_t>{2, 8});
    CHECK(b.shape == std::vector<std::size_t>{24, 2});
    CHECK(Adapted::param_count == Plain::param_count + 2 * (2 * 8 + 24 * 2));
    CHECK(std::all_of(b.values.begin(), b.values.end(), [](float v) { return v == 0.f; }));  // B starts at 0
    CHECK(std::any_of(a.values.begin(), a.values.end(), [](float v) { return v != 0.f; }));
    CHECK(lora_of_network_t<Adapted>::scale == 2.f);
}

TEST_CASE("LoRA: with B = 0 the adapted network computes the plain one's logits") {
    Model<Plain> plain{Seed{2}};
    Model<Adapted> adapted{Seed{3}};
    for (const NamedTensor& t : plain.named_parameters()) {
        const NamedTensor u = adapted.parameter(t.name);
        std::copy(t.values.begin(), t.values.end(), u.values.begin());
    }
    const auto ids = some_ids(2);
    const auto want = logits_of(plain, ids, 2), got = logits_of(adapted, ids, 2);
    for (std::size_t i = 0; i < want.size(); ++i) CHECK(got[i] == want[i]);  // B A x adds exact zeros
}

TEST_CASE("LoRA: gradients match finite differences (the adapter, the frozen path and the input)") {
    using Attention = Sequential<Input<5, 6>, MultiHeadAttention<2, Causal, LoRA<3, 6>>, Tanh>;
    CHECK_GRADIENTS((testing::check_gradients<Attention>(MSE{}, {.batch = 2, .parameter_noise = 0.3f})));
    CHECK_GRADIENTS((testing::check_gradients<Attention>(MSE{}, {.batch = 3, .parameter_noise = 0.3f,
                                                                 .lengths = {5, 2, 4}})));
    using Small = GPT<1, 8, 2, T, 7, BlockDropout<0>, LoRA<2, 4>>;
    CHECK_GRADIENTS((testing::check_gradients<Small>(TokenCrossEntropy{}, {.batch = 2, .parameter_noise = 0.5f})));
}

TEST_CASE("LoRA: freeze everything, unfreeze the adapters: training moves the adapters only") {
    Model<Adapted> model{Seed{4}};
    CHECK(model.freeze("") == model.named_parameters().size());
    CHECK(model.unfreeze("*lora_*") == 4);  // A and B of two blocks
    CHECK(model.trainable_count() == 2 * (2 * 8 + 24 * 2));
    std::vector<std::vector<float>> before;
    for (const NamedTensor& t : model.named_parameters()) before.emplace_back(t.values.begin(), t.values.end());
    const auto ids = some_ids(4);
    std::vector<float> targets(4 * T);
    for (std::size_t i = 0; i < targets.size(); ++i) targets[i] = float((i * 5 + 1) % V);
    Adam adam{{.lr = 1e-2f}};
    for (int step = 0; step < 3; ++step) {
        std::copy(ids.begin(), ids.end(), model.input(4));
        model.train_step(4, targets.data(), TokenCrossEntropy{}, adam);
    }
    const auto after = model.named_parameters();
    for (std::size_t k = 0; k < after.size(); ++k) {
        const bool moved = !std::equal(after[k].values.begin(), after[k].values.end(), before[k].begin());
        CAPTURE(after[k].name);
        CHECK(moved == (after[k].name.find("_lora_") != std::string::npos));
    }
}

TEST_CASE("merge_lora: the plain network with W + (Alpha / Rank) B A computes the adapted one's logits") {
    Model<Adapted> adapted{Seed{5}};
    Rng rng{Seed{6}};
    for (const NamedTensor& t : adapted.named_parameters())
        if (t.name.find("_lora_B") != std::string::npos)
            for (float& v : t.values) v = rng.uniform(-0.5f, 0.5f);  // a trained-looking adapter
    Model<Plain> plain;
    CHECK(merge_lora(adapted, plain) == 2);
    const auto ids = some_ids(3);
    const auto want = logits_of(adapted, ids, 3), got = logits_of(plain, ids, 3);
    double largest_change = 0;
    Model<Plain> unmerged;  // the base weights alone, to show the adapter mattered
    for (const NamedTensor& t : unmerged.named_parameters()) {
        const NamedTensor u = adapted.parameter(t.name);
        std::copy(u.values.begin(), u.values.end(), t.values.begin());
    }
    const auto base = logits_of(unmerged, ids, 3);
    for (std::size_t i = 0; i < want.size(); ++i) {
        CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-5));
        largest_change = std::max(largest_change, double(std::abs(want[i] - base[i])));
    }
    CHECK(largest_change > 1e-2);
}

TEST_CASE("merge_lora: networks that differ in more than the adapters are an error naming the tensor") {
    Model<Adapted> adapted;
    Model<GPT<2, 8, 2, T, V + 1, BlockDropout<0>>> other_vocabulary;
    CHECK_THROWS_WITH_AS(merge_lora(adapted, other_vocabulary), doctest::Contains("'0.weight' is [11, 8]"),
                         std::invalid_argument);
}
