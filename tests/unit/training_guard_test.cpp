// What training refuses to do silently: loop forever on a zero batch, train on a
// data set whose arrays disagree, step on a NaN sample of the validation set, hand
// back weights that the last update made non-finite, save such weights, go on for
// epochs with a loss that has grown a hundredfold without a word, or half-restore a
// checkpoint whose state file is bad.
#include <doctest/doctest.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <unistd.h>
#include <vector>

#include "support/scratch.hpp"
#include <typenet/train/checkpoint.hpp>
#include <typenet/train/checkpoint_every.hpp>
#include <typenet/typenet.hpp>
#include "../support/error_of.hpp"

using namespace tn;

namespace {

using Classifier = Sequential<Input<4>, Dense<8>, ReLU, Dense<3>>;
using Regression = Sequential<Input<3>, Dense<8>, Tanh, Dense<1>>;

Dataset classes(std::size_t n) {
    Dataset d("classes", 4, 1);
    Rng rng{Seed{5}};
    for (std::size_t i = 0; i < n; ++i) {
        const float a = rng.uniform(-1.f, 1.f), b = rng.uniform(-1.f, 1.f);
        d.add({a, b, a * b, 1.f}, {a > 0 ? (b > 0 ? 2.f : 1.f) : 0.f});
    }
    return d;
}

// fit's warnings, whether or not it then stops with an error.
std::string stderr_of(auto&& f) {
    return support::capture_stderr([&] {
        try {
            f();
        } catch (const std::exception&) {
        }
    });
}

std::filesystem::path scratch(const std::string& name) { return support::scratch_dir("guard", name); }

}  // namespace

TEST_CASE("evaluate rejects a zero batch instead of looping forever") {
    Model<Classifier> model{Seed{1}};
    const std::string msg = support::error_of([&] { evaluate(model, classes(10), SoftmaxCrossEntropy{}, 0); });
    CHECK(msg.find("evaluate: batch must be at least 1") != std::string::npos);
}

TEST_CASE("a data set whose targets are fewer than its samples is refused before any step") {
    Model<Classifier> model{Seed{1}};
    Dataset short_targets = classes(10);
    short_targets.targets.resize(7);
    const std::string msg = support::error_of(
        [&] { fit(model, short_targets, SoftmaxCrossEntropy{}, SGD{}, {.verbosity = Verbosity::Quiet}); });
    INFO(msg);
    CHECK(msg.find("training set classes:") != std::string::npos);
    CHECK(msg.find("holds 7 targets, but 10 samples") != std::string::npos);
    CHECK(model.steps() == 0);
    CHECK(support::error_of([&] { evaluate(model, short_targets, SoftmaxCrossEntropy{}); }).find("holds 7 targets") !=
          std::string::npos);
}

TEST_CASE("a NaN in a validation or test input is named by its sample before training starts") {
    Model<Classifier> model{Seed{1}};
    Dataset validation = classes(20);
    validation.inputs[4 * 13 + 2] = std::numeric_limits<float>::quiet_NaN();
    const std::string msg = support::error_of([&] {
        fit(model, classes(50), SoftmaxCrossEntropy{}, SGD{},
            {.epochs = 2, .validation = validation, .verbosity = Verbosity::Quiet});
    });
    INFO(msg);
    CHECK(msg.find("validation set 'classes': sample 13 has a NaN at input value 2") != std::string::npos);
    CHECK(model.steps() == 0);
    validation.inputs[4 * 13 + 2] = std::numeric_limits<float>::infinity();
    const std::string test = support::error_of([&] { evaluate(model, validation, SoftmaxCrossEntropy{}); });
    CHECK(test.find("evaluation set 'classes': sample 13 has an infinite value at input value 2") !=
          std::string::npos);
}

