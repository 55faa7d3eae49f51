// fit()'s training machinery: learning-rate schedules driven per epoch and per step,
// gradient clipping between backward and the update, callbacks (early stopping with
// restored weights, checkpoints every N epochs, the learning-rate log, user
// callbacks that stop training), and the history's CSV and plots.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "support/scratch.hpp"
#include <typenet/plot/history.hpp>
#include <typenet/typenet.hpp>

using namespace tn;

namespace {

// Two classes: the sign of the sum of the first two features.
Dataset make_signs(std::size_t samples, std::uint64_t seed) {
    Dataset d("signs", 6, 1);
    Rng rng{Seed{seed}};
    std::vector<float> x(6);
    for (std::size_t i = 0; i < samples; ++i) {
        for (float& v : x) v = rng.uniform(-1.f, 1.f);
        d.add(x, std::vector<float>{x[0] + x[1] > 0 ? 1.f : 0.f});
    }
    return d;
}

using Net = Sequential<Input<6>, Dense<16>, Tanh, Dense<2>>;

std::vector<float> copy_of(std::span<const float> s) { return {s.begin(), s.end()}; }

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Records the rate each optimizer step ran with: fit sets it before the step, and
// nothing changes it until the next one.
struct RateRecorder {
    std::vector<float> rates;
    void on_batch_end(FitState& s) { rates.push_back(s.learning_rate()); }
};

using support::capture_stderr;
std::filesystem::path scratch_dir(const std::string& name) { return support::scratch_dir("callbacks", name); }

}  // namespace

// --- Learning-rate schedules through fit ---------------------------------------------

TEST_CASE("a per-epoch step decay sets each epoch's rate, and the history records it") {
    const Dataset train = make_signs(64, 1);
    Model<Net> model{Seed{1}};
    RateRecorder steps;
    const History h = fit(model, train, SoftmaxCrossEntropy{}, SGD{{.lr = 5.f}},
                          {.epochs = 5, .batch = 16, .schedule = schedule::StepDecay{.lr = 0.2f, .every = 2, .gamma = 0.5f},
                           .verbosity = Verbosity::Quiet},
                          steps);
    REQUIRE(h.epochs.size() == 5);
    // lr * gamma^floor((epoch - 1) / every): 0.2, 0.2, 0.1, 0.1, 0.05; the optimizer's own 5 is never used.
    const float expected[] = {0.2f, 0.2f, 0.1f, 0.1f, 0.05f};
    for (std::size_t e = 0; e < 5; ++e) CHECK(h.epochs[e].learning_rate == doctest::Approx(expected[e]));
    REQUIRE(steps.rates.size() == 5 * 4);
    for (std::size_t s = 0; s < steps.rates.size(); ++s) CHECK(steps.rates[s] == doctest::Approx(expected[s / 4]));
}

TEST_CASE("exponential and constant schedules, per epoch") {
    const Dataset train = make_signs(32, 2);
    Model<Net> model{Seed{2}};
    const History h = fit(model, train, SoftmaxCrossEntropy{}, SGD{{.lr = 1.f}},
                          {.epochs = 4, .batch = 32, .schedule = schedule::Exponential{.lr = 0.4f, .gamma = 0.5f},
                           .verbosity = Verbosity::Quiet});
    REQUIRE(h.epochs.size() == 4);
    CHECK(h.epochs[0].learning_rate == doctest::Approx(0.4f));
    CHECK(h.epochs[1].learning_rate == doctest::Approx(0.2f));
    CHECK(h.epochs[3].learning_rate == doctest::Approx(0.05f));

    SGD sgd{{.lr = 0.5f}};
    const History c = fit(model, train, SoftmaxCrossEntropy{}, sgd,
                          {.epochs = 2, .batch = 32, .schedule = schedule::Constant{.lr = 0.01f},
                           .verbosity = Verbosity::Quiet});
    CHECK(c.epochs[0].learning_rate == 0.01f);
    CHECK(sgd.learning_rate() == 0.01f);  // the optimizer passed by reference was driven
}

