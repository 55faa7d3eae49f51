#include <doctest/doctest.h>

#include <cmath>
#include <typenet/optim/clip.hpp>
#include <typenet/optim/schedule.hpp>
#include <vector>

using namespace tn;

TEST_CASE("step, exponential and cosine schedules") {
    schedule::StepDecay step{.lr = 1.f, .every = 3, .gamma = 0.5f};
    CHECK(step(0) == 1.f);
    CHECK(step(2) == 1.f);
    CHECK(step(3) == 0.5f);
    CHECK(step(7) == 0.25f);
    schedule::Exponential ex{.lr = 2.f, .gamma = 0.5f};
    CHECK(ex(3) == doctest::Approx(0.25f));
    schedule::Cosine cos{.lr = 1.f, .period = 10, .min_lr = 0.1f};
    CHECK(cos(0) == doctest::Approx(1.f));
    CHECK(cos(5) == doctest::Approx(0.55f));
    CHECK(cos(10) == doctest::Approx(0.1f));
    CHECK(cos(50) == doctest::Approx(0.1f));
}

TEST_CASE("linear warm-up ramps to the inner schedule, then follows it") {
    schedule::LinearWarmup<schedule::Exponential> w{.warmup = 4, .after = {.lr = 1.f, .gamma = 0.5f}};
    CHECK(w(0) == doctest::Approx(0.25f));
    CHECK(w(3) == doctest::Approx(1.f));
    CHECK(w(4) == doctest::Approx(1.f));
    CHECK(w(5) == doctest::Approx(0.5f));
}

TEST_CASE("reduce on plateau waits `patience` epochs without improvement") {
    schedule::ReduceOnPlateau r{.factor = 0.1f, .patience = 2, .min_lr = 0.005f};
    float lr = 1.f;
    lr = r.update(1.0f, lr);  // improvement
    lr = r.update(1.0f, lr);  // 1 bad
    lr = r.update(1.0f, lr);  // 2 bad
    CHECK(lr == 1.f);
    lr = r.update(1.0f, lr);  // 3 bad > patience
    CHECK(lr == doctest::Approx(0.1f));
    lr = r.update(0.5f, lr);  // improvement resets
    for (int i = 0; i < 6; ++i) lr = r.update(0.5f, lr);
    CHECK(lr == doctest::Approx(0.005f));  // floored at min_lr
}

TEST_CASE("clipping by global norm keeps the direction, by value clamps each element") {
    std::vector<float> g{3.f, 4.f, 0.f};
    CHECK(clip_by_global_norm(g, 1.f) == doctest::Approx(5.0));
    CHECK(g[0] == doctest::Approx(0.6f));
    CHECK(g[1] == doctest::Approx(0.8f));
    CHECK(global_norm(g) == doctest::Approx(1.0));
    std::vector<float> small{0.3f, 0.4f};
    clip_by_global_norm(small, 1.f);
    CHECK(small[0] == 0.3f);  // under the limit: untouched
    std::vector<float> v{-5.f, 0.5f, 2.f, -0.1f, 9.f, 1.f, 1.f, 1.f, 1.f, -7.f};
    clip_by_value(v, 1.f);
    CHECK(v[0] == -1.f);
    CHECK(v[1] == 0.5f);
    CHECK(v[4] == 1.f);
    CHECK(v[9] == -1.f);
}