TEST_CASE("an update that makes a weight non-finite stops training on that step, naming the tensor") {
    Model<Regression> model{Seed{3}};
    // The loss before the update is finite; a rate near float's limit overflows the
    // weights in the update itself, which a check of the loss alone never sees.
    SGD sgd{{.lr = 3e38f}};
    float* x = model.input(2);
    for (std::size_t i = 0; i < 6; ++i) x[i] = 1.f;
    const float targets[2] = {10.f, 10.f};
    const std::string msg = support::error_of([&] { model.train_step(2, targets, MSE{}, sgd); });
    INFO(msg);
    CHECK(msg.find("training stopped at step 1") != std::string::npos);
    // ... made <a parameter's name, which starts with its layer's index> non-finite
    const std::string made = "the optimizer's update made ";
    const auto at = msg.find(made);
    REQUIRE(at != std::string::npos);
    CHECK(std::isdigit(static_cast<unsigned char>(msg[at + made.size()])));
    CHECK(msg.find("non-finite") != std::string::npos);

    SUBCASE("fit ends with the error: the last step of a run is checked too") {
        Model<Regression> fresh{Seed{3}};
        Dataset one("one", 3, 1);
        one.add({1.f, 1.f, 1.f}, {10.f});
        SGD huge{{.lr = 3e38f}};
        const std::string fit_msg =
            support::error_of([&] { fit(fresh, one, MSE{}, huge, {.epochs = 1, .batch = 1, .verbosity = Verbosity::Quiet}); });
        CHECK(fit_msg.find("the optimizer's update made") != std::string::npos);
    }
}

TEST_CASE("save_model refuses non-finite weights unless asked, naming the tensor") {
    const auto dir = scratch("save");
    Model<Classifier> model{Seed{1}};
    model.parameter("2.bias").values[1] = std::numeric_limits<float>::infinity();
    const auto path = dir / "broken.safetensors";
    const std::string msg = support::error_of([&] { save_model(path, model); });
    INFO(msg);
    CHECK(msg.find("2.bias holds a NaN or an infinity") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(path));
    save_model(path, model, {.allow_non_finite = true});
    Model<Classifier> loaded{Seed{2}};
    load_model(path, loaded);
    CHECK(std::isinf(loaded.parameter("2.bias").values[1]));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a loss that grows a hundredfold is reported once, with its epoch") {
    Model<Regression> model{Seed{3}};
    Dataset data("ramp", 3, 1);
    Rng rng{Seed{9}};
    for (int i = 0; i < 64; ++i) {
        const float a = rng.uniform(-1.f, 1.f);
        data.add({a, 2 * a, -a}, {3 * a});
    }
    const std::string err = stderr_of([&] {
        fit(model, data, MSE{}, SGD{{.lr = 3.f}}, {.epochs = 3, .batch = 8, .verbosity = Verbosity::EpochLines});
    });
    INFO(err);
    CHECK(err.find("training is diverging") != std::string::npos);
    CHECK(err.find("at epoch 1") != std::string::npos);
    // Once, not once per step.
    CHECK(err.find("training is diverging") == err.rfind("training is diverging"));

    Model<Regression> calm{Seed{3}};
    const std::string quiet = stderr_of([&] {
        fit(calm, data, MSE{}, SGD{{.lr = 0.01f}}, {.epochs = 3, .batch = 8, .verbosity = Verbosity::EpochLines});
    });
    CHECK(quiet.find("diverging") == std::string::npos);
}

TEST_CASE("load_latest_checkpoint changes nothing when the state file does not fit") {
    const auto dir = scratch("latest");
    Model<Classifier> trained{Seed{1}};
    Adam adam;
    fit(trained, classes(40), SoftmaxCrossEntropy{}, adam, {.epochs = 1, .batch = 10, .verbosity = Verbosity::Quiet},
        checkpoint_every(1, dir, trained, adam));
    REQUIRE(latest_checkpoint_epoch(dir) == std::optional<std::size_t>{1});

    Model<Classifier> fresh{Seed{7}};
    const std::vector<float> before(fresh.parameters().begin(), fresh.parameters().end());
    Momentum other;  // the state file is Adam's
    const std::string msg = support::error_of([&] { load_latest_checkpoint(dir, fresh, other); });
    INFO(msg);
    CHECK(msg.find("the state is Adam's, but the optimizer is Momentum") != std::string::npos);
    CHECK(std::memcmp(before.data(), fresh.parameters().data(), before.size() * sizeof(float)) == 0);

    Adam right;
    const auto at = load_latest_checkpoint(dir, fresh, right);
    REQUIRE(at.has_value());
    CHECK(at->epoch == 1);
    CHECK(std::memcmp(trained.parameters().data(), fresh.parameters().data(), before.size() * sizeof(float)) == 0);
    std::filesystem::remove_all(dir);
}
