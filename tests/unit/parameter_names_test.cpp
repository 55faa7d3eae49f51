// Tensor names: a model's parameters and buffers are named as PyTorch names those of
// the same network written as a plain nn.Sequential ("3.weight", a block's
// "3.0.weight", Repeat's copies as an nn.Sequential of copies); a file of typenet's
// old names ("layers.3.weight"), checked in as typenet wrote it, still loads through
// load_model, load_latest_checkpoint and load_matching, by a rule that decides the
// spelling once per file.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <typenet/core/frozen.hpp>
#include <typenet/core/repeat.hpp>
#include <typenet/core/residual.hpp>
#include <typenet/core/sequential.hpp>
#include <typenet/io/safetensors.hpp>
#include <typenet/layers/activations.hpp>
#include <typenet/layers/batch_norm.hpp>
#include <typenet/layers/dense.hpp>
#include <typenet/optim/adam.hpp>
#include <typenet/train/checkpoint.hpp>
#include <typenet/train/checkpoint_every.hpp>
#include <typenet/train/transfer.hpp>
#include <vector>

#include "support/scratch.hpp"

using namespace tn;
namespace st = tn::io::safetensors;
namespace fs = std::filesystem;

namespace {
using Strings = std::vector<std::string>;

// One of every container, each named as docs/design.md ("Parameter names") says.
using Containers = Sequential<Input<4>,
                              Dense<4>,                                  // 0
                              Sequential<Dense<4>, ReLU, Dense<4>>,      // 1: nn.Sequential
                              Residual<Dense<4>, Tanh>,                  // 2: nn.Sequential with x + f(x)
                              Repeat<2, Dense<4>>,                       // 3: copies of the one layer
                              Repeat<2, Sequential<ReLU, Dense<4>>>,     // 4: copies of the block
                              Repeat<2, Dense<4>, ReLU, Dense<4>>,       // 5: copies of nn.Sequential(...)
                              Frozen<Dense<4>>,                          // 6: the layer's own names
                              BatchNorm<>,                               // 7
                              Dense<2>>;                                 // 8

Strings names_of(const std::vector<NamedTensor>& tensors) {
    Strings out;
    for (const auto& t : tensors) out.push_back(t.name);
    return out;
}

fs::path reference(const std::string& name) {
    return fs::path(__FILE__).parent_path().parent_path() / "reference" / name;
}

// The checkpoint's network (tests/reference/make_legacy_checkpoint.cpp).
using LegacyNet = Sequential<Input<4>, Dense<6>, BatchNorm<>, Residual<Dense<6>, Tanh>, Repeat<2, Dense<6>>,
                             Sequential<Dense<6>, ReLU>, Dense<3>>;

// Every tensor of the model equals the old file's tensor of its old name.
void check_matches_legacy_file(Model<LegacyNet>& model, const st::File& file) {
    const Strings old = {"layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                         "layers.2.layers.0.weight", "layers.2.layers.0.bias", "layers.3.layers.0.layers.0.weight",
                         "layers.3.layers.0.layers.0.bias", "layers.3.layers.1.layers.0.weight",
                         "layers.3.layers.1.layers.0.bias", "layers.4.layers.0.weight", "layers.4.layers.0.bias",
                         "layers.5.weight", "layers.5.bias", "layers.1.running_mean", "layers.1.running_var"};
    std::vector<NamedTensor> mine = model.named_parameters();
    for (auto& b : model.named_buffers()) mine.push_back(b);
    REQUIRE(mine.size() == old.size());
    for (std::size_t i = 0; i < old.size(); ++i) {
        INFO(mine[i].name << " from " << old[i]);
        const auto v = file.at(old[i]).to_floats();
        REQUIRE(v.size() == mine[i].values.size());
        CHECK(std::memcmp(v.data(), mine[i].values.data(), v.size() * sizeof(float)) == 0);
    }
}

// The old checkpoint's output on its input, reproduced.
void check_reproduces_legacy_output(Model<LegacyNet>& model) {
    const auto io = st::read(reference("legacy_checkpoint/io.safetensors"));
    const auto x = io.at("input").to_floats(), expected = io.at("output").to_floats();
    const std::size_t batch = x.size() / 4;
    std::copy(x.begin(), x.end(), model.input(batch));
    const auto out = model.forward(batch, false);
    REQUIRE(out.size() == expected.size());
    for (std::size_t i = 0; i < out.size(); ++i) CHECK(out[i] == doctest::Approx(expected[i]).epsilon(1e-5));
}

// A copy of `from` with every tensor renamed by `rename` (others dropped when it gives "").
template <class Rename>
void rewrite(const fs::path& from, const fs::path& to, Rename&& rename) {
    const auto file = st::read(from);
    std::vector<st::TensorView> views;
    std::vector<std::string> names;
    names.reserve(file.tensors.size());
    for (const auto& t : file.tensors) {
        names.push_back(rename(t.name));
        if (!names.back().empty()) views.push_back({names.back(), t.dtype, t.shape, std::span(t.bytes)});
    }
    st::write(to, views, {{"format", "pt"}});
}
}  // namespace

