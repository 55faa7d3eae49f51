// Checkpoints: a saved model loads back bit for bit (parameters, buffers, outputs),
// under PyTorch's names; a checkpoint of another network is refused with the first
// mismatch named and the model left as it was; a save that fails half-way keeps the
// previous file; and an optimizer restored from its saved state takes exactly the
// steps the uninterrupted one takes.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>
#include <typenet/core/residual.hpp>
#include <typenet/core/sequential.hpp>
#include <typenet/layers/activations.hpp>
#include <typenet/layers/batch_norm.hpp>
#include <typenet/io/safetensors.hpp>
#include <typenet/layers/dense.hpp>
#include <typenet/losses/mse.hpp>
#include <typenet/optim/adagrad.hpp>
#include <typenet/optim/adam.hpp>
#include <typenet/optim/momentum.hpp>
#include <typenet/optim/rmsprop.hpp>
#include <typenet/optim/sgd.hpp>
#include <typenet/train/checkpoint.hpp>
#include <vector>

#include "support/file_size_limit.hpp"

using namespace tn;
namespace st = tn::io::safetensors;
namespace fs = std::filesystem;

namespace {
fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / "typenet-checkpoint-test";
    fs::create_directories(dir);
    return dir / name;
}

template <class Span>
bool same_bits(const Span& a, const Span& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

using Small = Sequential<Input<4>, Dense<16>, ReLU, Dense<3>>;

// A fixed set of batches, so that an interrupted and an uninterrupted run see the
// same data at the same step.
constexpr std::size_t batch = 5;
struct Batches {
    std::vector<std::vector<float>> x, y;
    Batches(std::size_t inputs, std::size_t outputs) {
        Rng rng(Seed{1234});
        for (int b = 0; b < 4; ++b) {
            x.emplace_back(batch * inputs);
            y.emplace_back(batch * outputs);
            for (auto& v : x.back()) v = rng.normal();
            for (auto& v : y.back()) v = rng.uniform(-1.f, 1.f);
        }
    }
};

template <class Net, class Optimizer>
void train(Model<Net>& model, Optimizer& optimizer, const Batches& data, int from, int to) {
    for (int s = from; s < to; ++s) {
        const auto& x = data.x[std::size_t(s) % data.x.size()];
        std::copy(x.begin(), x.end(), model.input(batch));
        model.train_step(batch, data.y[std::size_t(s) % data.y.size()].data(), MSE{}, optimizer);
    }
}

std::string load_error(const fs::path& file, auto& model) {
    try {
        load_model(file, model);
    } catch (const CheckpointError& e) {
        return e.what();
    }
    return "no error";
}
}  // namespace

TEST_CASE("checkpoint: save_model then load_model restores parameters, buffers and outputs bit for bit") {
    using Net = Sequential<Input<4>, Dense<8>, BatchNorm<>, ReLU, Residual<Dense<8>, Tanh>, Dense<3>>;
    Model<Net> a{Seed{1}};
    Adam adam;
    Batches data(4, 3);
    train(a, adam, data, 0, 6);  // moves the running statistics off their initial values
    const fs::path p = scratch("net.safetensors");
    save_model(p, a);

    // The file is PyTorch's state_dict of the same plain nn.Sequential, every key of it.
    const auto file = st::read(p);
    CHECK(file.metadata.at("format") == "pt");
    std::vector<std::string> names;
    for (const auto& t : file.tensors) names.push_back(t.name);
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"0.bias", "0.weight", "1.bias", "1.num_batches_tracked",
                                            "1.running_mean", "1.running_var", "1.weight", "3.0.bias",
                                            "3.0.weight", "4.bias", "4.weight"});
    CHECK(file.at("0.weight").shape == std::vector<std::size_t>{8, 4});
    CHECK(file.at("4.weight").shape == std::vector<std::size_t>{3, 8});
    CHECK(file.at("1.running_var").shape == std::vector<std::size_t>{8});
    // PyTorch's counter is an I64 scalar; typenet writes the model's training steps.
    CHECK(file.at("1.num_batches_tracked").dtype == st::Dtype::I64);
    CHECK(file.at("1.num_batches_tracked").shape.empty());
    CHECK(file.at("1.num_batches_tracked").to_int64s() == std::vector<std::int64_t>{std::int64_t(a.steps())});
    const auto w = file.at("4.weight").to_floats();
    CHECK(std::memcmp(w.data(), a.parameter("4.weight").values.data(), w.size() * sizeof(float)) == 0);

    Model<Net> b{Seed{2}};
    REQUIRE_FALSE(same_bits(a.parameters(), b.parameters()));
    // The buffers a checkpoint keeps (the running statistics; the rest of buffers()
    // is BatchNorm's scratch for backward).
    auto running = [](auto& model) {
        std::vector<float> v;
        for (const auto& t : model.named_buffers()) v.insert(v.end(), t.values.begin(), t.values.end());
        return v;
    };
    REQUIRE(running(a).size() == 16);
    REQUIRE(running(a) != running(b));
    load_model(p, b);
    CHECK(same_bits(a.parameters(), b.parameters()));
    const auto ra = running(a), rb = running(b);
    CHECK(same_bits(std::span(ra), std::span(rb)));
    const std::vector<float> x{0.5f, -1.f, 2.f, 0.25f};
    const auto ya = a.predict(x), yb = b.predict(x);
    CHECK(same_bits(std::span(ya), std::span(yb)));
}

