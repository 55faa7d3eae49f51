// Resuming a run: stopped after epoch k, saved by the checkpoint API to files, read
// back into fresh objects and continued, a run ends with every parameter bit-equal
// to the run that was never stopped: same shuffles, dropout masks, Adam moments,
// learning-rate schedule and plateau memory. On one thread and on two (the GEMM
// never splits K, so the thread count does not change a single bit).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

#include <typenet/kernels/parallel.hpp>
#include <typenet/train/checkpoint_every.hpp>
#include <typenet/typenet.hpp>

using namespace tn;

namespace {

struct ThreadCount {
    int previous = threads();
    explicit ThreadCount(int n) { set_threads(n); }
    ~ThreadCount() { set_threads(previous); }
};

// Three classes from the signs of two of eight features.
Dataset make_classes(std::size_t samples, std::uint64_t seed) {
    Dataset d("signs", 8, 1);
    Rng rng{Seed{seed}};
    std::vector<float> x(8);
    for (std::size_t i = 0; i < samples; ++i) {
        for (float& v : x) v = rng.uniform(-1.f, 1.f);
        d.add(x, std::vector<float>{x[0] > 0 ? (x[3] > 0 ? 2.f : 1.f) : 0.f});
    }
    return d;
}

// Dropout draws from the model's generator inside every epoch, not only for the shuffle.
using Mlp = Sequential<Input<8>, Dense<32>, ReLU, Dropout<20>, Dense<16>, Tanh, Dense<3>>;

std::vector<float> weights_of(Model<Mlp>& m) { return {m.parameters().begin(), m.parameters().end()}; }

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Ends training after epoch `last`, as a killed process would (the checkpoint callback before it has run).
struct StopAfter {
    std::size_t last;
    void on_epoch_end(FitState& s) {
        if (s.epoch == last) s.stop();
    }
};

struct Run {
    std::vector<float> weights;
    History history;
    std::uint64_t steps = 0;
};

const Dataset& train_set() {
    static const Dataset d = make_classes(200, 1);  // 13 batches of 16, the last one short (8)
    return d;
}
const Dataset& validation_set() {
    static const Dataset d = make_classes(60, 2);
    return d;
}

Run uninterrupted(const FitOptions& options) {
    Model<Mlp> model{Seed{42}};
    Adam adam{{.lr = 3e-3f}};
    History h = fit(model, train_set(), SoftmaxCrossEntropy{}, adam, options);
    return {weights_of(model), std::move(h), model.steps()};
}

std::filesystem::path scratch_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("typenet-resume-" + std::to_string(::getpid())) / name;
    std::filesystem::remove_all(dir);
    return dir;
}

// Runs `options` up to epoch k, saving a checkpoint there; then, with new objects
// that share nothing with the first run but the files, loads it and runs to the end.
// `tamper` may change the position read back (to show that the test can fail).
template <class Tamper>
Run interrupted(const FitOptions& options, std::size_t k, const std::string& name, Tamper tamper) {
    const auto dir = scratch_dir(name);
    {
        Model<Mlp> model{Seed{42}};
        Adam adam{{.lr = 3e-3f}};
        const History first = fit(model, train_set(), SoftmaxCrossEntropy{}, adam, options,
                                  checkpoint_every(k, dir, model, adam), StopAfter{k});
        REQUIRE(first.epochs.size() == k);
    }
    Model<Mlp> model{Seed{7}};  // another initialisation: the checkpoint must replace it all
    Adam adam{{.lr = 0.5f}};    // another rate: the state file carries the real one
    std::optional<TrainingPosition> at = load_latest_checkpoint(dir, model, adam);
    REQUIRE(at.has_value());
    CHECK(at->epoch == k);
    tamper(*at);
    FitOptions rest = options;
    rest.resume_from = at;
    History h = fit(model, train_set(), SoftmaxCrossEntropy{}, adam, rest);
    std::filesystem::remove_all(dir);
    return {weights_of(model), std::move(h), model.steps()};
}
Run interrupted(const FitOptions& options, std::size_t k, const std::string& name) {
    return interrupted(options, k, name, [](TrainingPosition&) {});
}