TEST_CASE("a per-step cosine schedule follows optimizer steps across epochs") {
    const Dataset train = make_signs(48, 3);
    Model<Net> model{Seed{3}};
    RateRecorder steps;
    // 48 samples in batches of 16: 3 steps per epoch, 4 epochs = 12 steps; the
    // cosine spans 8 of them, then stays at min_lr.
    const History h = fit(model, train, SoftmaxCrossEntropy{}, Adam{},
                          {.epochs = 4, .batch = 16,
                           .schedule = {schedule::Cosine{.lr = 0.01f, .period = 8, .min_lr = 0.001f}, Every::step},
                           .verbosity = Verbosity::Quiet},
                          steps);
    REQUIRE(steps.rates.size() == 12);
    // min + (lr - min) (1 + cos(pi t / 8)) / 2
    CHECK(steps.rates[0] == doctest::Approx(0.01f));
    CHECK(steps.rates[2] == doctest::Approx(0.001 + 0.009 * 0.5 * (1 + std::cos(std::numbers::pi * 2 / 8))));
    CHECK(steps.rates[4] == doctest::Approx(0.0055f));  // half way
    CHECK(steps.rates[7] == doctest::Approx(0.001 + 0.009 * 0.5 * (1 + std::cos(std::numbers::pi * 7 / 8))));
    CHECK(steps.rates[8] == doctest::Approx(0.001f));
    CHECK(steps.rates[11] == doctest::Approx(0.001f));
    // The history keeps the rate of each epoch's last step.
    CHECK(h.epochs[0].learning_rate == steps.rates[2]);
    CHECK(h.epochs[1].learning_rate == steps.rates[5]);
}

TEST_CASE("a per-step linear warm-up ramps over the first steps, then hands over") {
    const Dataset train = make_signs(40, 4);
    Model<Net> model{Seed{4}};
    RateRecorder steps;
    using Warmup = schedule::LinearWarmup<schedule::StepDecay>;
    fit(model, train, SoftmaxCrossEntropy{}, Adam{},
        {.epochs = 2, .batch = 4,  // 10 steps per epoch
         .schedule = {Warmup{.warmup = 4, .after = {.lr = 0.1f, .every = 5, .gamma = 0.1f}}, Every::step},
         .verbosity = Verbosity::Quiet},
        steps);
    REQUIRE(steps.rates.size() == 20);
    // lr (t + 1) / warmup for t < 4, then the step decay from its own t = 0.
    CHECK(steps.rates[0] == doctest::Approx(0.025f));
    CHECK(steps.rates[1] == doctest::Approx(0.05f));
    CHECK(steps.rates[3] == doctest::Approx(0.1f));
    CHECK(steps.rates[4] == doctest::Approx(0.1f));
    CHECK(steps.rates[8] == doctest::Approx(0.1f));
    CHECK(steps.rates[9] == doctest::Approx(0.01f));  // t - warmup = 5: one decay
    CHECK(steps.rates[19] == doctest::Approx(0.0001f));  // t - warmup = 15: three decays
}

TEST_CASE("reduce on plateau lowers the rate after `patience` epochs without a better loss") {
    // Zero inputs and one target: the output is the bias alone, MSE's gradient on it
    // is 2 (b - 1), and SGD with rate 0.5 takes b from 0 to exactly 1 in one step.
    // So the epoch losses are exactly 1, 0, 0, 0, ...: one improvement, then a plateau.
    using Bias = Sequential<Input<2>, Dense<1>>;
    Dataset d("constant", 2, 1);
    for (int i = 0; i < 4; ++i) d.add({0.f, 0.f}, {1.f});
    Model<Bias> model{Seed{5}};
    const History h = fit(model, d, MSE{}, SGD{{.lr = 0.5f}},
                          {.epochs = 9, .batch = 4,
                           .schedule = {schedule::ReduceOnPlateau{.factor = 0.1f, .patience = 2}, "loss"},
                           .verbosity = Verbosity::Quiet});
    REQUIRE(h.epochs.size() == 9);
    REQUIRE(h.epochs[0].loss == 1.f);
    for (std::size_t e = 1; e < 9; ++e) REQUIRE(h.epochs[e].loss == 0.f);
    // Epoch 2 improves; epochs 3, 4, 5 do not, and after the third (> patience) the
    // rate drops for epoch 6; the count restarts, and epochs 6, 7, 8 drop it again.
    for (std::size_t e = 0; e < 5; ++e) CHECK(h.epochs[e].learning_rate == 0.5f);
    for (std::size_t e = 5; e < 8; ++e) CHECK(h.epochs[e].learning_rate == doctest::Approx(0.05f));
    CHECK(h.epochs[8].learning_rate == doctest::Approx(0.005f));
}

