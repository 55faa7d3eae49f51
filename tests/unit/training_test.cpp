// Training as a whole: one seed gives bit-identical weights on one thread (design
// decision 9); a NaN or infinity stops training naming the step and the layer; bad
// data sets stop fit() with a message that says what is wrong.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <typenet/kernels/parallel.hpp>
#include <typenet/optim/clip.hpp>
#include <typenet/typenet.hpp>

using namespace tn;

namespace {

// Pins the kernels to n threads for one test and restores the previous count.
struct ThreadCount {
    int previous = threads();
    explicit ThreadCount(int n) { set_threads(n); }
    ~ThreadCount() { set_threads(previous); }
};

// A three-class problem: the class is the sign pattern of two input features.
Dataset make_classes(std::size_t samples, std::uint64_t seed) {
    Dataset d("signs", 12, 1);
    Rng rng{Seed{seed}};
    std::vector<float> x(12);
    for (std::size_t i = 0; i < samples; ++i) {
        for (float& v : x) v = rng.uniform(-1.f, 1.f);
        const float label = x[0] > 0 ? (x[1] > 0 ? 2.f : 1.f) : 0.f;
        d.add(x, std::vector<float>{label});
    }
    return d;
}

using Net = Sequential<Input<12>, Dense<32>, ReLU, Residual<Dense<32>, Tanh>, Dense<16>, GELU, Dense<3>>;

template <class N>
std::vector<float> weights_of_any(Model<N>& m) { return {m.parameters().begin(), m.parameters().end()}; }
std::vector<float> weights_of(Model<Net>& m) { return weights_of_any(m); }

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// N steps of train_step on fixed batches, as a lesson's hand-written loop does.
std::vector<float> train_steps(std::uint64_t seed, const Dataset& data, std::size_t steps) {
    Model<Net> model{Seed{seed}};
    SGD sgd{{.lr = 0.1f}};
    constexpr std::size_t batch = 16;
    std::vector<std::size_t> idx(batch);
    std::vector<float> targets(batch);
    for (std::size_t s = 0; s < steps; ++s) {
        for (std::size_t b = 0; b < batch; ++b) idx[b] = (s * batch + b) % data.size();
        data.gather(idx, model.input(batch), targets.data());
        model.train_step(batch, targets.data(), SoftmaxCrossEntropy{}, sgd);
    }
    return weights_of(model);
}

}  // namespace

TEST_CASE("the same seed gives bit-identical weights after N single-thread steps") {
    ThreadCount one(1);
    const Dataset data = make_classes(200, 1);
    const std::vector<float> a = train_steps(42, data, 30);
    const std::vector<float> b = train_steps(42, data, 30);
    const std::vector<float> c = train_steps(43, data, 30);
    CHECK(same_bits(a, b));
    CHECK_FALSE(same_bits(a, c));
    // Training moved the weights: equality above is not of two untouched inits.
    Model<Net> untrained{Seed{42}};
    CHECK_FALSE(same_bits(a, weights_of(untrained)));
}

TEST_CASE("fit with shuffling and validation is bit-reproducible from the seed on one thread") {
    ThreadCount one(1);
    const Dataset train = make_classes(300, 2), validation = make_classes(100, 3);
    auto run = [&](std::uint64_t seed) {
        Model<Net> model{Seed{seed}};
        History h = fit(model, train, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}},
                        {.epochs = 3, .batch = 32, .validation = validation, .verbosity = Verbosity::Quiet});
        return std::pair{weights_of(model), h};
    };
    const auto [w1, h1] = run(7);
    const auto [w2, h2] = run(7);
    const auto [w3, h3] = run(8);
    CHECK(same_bits(w1, w2));
    CHECK_FALSE(same_bits(w1, w3));
    REQUIRE(h1.epochs.size() == 3);
    REQUIRE(h2.epochs.size() == 3);
    for (std::size_t e = 0; e < 3; ++e) {
        CHECK(h1.epochs[e].loss == h2.epochs[e].loss);
        CHECK(h1.epochs[e].val_loss == h2.epochs[e].val_loss);
        CHECK(h1.epochs[e].accuracy == h2.epochs[e].accuracy);
    }
    // It learned something, so the comparison is of a real run.
    CHECK(h1.epochs[2].loss < h1.epochs[0].loss);
}