TEST_CASE("names: a Sequential names its children as nn.Sequential does, every container included") {
    Model<Containers> model{Seed{1}};
    CHECK(names_of(model.named_parameters()) ==
          Strings{"0.weight",     "0.bias",                                                   // Dense
                  "1.0.weight",   "1.0.bias",     "1.2.weight",   "1.2.bias",                 // Sequential block
                  "2.0.weight",   "2.0.bias",                                                 // Residual
                  "3.0.weight",   "3.0.bias",     "3.1.weight",   "3.1.bias",                 // Repeat<2, Dense>
                  "4.0.1.weight", "4.0.1.bias",   "4.1.1.weight", "4.1.1.bias",               // Repeat<2, Block>
                  "5.0.0.weight", "5.0.0.bias",   "5.0.2.weight", "5.0.2.bias",               // Repeat<2, layers...>
                  "5.1.0.weight", "5.1.0.bias",   "5.1.2.weight", "5.1.2.bias",
                  "6.weight",     "6.bias",                                                   // Frozen
                  "7.weight",     "7.bias",                                                   // BatchNorm
                  "8.weight",     "8.bias"});
    CHECK(names_of(model.named_buffers()) == Strings{"7.running_mean", "7.running_var"});
    // A name is where the tensor is: the Repeat's second copy of its one Dense.
    CHECK(model.parameter("3.1.weight").values.data() == model.parameters().data() + 20 + 40 + 20 + 20);
}

TEST_CASE("names: the old spelling is still known, tensor for tensor, in the same order") {
    Model<Containers> model{Seed{1}};
    const auto tensors = detail::model_tensors(model);
    Strings old;
    for (const auto& t : tensors) old.push_back(t.legacy_name);
    CHECK(old == Strings{"layers.0.weight",
                         "layers.0.bias",
                         "layers.1.layers.0.weight",
                         "layers.1.layers.0.bias",
                         "layers.1.layers.2.weight",
                         "layers.1.layers.2.bias",
                         "layers.2.layers.0.weight",
                         "layers.2.layers.0.bias",
                         "layers.3.layers.0.layers.0.weight",  // Repeat's copy 0 was a Sequential of one
                         "layers.3.layers.0.layers.0.bias",
                         "layers.3.layers.1.layers.0.weight",
                         "layers.3.layers.1.layers.0.bias",
                         "layers.4.layers.0.layers.0.layers.1.weight",
                         "layers.4.layers.0.layers.0.layers.1.bias",
                         "layers.4.layers.1.layers.0.layers.1.weight",
                         "layers.4.layers.1.layers.0.layers.1.bias",
                         "layers.5.layers.0.layers.0.weight",
                         "layers.5.layers.0.layers.0.bias",
                         "layers.5.layers.0.layers.2.weight",
                         "layers.5.layers.0.layers.2.bias",
                         "layers.5.layers.1.layers.0.weight",
                         "layers.5.layers.1.layers.0.bias",
                         "layers.5.layers.1.layers.2.weight",
                         "layers.5.layers.1.layers.2.bias",
                         "layers.6.weight",
                         "layers.6.bias",
                         "layers.7.weight",
                         "layers.7.bias",
                         "layers.8.weight",
                         "layers.8.bias",
                         "layers.7.running_mean",
                         "layers.7.running_var"});
}

TEST_CASE("names: freezing by a layer's index freezes it and its block's tensors, no other") {
    Model<Containers> model{Seed{1}};
    CHECK(model.freeze("5") == 8);  // both copies of the Repeat, two Dense each
    CHECK(model.frozen("5.1.2.weight"));
    CHECK_FALSE(model.frozen("4.1.1.weight"));
    CHECK(model.freeze("1.2") == 2);
    CHECK_FALSE(model.frozen("1.0.weight"));
}