TEST_CASE("a plateau schedule on val_loss needs a validation set, and says so") {
    Model<Net> model{Seed{6}};
    const Dataset train = make_signs(16, 6);
    CHECK_THROWS_WITH_AS(fit(model, train, SoftmaxCrossEntropy{}, SGD{},
                             {.schedule = schedule::ReduceOnPlateau{}, .verbosity = Verbosity::Quiet}),
                         doctest::Contains("ReduceOnPlateau watches val_loss, but fit() has no validation set"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(LrSchedule(schedule::ReduceOnPlateau{}, "val_accuracy"),
                         doctest::Contains("use \"val_loss\" or \"loss\""), std::invalid_argument);
}

// --- Clipping ------------------------------------------------------------------------

// The largest change of the parameters made by one optimizer step, in L2 norm and
// per element.
struct UpdateSize {
    std::vector<float> before;
    double largest_norm = 0, largest_element = 0;
    void on_train_begin(FitState& s) { before = copy_of(s.parameters()); }
    void on_batch_end(FitState& s) {
        double sum = 0;
        for (std::size_t i = 0; i < before.size(); ++i) {
            const double d = double(s.parameters()[i]) - double(before[i]);
            sum += d * d;
            largest_element = std::max(largest_element, std::abs(d));
        }
        largest_norm = std::max(largest_norm, std::sqrt(sum));
        before = copy_of(s.parameters());
    }
};

TEST_CASE("clipping through fit bounds every SGD update") {
    const Dataset train = make_signs(64, 7);
    auto run = [&](GradientClip clip) {
        Model<Net> model{Seed{7}};
        UpdateSize size;
        fit(model, train, SoftmaxCrossEntropy{}, SGD{{.lr = 1.f}},
            {.epochs = 2, .batch = 8, .clip = clip, .verbosity = Verbosity::Quiet}, size);
        return size;
    };
    const UpdateSize free = run({});
    // Without clipping, steps are larger than the bounds below: the checks can fail.
    REQUIRE(free.largest_norm > 0.05);
    REQUIRE(free.largest_element > 0.005);

    // SGD moves the parameters by lr * g: the norm of g is capped at 0.05.
    const UpdateSize by_norm = run(ClipNorm{0.05f});
    CHECK(by_norm.largest_norm <= 0.05 * (1 + 1e-5));
    CHECK(by_norm.largest_norm > 0.04);  // the cap, not a vanishing gradient
    const UpdateSize by_value = run(ClipValue{0.005f});
    CHECK(by_value.largest_element <= 0.005 * (1 + 1e-5));
    CHECK(by_value.largest_element > 0.004);
}

TEST_CASE("clip limits must be positive") {
    Model<Net> model{Seed{8}};
    const Dataset train = make_signs(16, 8);
    CHECK_THROWS_WITH_AS(fit(model, train, SoftmaxCrossEntropy{}, SGD{},
                             {.clip = ClipNorm{0.f}, .verbosity = Verbosity::Quiet}),
                         doctest::Contains("ClipNorm's max_norm must be positive"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(fit(model, train, SoftmaxCrossEntropy{}, SGD{},
                             {.clip = ClipValue{-1.f}, .verbosity = Verbosity::Quiet}),
                         doctest::Contains("ClipValue's limit must be positive"), std::invalid_argument);
    CHECK(model.steps() == 0);
}

// --- Early stopping ------------------------------------------------------------------

namespace {
// Replaces the epoch's validation loss with a scripted one, so the early stopping
// after it sees a known sequence.
struct ScriptedMetric {
    float EpochRecord::* field;
    std::vector<float> values;
    void on_epoch_end(FitState& s) { s.record().*field = values.at(s.epoch - 1); }
};
// The parameters at the end of every epoch.
struct Snapshots {
    std::vector<std::vector<float>> at_epoch{{}};  // index 0 unused: epochs count from 1
    void on_epoch_end(FitState& s) { at_epoch.push_back(copy_of(s.parameters())); }
};
}  // namespace

TEST_CASE("early stopping stops after `patience` epochs without improvement and restores the best weights") {
    const Dataset train = make_signs(64, 9), val = make_signs(32, 10);
    Model<Net> model{Seed{9}};
    // Best 0.70 at epoch 4; 0.75, 0.71, 0.72 do not beat it: stop at epoch 7.
    ScriptedMetric script{&EpochRecord::val_loss, {1.0f, 0.8f, 0.9f, 0.7f, 0.75f, 0.71f, 0.72f, 0.5f, 0.4f, 0.3f}};
    Snapshots snapshots;
    EarlyStopping stop{.patience = 3};
    const History h = fit(model, train, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}},
                          {.epochs = 10, .batch = 16, .validation = val, .verbosity = Verbosity::Quiet}, script,
                          snapshots, stop);
    CHECK(h.epochs.size() == 7);
    CHECK(stop.stopped_epoch == 7);
    CHECK(stop.best_epoch == 4);
    CHECK(stop.best == 0.7f);
    REQUIRE(snapshots.at_epoch.size() == 8);
    const auto final_weights = copy_of(model.parameters());
    CHECK(same_bits(final_weights, snapshots.at_epoch[4]));
    CHECK_FALSE(same_bits(final_weights, snapshots.at_epoch[7]));  // the restore did something
}

TEST_CASE("early stopping: min_delta, accuracy maximised, and restoring when the epochs run out") {
    const Dataset train = make_signs(64, 11), val = make_signs(32, 12);
    SUBCASE("an improvement smaller than min_delta does not count") {
        Model<Net> model{Seed{11}};
        ScriptedMetric script{&EpochRecord::val_loss, {1.0f, 0.95f, 0.91f, 0.5f}};
        EarlyStopping stop{.patience = 2, .min_delta = 0.1f};
        const History h = fit(model, train, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}},
                              {.epochs = 4, .batch = 16, .validation = val, .verbosity = Verbosity::Quiet}, script,
                              stop);
        CHECK(h.epochs.size() == 3);
        CHECK(stop.best_epoch == 1);
    }
    SUBCASE("accuracy is maximised") {
        Model<Net> model{Seed{12}};
        ScriptedMetric script{&EpochRecord::val_accuracy, {0.5f, 0.7f, 0.6f, 0.65f, 0.69f, 0.9f}};
        EarlyStopping stop{.monitor = "val_accuracy", .patience = 3};
        const History h = fit(model, train, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}},
                              {.epochs = 6, .batch = 16, .validation = val, .verbosity = Verbosity::Quiet}, script,
                              stop);
        CHECK(h.epochs.size() == 5);
        CHECK(stop.best_epoch == 2);
        CHECK(stop.best == 0.7f);
    }
    SUBCASE("the best weights come back when the last epoch was not the best") {
        Model<Net> model{Seed{13}};
        ScriptedMetric script{&EpochRecord::val_loss, {1.0f, 0.5f, 0.6f, 0.7f}};
        Snapshots snapshots;
        EarlyStopping stop{.patience = 5};
        const History h = fit(model, train, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}},
                              {.epochs = 4, .batch = 16, .validation = val, .verbosity = Verbosity::Quiet}, script,
                              snapshots, stop);
        CHECK(h.epochs.size() == 4);
        CHECK(stop.stopped_epoch == 0);
        CHECK(same_bits(copy_of(model.parameters()), snapshots.at_epoch[2]));
    }
    SUBCASE("restore_best_weights = false keeps the last weights") {
        Model<Net> model{Seed{14}};
        ScriptedMetric script{&EpochRecord::val_loss, {1.0f, 0.5f, 0.6f, 0.7f}};
        Snapshots snapshots;
        EarlyStopping stop{.patience = 2, .restore_best_weights = false};
        fit(model, train, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}},
            {.epochs = 4, .batch = 16, .validation = val, .verbosity = Verbosity::Quiet}, script, snapshots, stop);
        CHECK(stop.stopped_epoch == 4);
        CHECK(same_bits(copy_of(model.parameters()), snapshots.at_epoch[4]));
    }
}