TEST_CASE("a NaN in the input batch stops training at that step, blaming the data") {
    Model<Net> model{Seed{1}};
    SGD sgd{{.lr = 0.1f}};
    std::vector<float> targets(4, 1.f);
    for (int step = 0; step < 3; ++step) {  // three good steps first
        float* x = model.input(4);
        for (std::size_t i = 0; i < 48; ++i) x[i] = 0.1f * float(i % 7);
        model.train_step(4, targets.data(), SoftmaxCrossEntropy{}, sgd);
    }
    model.input(4)[17] = std::numeric_limits<float>::quiet_NaN();
    try {
        model.train_step(4, targets.data(), SoftmaxCrossEntropy{}, sgd);
        FAIL("train_step accepted a NaN input");
    } catch (const NumericError& e) {
        const std::string msg = e.what();
        INFO(msg);
        CHECK(msg.find("step 4") != std::string::npos);
        CHECK(msg.find("input batch") != std::string::npos);
    }
}

TEST_CASE("a parameter that turned non-finite is named with its layer") {
    using Small = Sequential<Input<4>, Dense<6>, Tanh, Dense<5>, Sigmoid, Dense<2>>;
    Model<Small> model{Seed{1}};
    SGD sgd{{.lr = 0.1f}};
    float targets[4] = {0.f, 1.f, 1.f, 0.f};  // [batch 2, 2 outputs]
    // Dense<5> is fused with the Sigmoid after it (one GEMM writes only the
    // Sigmoid's output), yet the NaN is blamed on the Dense and its weight.
    model.parameter("2.weight").values[3] = std::numeric_limits<float>::quiet_NaN();
    float* x = model.input(2);
    for (std::size_t i = 0; i < 8; ++i) x[i] = 0.25f * float(i) - 1.f;
    try {
        model.train_step(2, targets, MSE{}, sgd);
        FAIL("train_step went on with a NaN weight");
    } catch (const NumericError& e) {
        const std::string msg = e.what();
        INFO(msg);
        CHECK(msg.find("step 1") != std::string::npos);
        CHECK(msg.find("layer 2 (Dense<5>)") != std::string::npos);
        CHECK(msg.find("2.weight") != std::string::npos);
    }
}

TEST_CASE("a diverging learning rate stops training with the step and the layer") {
    using Regression = Sequential<Input<3>, Dense<8>, Tanh, Dense<1>>;
    Model<Regression> model{Seed{3}};
    SGD sgd{{.lr = 1e6f}};
    Rng rng{Seed{4}};
    std::vector<float> targets(8);
    std::string msg;
    std::uint64_t failed_at = 0;
    for (int step = 0; step < 100 && msg.empty(); ++step) {
        float* x = model.input(8);
        for (std::size_t i = 0; i < 24; ++i) x[i] = rng.uniform(-1.f, 1.f);
        for (float& t : targets) t = rng.uniform(-50.f, 50.f);
        try {
            model.train_step(8, targets.data(), MSE{}, sgd);
        } catch (const NumericError& e) {
            msg = e.what();
            failed_at = model.steps() + 1;
        }
    }
    INFO(msg);
    REQUIRE_FALSE(msg.empty());
    CHECK(failed_at > 1);  // the first steps were finite: it diverged
    CHECK(msg.find("step " + std::to_string(failed_at)) != std::string::npos);
    CHECK(msg.find("is in layer ") != std::string::npos);
    CHECK(msg.find("diverged, lower the learning rate") != std::string::npos);
}

