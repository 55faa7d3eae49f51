// Transfer learning: frozen parameters stay bit for bit what they were under every
// optimizer (weight decay and momentum included) while the rest trains; freezing by
// name and in the type agree; copy_layers and load_matching move pretrained weights
// into a network with a new head, and say what they did.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>
#include <typenet/core/frozen.hpp>
#include <typenet/core/sequential.hpp>
#include <typenet/layers/activations.hpp>
#include <typenet/layers/batch_norm.hpp>
#include <typenet/layers/dense.hpp>
#include <typenet/losses/softmax_cross_entropy.hpp>
#include <typenet/optim/adam.hpp>
#include <typenet/optim/momentum.hpp>
#include <typenet/optim/sgd.hpp>
#include <typenet/train/transfer.hpp>
#include <vector>

using namespace tn;
namespace fs = std::filesystem;

namespace {

using Base = Sequential<Input<6>, Dense<8>, ReLU, BatchNorm<>, Dense<8>, Tanh, Dense<4>>;
// The same body with a new head of 3 classes; and the same with the first Dense frozen in the type.
using NewHead = Sequential<Input<6>, Dense<8>, ReLU, BatchNorm<>, Dense<8>, Tanh, Dense<3>>;
using FrozenFirst = Sequential<Input<6>, Frozen<Dense<8>>, ReLU, BatchNorm<>, Dense<8>, Tanh, Dense<3>>;

std::vector<float> copy_of(std::span<const float> s) { return {s.begin(), s.end()}; }

bool same_bits(std::span<const float> a, std::span<const float> b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

// A few training steps on fixed random data, with classes 0..classes-1.
template <class Net, class Optimizer>
void train(Model<Net>& model, Optimizer& optimizer, std::size_t classes, int steps = 5) {
    Rng rng(Seed{7});
    constexpr std::size_t batch = 16;
    std::vector<float> targets(batch);
    for (int s = 0; s < steps; ++s) {
        float* x = model.input(batch);
        for (std::size_t i = 0; i < batch * 6; ++i) x[i] = rng.normal();
        for (auto& t : targets) t = float(rng.below(classes));
        model.train_step(batch, targets.data(), SoftmaxCrossEntropy{}, optimizer);
    }
}

template <class Optimizer>
void check_freeze_by_name(Optimizer optimizer) {
    Model<NewHead> model{Seed{3}};
    CHECK(model.freeze("0") == 2);  // weight and bias
    CHECK(model.frozen("0.weight"));
    CHECK(model.frozen("0.bias"));
    CHECK_FALSE(model.frozen("3.weight"));
    CHECK(model.trainable_count() == NewHead::param_count - (6 * 8 + 8));
    const auto first = copy_of(model.parameter("0.weight").values);
    const auto first_bias = copy_of(model.parameter("0.bias").values);
    const auto head = copy_of(model.parameter("5.weight").values);
    train(model, optimizer, 3);
    CHECK(same_bits(first, model.parameter("0.weight").values));
    CHECK(same_bits(first_bias, model.parameter("0.bias").values));
    CHECK_FALSE(same_bits(head, model.parameter("5.weight").values));
    // The gradients of what is frozen are zero, so clipping measures only what trains.
    const auto g = model.parameter("0.weight").gradients;
    CHECK(std::all_of(g.begin(), g.end(), [](float v) { return v == 0.f; }));
}

}  // namespace

TEST_CASE("freeze: frozen parameters do not move under SGD with weight decay, momentum, AdamW") {
    SUBCASE("SGD + weight decay") { check_freeze_by_name(SGD{{.lr = 0.1f, .weight_decay = 0.1f}}); }
    SUBCASE("Momentum") { check_freeze_by_name(Momentum{{.lr = 0.1f}}); }
    SUBCASE("AdamW") { check_freeze_by_name(AdamW{{.lr = 0.01f, .weight_decay = 0.1f}}); }
}

TEST_CASE("freeze: momentum gathered before freezing does not move the weights after it") {
    Model<NewHead> model{Seed{3}};
    Momentum momentum{{.lr = 0.1f}};
    train(model, momentum, 3);  // builds up velocity everywhere
    model.freeze("3");
    const auto frozen = copy_of(model.parameter("3.weight").values);
    train(model, momentum, 3);
    CHECK(same_bits(frozen, model.parameter("3.weight").values));
    CHECK(model.unfreeze("3") == 2);
    train(model, momentum, 3);
    CHECK_FALSE(same_bits(frozen, model.parameter("3.weight").values));
}

TEST_CASE("freeze: a prefix matches whole path components and an unknown one is an error") {
    Model<NewHead> model;
    CHECK(model.freeze("2.") == 2);  // BatchNorm's weight and bias
    CHECK_FALSE(model.frozen("0.weight"));
    CHECK_THROWS_WITH_AS(model.freeze("1"),
                         doctest::Contains("no parameter is named '1' or below it (or matches it, with a '*'); the parameters are: "
                                           "0.weight, 0.bias, 2.weight"),
                         std::invalid_argument);
    CHECK_THROWS_AS(model.freeze("0.w"), std::invalid_argument);  // not a whole component
    CHECK(model.unfreeze() == 8);
    CHECK(model.trainable_count() == NewHead::param_count);
}

TEST_CASE("freeze: a pattern with '*' is a glob over the whole name") {
    Model<NewHead> model;  // 0.weight 0.bias 2.weight 2.bias 3.weight 3.bias 5.weight 5.bias
    CHECK(model.freeze("*.bias") == 4);
    CHECK(model.frozen("3.bias"));
    CHECK_FALSE(model.frozen("3.weight"));
    CHECK(model.unfreeze("*") == 8);
    CHECK(model.freeze("3*") == 2);  // a glob is not cut at dots: 3.weight, 3.bias
    CHECK(model.unfreeze("*") == 8);
    CHECK(model.freeze("*.*ght") == 4);
    CHECK(model.trainable_count() == NewHead::param_count - (6 * 8 + 8 + 8 * 8 + 8 * 3));
    CHECK_THROWS_AS(model.freeze("*lora*"), std::invalid_argument);
}

TEST_CASE("name patterns: a prefix ends at a dot, a glob's stars cross them") {
    using tn::detail::name_matches;
    CHECK(name_matches("0", "0.weight"));
    CHECK_FALSE(name_matches("0", "10.weight"));
    CHECK(name_matches("", "anything"));
    CHECK(name_matches("*lora_*", "0.1.2.self_attn.in_proj_lora_A"));
    CHECK(name_matches("0.1.*.self_attn.*", "0.1.12.self_attn.out_proj.weight"));
    CHECK_FALSE(name_matches("0.1.*.self_attn.*", "0.1.12.norm1.weight"));
    CHECK(name_matches("a*b*c", "aXXbYYbc"));  // the star backtracks
    CHECK_FALSE(name_matches("a*b*c", "aXXbYYbd"));
    CHECK(name_matches("**", ""));
}

TEST_CASE("Frozen<Layer> in the type: the same names, frozen for good, gradients still flow through") {
    Model<FrozenFirst> typed{Seed{3}};
    Model<NewHead> named{Seed{3}};
    named.freeze("0");
    REQUIRE(same_bits(typed.parameters(), named.parameters()));  // same names, same layout, same init
    CHECK(typed.frozen("0.weight"));
    CHECK(typed.trainable_count() == named.trainable_count());
    typed.unfreeze();  // cannot undo what the type says
    CHECK(typed.frozen("0.weight"));

    Adam a{{.lr = 0.01f}}, b{{.lr = 0.01f}};
    train(typed, a, 3);
    train(named, b, 3);
    // Freezing in the type and by name are the same training, bit for bit.
    CHECK(same_bits(typed.parameters(), named.parameters()));
    // The summary says which layer is frozen.
    std::ostringstream table;
    typed.summary(table);
    CHECK(table.str().find("Frozen<Dense<8>>") != std::string::npos);
}

TEST_CASE("copy_layers: the body of a pretrained network, into one with a new head") {
    Model<Base> base{Seed{11}};
    Adam adam{{.lr = 0.01f}};
    train(base, adam, 4);  // moves the BatchNorm's running statistics too
    Model<NewHead> net{Seed{12}};
    const auto head_before = copy_of(net.parameter("5.weight").values);
    copy_layers<5>(base, net);
    for (const char* name : {"0.weight", "0.bias", "2.weight", "3.weight"})
        CHECK(same_bits(base.parameter(name).values, net.parameter(name).values));
    CHECK(same_bits(base.buffers(), net.buffers()));
    CHECK(same_bits(head_before, net.parameter("5.weight").values));
}

TEST_CASE("load_matching: by name from a file, the head left out, and a mismatch named") {
    const fs::path dir = fs::temp_directory_path() / "typenet-transfer-test";
    fs::create_directories(dir);
    const fs::path path = dir / "base.safetensors";
    Model<Base> base{Seed{11}};
    save_model(path, base);

    Model<NewHead> net{Seed{12}};
    const auto head_before = copy_of(net.parameter("5.weight").values);
    CHECK_THROWS_WITH_AS(load_matching(path, net),
                         doctest::Contains("5.weight: checkpoint has shape [4, 8], the model (pass "
                                           "{.skip_mismatched = true} to leave it as it is) expects [3, 8]"),
                         CheckpointError);
    CHECK(same_bits(head_before, net.parameter("5.weight").values));  // nothing changed

    const LoadReport r = load_matching(path, net, {.skip_mismatched = true});
    CHECK(r.loaded.size() == 8);  // 3 x (weight, bias) + BatchNorm's two running statistics
    CHECK(r.mismatched == std::vector<std::string>{"5.weight", "5.bias"});
    CHECK(r.missing.empty());
    CHECK(r.unexpected.empty());
    CHECK(same_bits(base.parameter("3.weight").values, net.parameter("3.weight").values));
    CHECK(same_bits(head_before, net.parameter("5.weight").values));
    CHECK(r.summary().find("other shape, left as they were: 5.weight, 5.bias") != std::string::npos);
}
