// The generated tasks: shapes, seeds, and that every target is what the task says.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include <typenet/data/sequence_tasks.hpp>

using namespace tn;
using namespace tn::data;

TEST_CASE("adding_problem: two markers, one per half; the target is the sum of the marked values") {
    const std::size_t T = 20;
    const Dataset d = adding_problem({.samples = 200, .T = T, .seed = Seed{5}});
    REQUIRE(d.size() == 200);
    CHECK(d.input_width == 2 * T);
    CHECK(d.target_width == 1);
    double mse_of_one = 0;
    for (std::size_t s = 0; s < d.size(); ++s) {
        const float* x = d.inputs.data() + s * 2 * T;
        std::vector<std::size_t> marked;
        float sum = 0;
        for (std::size_t t = 0; t < T; ++t) {
            CHECK(x[2 * t] >= 0.f);
            CHECK(x[2 * t] < 1.f);
            CHECK((x[2 * t + 1] == 0.f || x[2 * t + 1] == 1.f));
            if (x[2 * t + 1] == 1.f) marked.push_back(t), sum += x[2 * t];
        }
        REQUIRE(marked.size() == 2);
        CHECK(marked[0] < T / 2);
        CHECK(marked[1] >= T / 2);
        CHECK(d.targets[s] == sum);
        mse_of_one += (d.targets[s] - 1.0) * (d.targets[s] - 1.0);
    }
    // The baseline a model must beat: the variance of a sum of two U(0,1), 1/6.
    CHECK(mse_of_one / double(d.size()) == doctest::Approx(1.0 / 6).epsilon(0.2));
    const Dataset again = adding_problem({.samples = 200, .T = T, .seed = Seed{5}});
    CHECK(again.inputs == d.inputs);
    CHECK(adding_problem({.samples = 200, .T = T, .seed = Seed{6}}).inputs != d.inputs);
    CHECK_THROWS_AS(adding_problem({.samples = 1, .T = 1}), std::invalid_argument);
}

TEST_CASE("copy_task: symbols, delay, delimiter, blanks; targets the symbols after the delimiter, -1 before") {
    const CopyOptions o{.samples = 50, .length = 5, .symbols = 4, .delay = 3, .seed = Seed{2}};
    constexpr std::size_t T = copy_task_length(5, 3);
    static_assert(T == 14);
    static_assert(copy_task_vocabulary(4) == 6);
    const Dataset d = copy_task(o);
    REQUIRE(d.size() == 50);
    CHECK(d.input_width == T);
    CHECK(d.target_width == T);
    CHECK(d.has_tokens());
    for (std::size_t s = 0; s < d.size(); ++s) {
        const std::int32_t* x = d.tokens.data() + s * T;
        const float* t = d.targets.data() + s * T;
        for (std::size_t k = 0; k < 5; ++k) {
            CHECK(x[k] >= 1);
            CHECK(x[k] <= 4);
        }
        for (std::size_t k = 5; k < 8; ++k) CHECK(x[k] == 0);  // the delay
        CHECK(x[8] == 5);                                       // the delimiter
        for (std::size_t k = 9; k < T; ++k) CHECK(x[k] == 0);
        for (std::size_t k = 0; k < 9; ++k) CHECK(t[k] == -1.f);
        for (std::size_t k = 0; k < 5; ++k) CHECK(t[9 + k] == float(x[k]));
    }
    CHECK(copy_task(o).tokens == d.tokens);
    CHECK_THROWS_AS(copy_task({.length = 0}), std::invalid_argument);
}

TEST_CASE("parity: the target is the bits' sum mod 2; lengths vary when asked; the running form per prefix") {
    const Dataset d = parity({.samples = 100, .T = 9, .seed = Seed{1}});
    CHECK(d.input_width == 9);
    CHECK(d.target_width == 1);
    CHECK(d.lengths.empty());
    std::size_t odd = 0;
    for (std::size_t s = 0; s < d.size(); ++s) {
        int sum = 0;
        for (std::size_t k = 0; k < 9; ++k) {
            const float b = d.inputs[s * 9 + k];
            CHECK((b == 0.f || b == 1.f));
            sum += int(b);
        }
        CHECK(d.targets[s] == float(sum % 2));
        odd += sum % 2;
    }
    CHECK(odd > 30);  // both classes appear (about half each)
    CHECK(odd < 70);

    const Dataset v = parity({.samples = 100, .T = 10, .min_length = 3, .running = true, .seed = Seed{2}});
    REQUIRE(v.lengths.size() == 100);
    CHECK(v.target_width == 10);
    std::set<std::uint32_t> lengths(v.lengths.begin(), v.lengths.end());
    CHECK(*lengths.begin() >= 3);
    CHECK(*lengths.rbegin() <= 10);
    CHECK(lengths.size() > 4);
    for (std::size_t s = 0; s < v.size(); ++s) {
        int running = 0;
        for (std::size_t k = 0; k < 10; ++k) {
            if (k < v.lengths[s]) {
                running ^= int(v.inputs[s * 10 + k]);
                CHECK(v.targets[s * 10 + k] == float(running));
            } else {
                CHECK(v.inputs[s * 10 + k] == 0.f);      // padding
                CHECK(v.targets[s * 10 + k] == -1.f);    // ignored
            }
        }
    }
    CHECK_THROWS_AS(parity({.T = 4, .min_length = 5}), std::invalid_argument);
}