TEST_CASE("fit rejects data sets that do not fit the model, saying why") {
    using Classifier = Sequential<Input<4>, Dense<8>, ReLU, Dense<3>>;
    Model<Classifier> model{Seed{1}};
    auto message_of = [&](const Dataset& train, const FitOptions& options = {.verbosity = Verbosity::Quiet}) {
        try {
            fit(model, train, SoftmaxCrossEntropy{}, SGD{}, options);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    Dataset good("good", 4, 1);
    good.add({0.f, 1.f, 2.f, 3.f}, {2.f});

    SUBCASE("input width") {
        Dataset wide("wide", 5, 1);
        wide.add({0.f, 1.f, 2.f, 3.f, 4.f}, {0.f});
        const std::string msg = message_of(wide);
        INFO(msg);
        CHECK(msg.find("training set 'wide' has 5 input values per sample") != std::string::npos);
        CHECK(msg.find("Input takes 4 [4]") != std::string::npos);
    }
    SUBCASE("target width") {
        Dataset onehot("onehot", 4, 3);
        onehot.add({0.f, 1.f, 2.f, 3.f}, {0.f, 1.f, 0.f});
        const std::string msg = message_of(onehot);
        INFO(msg);
        CHECK(msg.find("'onehot' has 3 target values per sample") != std::string::npos);
        CHECK(msg.find("SoftmaxCrossEntropy on output [3] reads 1") != std::string::npos);
    }
    SUBCASE("a label out of range names the sample and the classes") {
        Dataset labels("labels", 4, 1);
        labels.add({0.f, 0.f, 0.f, 0.f}, {1.f});
        labels.add({0.f, 0.f, 0.f, 0.f}, {3.f});
        const std::string msg = message_of(labels);
        INFO(msg);
        CHECK(msg.find("training set 'labels'") != std::string::npos);
        CHECK(msg.find("label of sample 1 is 3") != std::string::npos);
        CHECK(msg.find("3 classes (labels 0 to 2)") != std::string::npos);
    }
    SUBCASE("a label that is not a whole number") {
        Dataset labels("halves", 4, 1);
        labels.add({0.f, 0.f, 0.f, 0.f}, {1.5f});
        const std::string msg = message_of(labels);
        INFO(msg);
        CHECK(msg.find("label of sample 0 is 1.5") != std::string::npos);
    }
    SUBCASE("the validation set is checked too, before training starts") {
        Dataset narrow("narrow", 3, 1);
        narrow.add({0.f, 1.f, 2.f}, {0.f});
        const std::string msg = message_of(good, {.validation = narrow, .verbosity = Verbosity::Quiet});
        INFO(msg);
        CHECK(msg.find("validation set 'narrow' has 3 input values") != std::string::npos);
        CHECK(model.steps() == 0);
    }
    SUBCASE("an empty data set and a zero batch") {
        CHECK(message_of(Dataset("nothing", 4, 1)).find("'nothing' is empty") != std::string::npos);
        CHECK(message_of(good, {.batch = 0, .verbosity = Verbosity::Quiet}).find("batch must be at least 1") !=
              std::string::npos);
    }
}

TEST_CASE("binary losses reject targets that are not 0/1 or probabilities") {
    using Binary = Sequential<Input<2>, Dense<1>>;
    Model<Binary> model{Seed{1}};
    Dataset d("binary", 2, 1);
    d.add({0.f, 1.f}, {1.f});
    d.add({1.f, 0.f}, {0.5f});
    CHECK_THROWS_WITH_AS(fit(model, d, Hinge{}, SGD{}, {.verbosity = Verbosity::Quiet}),
                         doctest::Contains("Hinge: target of sample 1 is 0.5, expected 0 or 1"), TargetError);
    d.add({1.f, 1.f}, {2.f});
    CHECK_THROWS_WITH_AS(fit(model, d, BinaryCrossEntropyWithLogits{}, SGD{}, {.verbosity = Verbosity::Quiet}),
                         doctest::Contains("target of sample 2 is 2, expected a probability in [0, 1]"),
                         TargetError);
}

TEST_CASE("train_step's gradient transform runs between backward and the update") {
    using Small = Sequential<Input<3>, Dense<4>, Tanh, Dense<2>>;
    Model<Small> model{Seed{5}};
    SGD sgd{{.lr = 0.5f}};
    float targets[2] = {0.f, 1.f};
    auto fill = [&] {
        float* x = model.input(2);
        for (std::size_t i = 0; i < 6; ++i) x[i] = 0.3f * float(i) - 0.7f;
    };
    // The transform sees the gradients backward wrote: the whole arena, not all zero.
    const std::vector<float> before = weights_of_any(model);
    std::size_t seen = 0;
    double norm = 0;
    fill();
    model.train_step(2, targets, SoftmaxCrossEntropy{}, sgd, [&](std::span<float> g) {
        seen = g.size();
        norm = global_norm(g);
        std::fill(g.begin(), g.end(), 0.f);  // and what it leaves is what the optimizer applies
    });
    CHECK(seen == Small::param_count);
    CHECK(norm > 0);
    CHECK(weights_of_any(model) == before);
    CHECK(model.steps() == 1);
    // Without the transform the same step moves the weights.
    fill();
    model.train_step(2, targets, SoftmaxCrossEntropy{}, sgd);
    CHECK(weights_of_any(model) != before);
}
