// Hyperparameters that make no sense (a NaN, negative or zero learning rate, a beta
// of 1, a negative momentum, eps <= 0, a negative or NaN weight decay) are refused
// where the optimizer is built, in set_learning_rate and before a step, naming the
// optimizer, the hyperparameter and the value; the weights are left as they were.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <typenet/optim/adagrad.hpp>
#include <typenet/optim/adam.hpp>
#include <typenet/optim/momentum.hpp>
#include <typenet/optim/rmsprop.hpp>
#include <typenet/optim/sgd.hpp>

using namespace tn;

namespace {
const float qnan = std::numeric_limits<float>::quiet_NaN();
const float inf = std::numeric_limits<float>::infinity();

template <class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}
}  // namespace

TEST_CASE_TEMPLATE("every optimizer refuses a NaN, infinite, negative or zero learning rate where it is built", O, SGD,
                   Momentum, Nesterov, Adagrad, RMSProp, Adam, AdamW) {
    const std::string name = O::name();
    for (const float lr : {qnan, inf, -inf, -0.01f, 0.f}) {
        typename O::Options o;
        o.lr = lr;
        const std::string m = message_of([&] { O optimizer(o); });
        CAPTURE(lr);
        CHECK(m.starts_with(name + ": the learning rate must be a finite number above 0, got "));
    }
    typename O::Options nan_rate;
    nan_rate.lr = qnan;
    CHECK(message_of([&] { O optimizer(nan_rate); }) ==
          name + ": the learning rate must be a finite number above 0, got nan");
    typename O::Options negative;
    negative.lr = -0.5f;
    CHECK(message_of([&] { O optimizer(negative); }) ==
          name + ": the learning rate must be a finite number above 0, got -0.5");
    CHECK(message_of([] { O optimizer; }) == "(accepted)");
}

TEST_CASE_TEMPLATE("set_learning_rate refuses NaN, infinity and negative rates and leaves the rate as it was", O, SGD,
                   Momentum, Nesterov, Adagrad, RMSProp, Adam, AdamW) {
    const std::string name = O::name();
    O optimizer;
    const float before = optimizer.learning_rate();
    for (const float lr : {qnan, inf, -1e-3f}) {
        CAPTURE(lr);
        CHECK(message_of([&] { optimizer.set_learning_rate(lr); })
                  .starts_with(name + ": the learning rate must be a finite number of at least 0, got "));
        CHECK(optimizer.learning_rate() == before);
    }
    // A schedule may end at 0 (schedule::Cosine's min_lr): that is a rate, not a mistake.
    optimizer.set_learning_rate(0.f);
    CHECK(optimizer.learning_rate() == 0.f);
}

TEST_CASE_TEMPLATE("a step with a rate written straight into the public options refuses it, weights untouched", O, SGD,
                   Momentum, Adagrad, RMSProp, Adam) {
    O optimizer;
    optimizer.options.lr = qnan;
    std::vector<float> p{1.f, 2.f}, g{0.5f, 0.5f};
    CHECK_THROWS_AS(optimizer.step(p, g), std::invalid_argument);
    CHECK(p == std::vector<float>{1.f, 2.f});
}

TEST_CASE("other hyperparameters that make no sense are refused, named") {
    CHECK(message_of([] { SGD{{.weight_decay = -0.1f}}; }) ==
          "SGD: weight_decay must be a finite number of at least 0, got -0.1");
    CHECK(message_of([&] { SGD{{.weight_decay = qnan}}; }) ==
          "SGD: weight_decay must be a finite number of at least 0, got nan");
    CHECK(message_of([] { Momentum{{.momentum = -0.9f}}; }) == "Momentum: momentum must be in [0, 1), got -0.9");
    CHECK(message_of([] { Nesterov{{.momentum = 1.f}}; }) == "Nesterov: momentum must be in [0, 1), got 1");
    CHECK(message_of([] { Momentum{{.weight_decay = -1.f}}; }) ==
          "Momentum: weight_decay must be a finite number of at least 0, got -1");
    CHECK(message_of([] { Adam{{.beta1 = 1.f}}; }) == "Adam: beta1 must be in [0, 1), got 1");
    CHECK(message_of([] { Adam{{.beta2 = -0.1f}}; }) == "Adam: beta2 must be in [0, 1), got -0.1");
    CHECK(message_of([&] { AdamW{{.beta2 = qnan}}; }) == "AdamW: beta2 must be in [0, 1), got nan");
    CHECK(message_of([] { Adam{{.eps = 0.f}}; }) == "Adam: eps must be a finite number above 0, got 0");
    CHECK(message_of([] { AdamW{{.weight_decay = -0.01f}}; }) ==
          "AdamW: weight_decay must be a finite number of at least 0, got -0.01");
    CHECK(message_of([] { Adagrad{{.eps = -1e-10f}}; }) == "Adagrad: eps must be a finite number above 0, got -1e-10");
    CHECK(message_of([&] { Adagrad{{.weight_decay = inf}}; }) ==
          "Adagrad: weight_decay must be a finite number of at least 0, got inf");
    CHECK(message_of([] { RMSProp{{.alpha = 1.f}}; }) == "RMSProp: alpha must be in [0, 1), got 1");
    CHECK(message_of([] { RMSProp{{.eps = 0.f}}; }) == "RMSProp: eps must be a finite number above 0, got 0");
    // The edges that do make sense are accepted.
    CHECK(message_of([] {
              Momentum{{.momentum = 0.f}};
              Adam{{.beta1 = 0.f, .beta2 = 0.f}};
              RMSProp{{.alpha = 0.f}};
              SGD{{.lr = 1e-30f, .weight_decay = 0.f}};
          }) == "(accepted)");
}