void check_same_run(const Run& straight, const Run& resumed, std::size_t k) {
    CHECK(same_bits(straight.weights, resumed.weights));
    CHECK(straight.steps == resumed.steps);
    REQUIRE(resumed.history.epochs.size() == straight.history.epochs.size() - k);
    for (std::size_t i = 0; i < resumed.history.epochs.size(); ++i) {
        const EpochRecord& a = straight.history.epochs[k + i];
        const EpochRecord& b = resumed.history.epochs[i];
        CAPTURE(a.epoch);
        CHECK(b.epoch == a.epoch);
        CHECK(b.loss == a.loss);
        CHECK(b.val_loss == a.val_loss);
        CHECK(b.learning_rate == a.learning_rate);
    }
}

FitOptions warmup_cosine_options() {
    // 13 steps per epoch, 6 epochs = 78 steps: warm-up over 20, cosine over the rest.
    using Warmup = schedule::LinearWarmup<schedule::Cosine>;
    return {.epochs = 6, .batch = 16, .validation = validation_set(),
            .schedule = {Warmup{.warmup = 20, .after = {.lr = 1e-2f, .period = 58, .min_lr = 1e-4f}}, Every::step},
            .clip = ClipNorm{1.0f}, .verbosity = Verbosity::Quiet};
}

}  // namespace

TEST_CASE("a run resumed from a checkpoint ends bit-identical: Adam, per-step warm-up and cosine, one thread") {
    ThreadCount one(1);
    const FitOptions options = warmup_cosine_options();
    const Run straight = uninterrupted(options);
    REQUIRE(straight.history.epochs.size() == 6);
    // The schedule really moved the rate on both sides of the cut.
    REQUIRE(straight.history.epochs[1].learning_rate != straight.history.epochs[2].learning_rate);
    REQUIRE(straight.history.epochs[4].learning_rate != straight.history.epochs[5].learning_rate);
    for (std::size_t k : {1u, 3u}) {
        CAPTURE(k);
        check_same_run(straight, interrupted(options, k, "cosine-" + std::to_string(k)), k);
    }

    SUBCASE("the test can fail: a wrong generator state or schedule step gives another run") {
        const Run other_rng = interrupted(options, 3, "tampered-rng", [](TrainingPosition& p) { p.rng.words[0] ^= 1; });
        CHECK_FALSE(same_bits(straight.weights, other_rng.weights));
        const Run other_t = interrupted(options, 3, "tampered-t", [](TrainingPosition& p) { p.schedule_step -= 5; });
        CHECK_FALSE(same_bits(straight.weights, other_t.weights));
    }
}

TEST_CASE("a resumed run is bit-identical on two threads too, and to the one-thread run") {
    const FitOptions options = warmup_cosine_options();
    Run one_thread;
    {
        ThreadCount one(1);
        one_thread = uninterrupted(options);
    }
    ThreadCount two(2);
    const Run straight = uninterrupted(options);
    CHECK(same_bits(straight.weights, one_thread.weights));
    check_same_run(straight, interrupted(options, 2, "two-threads"), 2);
}

TEST_CASE("a resumed run keeps ReduceOnPlateau's memory and rate") {
    ThreadCount one(1);
    // A demanding threshold (40% better, or it is a bad epoch) and a patience of one:
    // the rate halves a few times in 8 epochs, and the cut after epoch 5 falls in the
    // middle of a count of bad epochs.
    const FitOptions options{
        .epochs = 8, .batch = 16, .validation = validation_set(),
        .schedule = schedule::ReduceOnPlateau{.factor = 0.5f, .patience = 1, .threshold = 0.4f},
        .verbosity = Verbosity::Quiet};
    constexpr std::size_t k = 5;
    const Run straight = uninterrupted(options);
    REQUIRE(straight.history.epochs.size() == 8);
    std::size_t changes_after_cut = 0;
    for (std::size_t e = k; e < 8; ++e)
        changes_after_cut += straight.history.epochs[e].learning_rate != straight.history.epochs[e - 1].learning_rate;
    REQUIRE(changes_after_cut > 0);  // the plateau acts after the cut, so its memory matters
    REQUIRE(straight.history.epochs[k - 1].learning_rate < 3e-3f);  // and before it: the rate to resume is not the start's
    check_same_run(straight, interrupted(options, k, "plateau", [](TrainingPosition& p) {
                       REQUIRE(p.plateau_bad_epochs > 0);  // mid-count: the scenario this test is about
                   }), k);

    SUBCASE("the test can fail: forgetting the count of bad epochs changes the run") {
        const Run forgot = interrupted(options, k, "plateau-forgot", [](TrainingPosition& p) { p.plateau_bad_epochs = 0; });
        CHECK_FALSE(same_bits(straight.weights, forgot.weights));
    }
}