TEST_CASE("checkpoint: another network's checkpoint is refused, naming the mismatch, and changes nothing") {
    Model<Small> small{Seed{3}};
    const fs::path p = scratch("small.safetensors");
    save_model(p, small);

    Model<Sequential<Input<4>, Dense<8>, ReLU, Dense<3>>> narrower{Seed{4}};
    const std::vector<float> before(narrower.parameters().begin(), narrower.parameters().end());
    CHECK(load_error(p, narrower) == p.string() + ": 0.weight: checkpoint has shape [16, 4], model expects [8, 4]");
    CHECK(std::equal(before.begin(), before.end(), narrower.parameters().begin()));

    Model<Sequential<Input<4>, Dense<16>, ReLU, Dense<3>, Tanh, Dense<2>>> deeper;
    CHECK(load_error(p, deeper) == p.string() + ": does not match the model: missing 4.weight, 4.bias");
    save_model(p, deeper);
    CHECK(load_error(p, small) == p.string() + ": does not match the model: unexpected 4.weight, 4.bias");
    Model<Sequential<Input<4>, Dense<16>, ReLU, Identity, Dense<3>>> shifted;
    save_model(p, small);
    CHECK(load_error(p, shifted) == p.string() +
                                        ": does not match the model: missing 3.weight, 3.bias; "
                                        "unexpected 2.weight, 2.bias");

    // Right names and shapes, wrong dtype (as a float64 PyTorch export would be).
    std::vector<st::TensorView> views;
    std::vector<std::vector<double>> wide;
    for (const auto& t : small.named_parameters()) {
        wide.emplace_back(t.values.begin(), t.values.end());
        views.push_back({t.name, st::Dtype::F64, t.shape, std::as_bytes(std::span(wide.back()))});
    }
    st::write(p, views);
    CHECK(load_error(p, small) == p.string() + ": 0.weight: checkpoint has dtype F64, model expects F32");
}

TEST_CASE("checkpoint: a save that fails half-way leaves the previous checkpoint") {
    Model<Small> small{Seed{5}};
    const fs::path p = scratch("atomic-model.safetensors");
    save_model(p, small);
    Model<Sequential<Input<32>, Dense<64>>> big;  // 8 KiB of weights
    {
        test::FileSizeLimit limit(4096);
        CHECK_THROWS_WITH_AS(save_model(p, big), doctest::Contains("cannot write"), fs::filesystem_error);
    }
    Model<Small> back{Seed{6}};
    load_model(p, back);
    CHECK(same_bits(small.parameters(), back.parameters()));
    const std::string temporary_prefix = std::string(".").append(p.filename().string()).append(".tmp.");
    for (const auto& f : fs::directory_iterator(p.parent_path()))  // no temporary left: .<name>.tmp.<pid>.XXXXXX
        CHECK_MESSAGE(!f.path().filename().string().starts_with(temporary_prefix), f.path());
}

namespace {
template <class Optimizer>
Optimizer configured() {
    if constexpr (requires { &Optimizer::Options::momentum; })
        return Optimizer{{.lr = 0.05f, .momentum = 0.9f, .weight_decay = 0.01f}};
    else
        return Optimizer{{.lr = 0.02f}};
}
}  // namespace