TEST_CASE("early stopping restores the buffers (BatchNorm's running statistics) with the parameters") {
    using Normed = Sequential<Input<6>, Dense<16>, BatchNorm<>, Tanh, Dense<2>>;
    static_assert(Model<Normed>::buffer_count > 0);
    const Dataset train = make_signs(64, 23), val = make_signs(32, 24);
    Model<Normed> model{Seed{23}};
    ScriptedMetric script{&EpochRecord::val_loss, {1.0f, 0.5f, 0.6f, 0.7f}};
    struct BothSnapshots {
        std::vector<std::vector<float>> parameters{{}}, buffers{{}};
        void on_epoch_end(FitState& s) {
            parameters.push_back(copy_of(s.parameters()));
            buffers.push_back(copy_of(s.buffers()));
        }
    } snapshots;
    EarlyStopping stop{.patience = 2};
    fit(model, train, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}},
        {.epochs = 4, .batch = 16, .validation = val, .verbosity = Verbosity::Quiet}, script, snapshots, stop);
    REQUIRE(stop.stopped_epoch == 4);
    REQUIRE(stop.best_epoch == 2);
    CHECK(same_bits(copy_of(model.buffers()), snapshots.buffers[2]));
    CHECK_FALSE(same_bits(snapshots.buffers[2], snapshots.buffers[4]));  // the statistics did move
    CHECK(same_bits(copy_of(model.parameters()), snapshots.parameters[2]));
}