TEST_CASE("names: a checkpoint typenet wrote with the old names loads with load_model") {
    const auto file = st::read(reference("legacy_checkpoint/epoch-0002.safetensors"));
    REQUIRE(file.find("layers.3.layers.1.layers.0.weight"));  // the old spelling, as written then
    Model<LegacyNet> model{Seed{1}};
    load_model(reference("legacy_checkpoint/epoch-0002.safetensors"), model);
    check_matches_legacy_file(model, file);
    check_reproduces_legacy_output(model);
}

TEST_CASE("names: an old checkpoint resumes with load_latest_checkpoint") {
    Model<LegacyNet> model{Seed{1}};
    Adam adam;
    const auto at = load_latest_checkpoint(reference("legacy_checkpoint"), model, adam);
    REQUIRE(at);
    CHECK(at->epoch == 2);
    CHECK(at->step == 6);
    CHECK(adam.state.steps == 6);
    check_matches_legacy_file(model, st::read(reference("legacy_checkpoint/epoch-0002.safetensors")));
    check_reproduces_legacy_output(model);
}

TEST_CASE("names: load_matching reads an old file in its names and reports the model's") {
    // Another head (4 classes): its tensors are reported under today's names.
    using Wider = Sequential<Input<4>, Dense<6>, BatchNorm<>, Residual<Dense<6>, Tanh>, Repeat<2, Dense<6>>,
                             Sequential<Dense<6>, ReLU>, Dense<4>>;
    Model<Wider> model{Seed{1}};
    const LoadReport r =
        load_matching(reference("legacy_checkpoint/epoch-0002.safetensors"), model, {.skip_mismatched = true});
    CHECK(r.loaded.size() == 14);
    CHECK(r.missing.empty());
    CHECK(r.unexpected.empty());
    CHECK(r.mismatched == Strings{"5.weight", "5.bias"});
    const auto file = st::read(reference("legacy_checkpoint/epoch-0002.safetensors"));
    const auto w = file.at("layers.3.layers.1.layers.0.weight").to_floats();
    CHECK(std::memcmp(w.data(), model.parameter("3.1.weight").values.data(), w.size() * sizeof(float)) == 0);
}

TEST_CASE("names: the spelling is the file's, decided once; a file that mixes both is refused, naming them") {
    const fs::path dir = support::scratch_dir("names", "mixed");
    Model<LegacyNet> model{Seed{3}};
    const std::vector<float> untouched(model.parameters().begin(), model.parameters().end());
    // One tensor in today's spelling among old ones: the file is read as old.
    rewrite(reference("legacy_checkpoint/epoch-0002.safetensors"), dir / "mixed.safetensors",
            [](const std::string& name) { return name == "layers.5.weight" ? std::string("5.weight") : name; });
    CHECK_THROWS_WITH_AS(load_model(dir / "mixed.safetensors", model),
                         ((dir / "mixed.safetensors").string() +
                          ": does not match the model (read in typenet's old names, layers.N...): missing "
                          "layers.5.weight; unexpected 5.weight")
                             .c_str(),
                         CheckpointError);
    CHECK(std::memcmp(model.parameters().data(), untouched.data(), model.parameters().size_bytes()) == 0);

    // Today's spelling throughout (a plain nn.Sequential's state_dict) loads too.
    std::map<std::string, std::string> today;
    for (const auto& t : detail::model_tensors(model)) today[t.legacy_name] = t.name;
    const auto renamed = [&](const std::string& name) { return today.at(name); };
    rewrite(reference("legacy_checkpoint/epoch-0002.safetensors"), dir / "today.safetensors", renamed);
    Model<LegacyNet> fresh{Seed{4}};
    load_model(dir / "today.safetensors", fresh);
    check_matches_legacy_file(fresh, st::read(reference("legacy_checkpoint/epoch-0002.safetensors")));
}

TEST_CASE("names: save_model's file holds num_batches_tracked, and one without it loads too") {
    const fs::path dir = support::scratch_dir("names", "tracked");
    Model<LegacyNet> model{Seed{5}};
    save_model(dir / "with.safetensors", model);
    REQUIRE(st::read(dir / "with.safetensors").find("1.num_batches_tracked"));
    rewrite(dir / "with.safetensors", dir / "without.safetensors", [](const std::string& name) {
        return name.ends_with(".num_batches_tracked") ? std::string() : name;
    });
    Model<LegacyNet> a{Seed{6}}, b{Seed{7}};
    load_model(dir / "with.safetensors", a);
    load_model(dir / "without.safetensors", b);
    CHECK(std::memcmp(a.parameters().data(), model.parameters().data(), a.parameters().size_bytes()) == 0);
    CHECK(std::memcmp(b.parameters().data(), model.parameters().data(), b.parameters().size_bytes()) == 0);
}