TEST_CASE_TEMPLATE("checkpoint: a restored optimizer continues exactly as the uninterrupted one", Optimizer, Momentum,
                   Nesterov, Adam, AdamW, Adagrad, RMSProp, SGD) {
    Batches data(4, 3);
    Model<Small> a{Seed{7}};
    Optimizer oa = configured<Optimizer>();
    train(a, oa, data, 0, 5);
    oa.set_learning_rate(oa.learning_rate() * 0.5f);  // as a schedule would
    const fs::path pm = scratch("resume.safetensors"), ps = scratch("resume.state.safetensors");
    save_model(pm, a);
    save_training_state(ps, oa, {.epoch = 1, .step = 5});
    train(a, oa, data, 5, 12);  // the uninterrupted run

    Model<Small> b{Seed{8}};
    Optimizer ob = configured<Optimizer>();
    load_model(pm, b);
    const TrainingPosition at = load_training_state(ps, ob, Model<Small>::param_count);
    CHECK(at.epoch == 1);
    CHECK(at.step == 5);
    CHECK(ob.learning_rate() == oa.learning_rate());
    Model<Small> c = b;  // the same weights with a fresh optimizer: shows the state matters
    Optimizer fresh = configured<Optimizer>();
    fresh.set_learning_rate(ob.learning_rate());
    train(b, ob, data, 5, 12);
    train(c, fresh, data, 5, 12);
    CHECK(same_bits(a.parameters(), b.parameters()));
    if constexpr (!std::is_same_v<Optimizer, SGD>) CHECK_FALSE(same_bits(a.parameters(), c.parameters()));
}

TEST_CASE("checkpoint: the training position round-trips every field") {
    Rng rng(Seed{9});
    rng.normal();  // leaves the second Box-Muller value pending
    TrainingPosition saved{.epoch = 12,
                           .step = (std::uint64_t(1) << 63) + 5,  // unsigned all the way up
                           .rng = rng.state(),
                           .learning_rate = 0.0125f,
                           .schedule_step = 40,
                           .plateau_best = 0.3125f,
                           .plateau_bad_epochs = 2};
    REQUIRE(saved.rng.has_spare);
    Momentum m;
    const fs::path ps = scratch("position.state.safetensors");
    save_training_state(ps, m, saved);
    CHECK(load_training_state(ps, m, 0) == saved);

    Rng resumed;
    resumed.set_state(load_training_state(ps, m, 0).rng);
    for (int i = 0; i < 5; ++i) CHECK(resumed.normal() == rng.normal());
    CHECK(resumed.next_u64() == rng.next_u64());
}

TEST_CASE("checkpoint: a training state is checked before the optimizer changes") {
    Batches data(4, 3);
    Model<Small> model{Seed{10}};
    Adam adam{{.lr = 0.01f}};
    const fs::path ps = scratch("checked.state.safetensors"), pm = scratch("checked.safetensors");

    SUBCASE("saved before the first step, the empty state loads and training goes on") {
        save_training_state(ps, adam, {});
        Adam other{{.lr = 0.01f}};
        train(model, other, data, 0, 2);
        load_training_state(ps, other, Model<Small>::param_count);
        CHECK(other.state.steps == 0);
        CHECK(other.state.slot(0).empty());
        Model<Small> twin{Seed{10}};
        Adam fresh{{.lr = 0.01f}};
        Model<Small> again{Seed{10}};
        train(twin, fresh, data, 0, 3);
        train(again, other, data, 0, 3);
        CHECK(same_bits(twin.parameters(), again.parameters()));
    }
    SUBCASE("each mismatch has its own message") {
        train(model, adam, data, 0, 2);
        save_training_state(ps, adam, {});
        save_model(pm, model);
        Momentum momentum;
        CHECK_THROWS_WITH_AS(load_training_state(ps, momentum, Model<Small>::param_count),
                             (ps.string() + ": the state is Adam's, but the optimizer is Momentum").c_str(),
                             CheckpointError);
        Adam other;
        CHECK_THROWS_WITH_AS(load_training_state(ps, other, 10),
                             (ps.string() + ": optimizer.exp_avg: checkpoint has shape [131], the optimizer "
                                            "expects [10]").c_str(),
                             CheckpointError);
        CHECK(other.state.slot(0).empty());
        CHECK_THROWS_WITH_AS(load_training_state(pm, other, 10), doctest::Contains("not a typenet training state"),
                             CheckpointError);
        CHECK_THROWS_WITH_AS(load_model(ps, model), doctest::Contains("is a training state, not a model"),
                             CheckpointError);

        // A state file with a slot removed.
        auto file = st::read(ps);
        std::vector<st::TensorView> views;
        for (const auto& t : file.tensors)
            if (t.name != "optimizer.exp_avg_sq") views.push_back({t.name, t.dtype, t.shape, t.bytes});
        st::write(ps, views, file.metadata);
        CHECK_THROWS_WITH_AS(load_training_state(ps, other, Model<Small>::param_count),
                             (ps.string() + ": does not match Adam's training state: missing optimizer.exp_avg_sq")
                                 .c_str(),
                             CheckpointError);
    }
}