TEST_CASE("early stopping names a metric it cannot watch") {
    const Dataset train = make_signs(16, 15);
    Model<Net> model{Seed{15}};
    EarlyStopping no_validation{};
    CHECK_THROWS_WITH_AS(fit(model, train, SoftmaxCrossEntropy{}, SGD{}, {.verbosity = Verbosity::Quiet},
                             no_validation),
                         doctest::Contains("EarlyStopping watches val_loss, but fit() has no validation set"),
                         std::invalid_argument);
    EarlyStopping typo{.monitor = "val_acc"};
    CHECK_THROWS_WITH_AS(fit(model, train, SoftmaxCrossEntropy{}, SGD{},
                             {.validation = train, .verbosity = Verbosity::Quiet}, typo),
                         doctest::Contains("no metric named 'val_acc'; the metrics are loss, accuracy, val_loss"),
                         std::invalid_argument);
    using Regression = Sequential<Input<6>, Dense<1>>;
    Model<Regression> regression{Seed{15}};
    Dataset values("values", 6, 1);
    values.add({0.f, 1.f, 2.f, 3.f, 4.f, 5.f}, {1.f});
    EarlyStopping accuracy{.monitor = "accuracy"};
    CHECK_THROWS_WITH_AS(fit(regression, values, MSE{}, SGD{}, {.verbosity = Verbosity::Quiet}, accuracy),
                         doctest::Contains("EarlyStopping watches accuracy, but epoch 1 has none"),
                         std::invalid_argument);
}

// --- User callbacks ------------------------------------------------------------------

namespace {
// Every hook, logged in order.
struct Journal {
    std::vector<std::string> events;
    void on_train_begin(FitState& s) { events.push_back("train_begin " + std::to_string(s.epochs)); }
    void on_epoch_begin(FitState& s) { events.push_back("epoch_begin " + std::to_string(s.epoch)); }
    void on_batch_end(FitState& s) { events.push_back("batch_end " + std::to_string(s.batch)); }
    void on_epoch_end(FitState& s) {
        events.push_back("epoch_end " + std::to_string(s.epoch) + " " + std::to_string(s.history().epochs.size()));
    }
    void on_train_end(FitState&) { events.push_back("train_end"); }
};
// Only one hook: the others are optional.
struct StopAfterSteps {
    std::uint64_t steps = 0;
    void on_batch_end(FitState& s) {
        if (s.step == steps) s.stop("budget spent");
    }
};
}  // namespace