TEST_CASE("resuming checks the position against the options") {
    Model<Mlp> model{Seed{1}};
    Adam adam;
    TrainingPosition never_filled;
    CHECK_THROWS_WITH_AS(fit(model, train_set(), SoftmaxCrossEntropy{}, adam,
                             {.epochs = 3, .resume_from = never_filled, .verbosity = Verbosity::Quiet}),
                         doctest::Contains("never filled in"), std::invalid_argument);
    TrainingPosition late;
    late.epoch = 5;
    late.rng = model.rng().state();
    late.learning_rate = 1e-3f;
    CHECK_THROWS_WITH_AS(fit(model, train_set(), SoftmaxCrossEntropy{}, adam,
                             {.epochs = 3, .resume_from = late, .verbosity = Verbosity::Quiet}),
                         doctest::Contains("resuming after epoch 5, but .epochs = 3 is the last epoch"),
                         std::invalid_argument);
    // Resumed exactly at the end: nothing left to do.
    late.epoch = 3;
    const History nothing = fit(model, train_set(), SoftmaxCrossEntropy{}, adam,
                                {.epochs = 3, .resume_from = late, .verbosity = Verbosity::Quiet});
    CHECK(nothing.epochs.empty());
    CHECK(!load_latest_checkpoint(scratch_dir("empty"), model, adam).has_value());
}

TEST_CASE("checkpoint_every writes the model and the training state at every N-th epoch") {
    const auto dir = scratch_dir("every-2");
    Model<Mlp> model{Seed{3}};
    Adam adam;
    struct AtEpoch4 {
        std::vector<float> weights;
        void on_epoch_end(FitState& s) {
            if (s.epoch == 4) weights.assign(s.parameters().begin(), s.parameters().end());
        }
    } snapshot;
    fit(model, train_set(), SoftmaxCrossEntropy{}, adam, {.epochs = 5, .batch = 50, .verbosity = Verbosity::Quiet},
        checkpoint_every(2, dir, model, adam), snapshot);
    std::vector<std::string> files;
    for (const auto& f : std::filesystem::directory_iterator(dir)) files.push_back(f.path().filename().string());
    std::sort(files.begin(), files.end());
    CHECK(files == std::vector<std::string>{"epoch-0002.safetensors", "epoch-0002.state.safetensors",
                                            "epoch-0004.safetensors", "epoch-0004.state.safetensors"});
    CHECK(latest_checkpoint_epoch(dir) == std::optional<std::size_t>{4});
    // Each state holds the position after its epoch: 4 steps of 50 per epoch.
    for (std::size_t epoch : {2u, 4u}) {
        Adam reader;
        const TrainingPosition p = load_training_state(checkpoint_paths(dir, epoch).state, reader, Mlp::param_count);
        CHECK(p.epoch == epoch);
        CHECK(p.step == epoch * 4);
        CHECK(reader.state.steps == epoch * 4);
    }
    // The latest model file holds epoch 4's weights, not the final ones.
    Model<Mlp> at_4{Seed{4}};
    load_model(checkpoint_paths(dir, 4).model, at_4);
    CHECK(same_bits(weights_of(at_4), snapshot.weights));
    CHECK_FALSE(same_bits(weights_of(at_4), weights_of(model)));
    std::filesystem::remove_all(dir);
}