TEST_CASE("a user callback sees every hook in order; a callback can stop training mid-epoch") {
    const Dataset train = make_signs(24, 16);
    Model<Net> model{Seed{16}};
    Journal journal;
    fit(model, train, SoftmaxCrossEntropy{}, SGD{}, {.epochs = 2, .batch = 12, .verbosity = Verbosity::Quiet},
        journal);
    const std::vector<std::string> expected{"train_begin 2", "epoch_begin 1", "batch_end 1", "batch_end 2",
                                            "epoch_end 1 1", "epoch_begin 2", "batch_end 1", "batch_end 2",
                                            "epoch_end 2 2",  "train_end"};
    CHECK(journal.events == expected);

    Model<Net> stopped{Seed{16}};
    StopAfterSteps budget{3};
    bool position_refused = false;
    struct AskPosition {
        bool* refused;
        void on_train_end(FitState& s) {
            try {
                (void)s.position();
            } catch (const std::logic_error& e) {
                *refused = std::string(e.what()).find("cut short") != std::string::npos;
            }
        }
    } ask{&position_refused};
    std::string log;
    const std::string err = capture_stderr([&] {
        const History h = fit(stopped, train, SoftmaxCrossEntropy{}, SGD{},
                              {.epochs = 5, .batch = 4, .verbosity = Verbosity::EpochLines}, budget, ask);
        CHECK(h.epochs.size() == 1);
    });
    CHECK(stopped.steps() == 3);  // 3 of the first epoch's 6 batches
    CHECK(position_refused);      // a position exists only between whole epochs
    CHECK(err.find("budget spent") != std::string::npos);
}

TEST_CASE("FitOptions::on_epoch still stops training by returning false") {
    const Dataset train = make_signs(16, 17);
    Model<Net> model{Seed{17}};
    const History h = fit(model, train, SoftmaxCrossEntropy{}, SGD{},
                          {.epochs = 10, .batch = 8, .verbosity = Verbosity::Quiet,
                           .on_epoch = [](const EpochRecord& e) { return e.epoch < 3; }});
    CHECK(h.epochs.size() == 3);
}

// --- Checkpoints -----------------------------------------------------------------------

TEST_CASE("a checkpoint every N epochs is written at those epochs, with the position there") {
    const Dataset train = make_signs(32, 18);
    Model<Net> model{Seed{18}};
    const auto dir = scratch_dir("every");
    std::vector<TrainingPosition> positions;
    CheckpointEvery every3{.every = 3, .save = [&](const FitState& s) {
                               std::ofstream(dir / ("epoch-" + std::to_string(s.epoch) + ".txt")) << s.epoch;
                               positions.push_back(s.position());
                           }};
    fit(model, train, SoftmaxCrossEntropy{}, SGD{}, {.epochs = 7, .batch = 8, .verbosity = Verbosity::Quiet}, every3);
    std::vector<std::string> files;
    for (const auto& f : std::filesystem::directory_iterator(dir)) files.push_back(f.path().filename().string());
    std::sort(files.begin(), files.end());
    CHECK(files == std::vector<std::string>{"epoch-3.txt", "epoch-6.txt"});
    REQUIRE(positions.size() == 2);
    CHECK(positions[0].epoch == 3);
    CHECK(positions[0].step == 3 * 4);
    CHECK(positions[1].epoch == 6);
    CHECK(positions[1].step == 6 * 4);
    CHECK(positions[0].rng != positions[1].rng);  // each epoch's shuffle drew from the generator

    CheckpointEvery none{.every = 2};
    CHECK_THROWS_WITH_AS(fit(model, train, SoftmaxCrossEntropy{}, SGD{}, {.verbosity = Verbosity::Quiet}, none),
                         doctest::Contains("CheckpointEvery: no save function given"), std::invalid_argument);
}

// --- Logging, the history's CSV and plots ----------------------------------------------

TEST_CASE("the rate is logged when it changes, and shown on the epoch line under a schedule") {
    const Dataset train = make_signs(16, 19);
    Model<Net> model{Seed{19}};
    const std::string err = capture_stderr([&] {
        fit(model, train, SoftmaxCrossEntropy{}, SGD{},
            {.epochs = 4, .batch = 8, .schedule = schedule::StepDecay{.lr = 0.2f, .every = 2, .gamma = 0.5f},
             .verbosity = Verbosity::EpochLines},
            LogLearningRate{});
    });
    INFO(err);
    CHECK(err.find("epoch 1: learning rate 0.2\n") != std::string::npos);
    CHECK(err.find("epoch 2: learning rate") == std::string::npos);  // unchanged: not logged
    CHECK(err.find("epoch 3: learning rate 0.2 -> 0.1\n") != std::string::npos);
    CHECK(err.find("epoch 1/4  loss ") != std::string::npos);
    CHECK(err.find("  lr 0.1  ") != std::string::npos);

    const std::string plain = capture_stderr([&] {
        fit(model, train, SoftmaxCrossEntropy{}, SGD{}, {.epochs = 1, .batch = 8, .verbosity = Verbosity::EpochLines});
    });
    CHECK(plain.find("epoch 1/1  loss ") != std::string::npos);
    CHECK(plain.find(" lr ") == std::string::npos);  // nothing moves the rate: not shown
}

TEST_CASE("the history of a scheduled run goes to CSV and to a loss | accuracy | learning-rate plot") {
    const Dataset train = make_signs(64, 20), val = make_signs(32, 21);
    Model<Net> model{Seed{20}};
    const History h = fit(model, train, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}},
                          {.epochs = 6, .batch = 16, .validation = val,
                           .schedule = schedule::StepDecay{.lr = 0.5f, .every = 2, .gamma = 0.1f},
                           .verbosity = Verbosity::Quiet});
    const auto dir = scratch_dir("history");
    h.write_csv((dir / "history.csv").string());
    std::ifstream csv(dir / "history.csv");
    std::string header, line;
    std::getline(csv, header);
    CHECK(header == "epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds,perplexity,val_perplexity");
    std::vector<std::string> rows;
    while (std::getline(csv, line)) rows.push_back(line);
    REQUIRE(rows.size() == 6);
    // The fifth field is the learning rate: 0.5, 0.5, 0.05, ...
    auto field = [](const std::string& row, int k) {
        std::stringstream s(row);
        std::string f;
        for (int i = 0; i <= k; ++i) std::getline(s, f, ',');
        return f;
    };
    CHECK(std::stof(field(rows[0], 5)) == doctest::Approx(0.5f));
    CHECK(std::stof(field(rows[2], 5)) == doctest::Approx(0.05f));
    CHECK(std::stof(field(rows[5], 5)) == doctest::Approx(0.005f));
    CHECK(std::stof(field(rows[3], 3)) == doctest::Approx(h.epochs[3].val_loss));

    const auto charts = plot::history_charts(h);
    REQUIRE(charts.size() == 3);
    CHECK(charts[0].title == "loss");
    CHECK(charts[0].series.size() == 2);  // train and validation
    CHECK(charts[1].title == "accuracy");
    CHECK(charts[1].series.size() == 2);
    CHECK(charts[2].title == "learning rate");
    CHECK(charts[2].log_y);  // 0.5 to 0.005 spans 100x
    REQUIRE(charts[2].series.size() == 1);
    CHECK(charts[2].series[0].y[4] == doctest::Approx(0.005));
    plot::curves(h, dir / "curves.svg", "scheduled run");
    std::ifstream svg_file(dir / "curves.svg");
    std::stringstream svg;
    svg << svg_file.rdbuf();
    CHECK(svg.str().find(">learning rate</text>") != std::string::npos);
    CHECK(svg.str().find(">accuracy</text>") != std::string::npos);

    // A run whose rate never moved has no learning-rate panel.
    const History flat = fit(model, train, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}},
                             {.epochs = 3, .batch = 16, .verbosity = Verbosity::Quiet});
    CHECK(plot::history_charts(flat).size() == 2);
}

TEST_CASE("the progress bar is still drawn, and a scheduled epoch line still follows it") {
    const Dataset train = make_signs(64, 22);
    Model<Net> model{Seed{22}};
    const std::string err = capture_stderr([&] {
        fit(model, train, SoftmaxCrossEntropy{}, SGD{},
            {.epochs = 2, .batch = 16, .schedule = schedule::Exponential{.lr = 0.1f, .gamma = 0.5f},
             .verbosity = Verbosity::Bar});
    });
    INFO(err);
    CHECK(err.find("\repoch 1/2 [========================] 64/64") != std::string::npos);
    CHECK(err.find("samples/s  ETA") != std::string::npos);
    CHECK(err.find("epoch 2/2  loss ") != std::string::npos);
    CHECK(err.find("  lr 0.05  ") != std::string::npos);
}
