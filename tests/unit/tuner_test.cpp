// Hyperparameter tuning (tune/): the search space's sampling and grid, Hyperband's
// brackets and promotion, the architecture dimension of Candidates<...>,
// reproducibility, the leaderboard, and the errors. The objectives here are cheap
// deterministic functions of the values: the tuner only hands values to the
// objective and ranks what comes back, so no test needs to train a network.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <typenet/core/numeric_error.hpp>
#include <typenet/tune/tuner.hpp>

namespace tune = tn::tune;

namespace {

// Stand-ins for network types: the tuner never looks inside them.
template <int I>
struct Arch {
    static constexpr int index = I;
};
using ThreeArchs = tune::Candidates<Arch<0>, Arch<1>, Arch<2>>;

tune::TunerOptions quiet(std::uint64_t seed = 1) { return {.seed = tn::Seed{seed}, .verbose = false}; }

// A smooth score with its best at lr = 1e-2 and batch = 64, better with more epochs.
double bowl(const tune::Trial& t, std::size_t epochs) {
    const double lr = t.get<double>("lr");
    const double batch = t.get<double>("batch");
    return -std::pow(std::log10(lr) + 2, 2) - std::pow(std::log2(batch) - 6, 2) / 10 + 0.01 * double(epochs);
}

tune::Space lr_batch_space() {
    tune::Space s;
    s.log_uniform("lr", 1e-4, 1e-1).choice("batch", {16, 32, 64, 128, 256});
    return s;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

}  // namespace

// --- The search space --------------------------------------------------------------

TEST_CASE("tuner: every dimension samples inside its range, and choices all come up") {
    tune::Space s;
    s.uniform("dropout", 0.1, 0.5).log_uniform("lr", 1e-4, 1e-1).integer("units", 32, 256, 32).choice("batch", {32, 64, 128})
        .choice("optimizer", {"adam", "sgd"});
    tn::Rng rng(tn::Seed{5});
    std::set<double> units, batches;
    std::set<std::string> optimizers;
    for (int i = 0; i < 2000; ++i) {
        const auto v = s.sample(rng);
        REQUIRE(v.size() == 5);
        const double dropout = std::get<double>(v[0]), lr = std::get<double>(v[1]);
        CHECK((dropout >= 0.1 && dropout < 0.5));
        CHECK((lr >= 1e-4 && lr <= 1e-1));
        units.insert(std::get<double>(v[2]));
        batches.insert(std::get<double>(v[3]));
        optimizers.insert(std::get<std::string>(v[4]));
    }
    CHECK(units == std::set<double>{32, 64, 96, 128, 160, 192, 224, 256});
    CHECK(batches == std::set<double>{32, 64, 128});
    CHECK(optimizers == std::set<std::string>{"adam", "sgd"});
}

TEST_CASE("tuner: log-uniform puts as many draws in each decade, uniform does not") {
    tune::Space s;
    s.log_uniform("lr", 1e-4, 1e-1).uniform("linear", 1e-4, 1e-1);
    tn::Rng rng(tn::Seed{9});
    const int n = 30000;
    int log_decade[3] = {0, 0, 0}, linear_top = 0;
    std::vector<double> draws;
    for (int i = 0; i < n; ++i) {
        const auto v = s.sample(rng);
        const double lr = std::get<double>(v[0]);
        draws.push_back(lr);
        ++log_decade[std::min(2, int(std::floor(std::log10(lr) + 4)))];
        linear_top += std::get<double>(v[1]) >= 1e-2;
    }
    // Each decade holds a third of the draws (3 standard deviations of a binomial: 0.008).
    for (int d = 0; d < 3; ++d) CHECK(double(log_decade[d]) / n == doctest::Approx(1.0 / 3).epsilon(0.03));
    // The median is the geometric middle of the range, 10^-2.5.
    std::nth_element(draws.begin(), draws.begin() + n / 2, draws.end());
    CHECK(std::log10(draws[n / 2]) == doctest::Approx(-2.5).epsilon(0.01));
    // A plain uniform range puts 90% of its draws in the top decade.
    CHECK(double(linear_top) / n == doctest::Approx(0.9).epsilon(0.02));
}

TEST_CASE("tuner: a trial reads its values back by name and type") {
    tune::Space s;
    s.log_uniform("lr", 1e-4, 1e-1).choice("batch", {32, 64}).choice("optimizer", {"adam", "sgd"});
    tune::Tuner<> tuner{s, tune::RandomSearch{.trials = 4}, quiet()};
    tuner.search([](tune::Trial& t, tune::Budget) {
        const float lr = t.get<float>("lr");
        CHECK((lr >= 1e-4f && lr <= 1e-1f));
        const std::size_t batch = t.get<std::size_t>("batch");
        CHECK((batch == 32 || batch == 64));
        const std::string opt = t.get<std::string>("optimizer");
        CHECK((opt == "adam" || opt == "sgd"));
        CHECK(t.describe().find("batch=" + std::to_string(batch)) != std::string::npos);
        return double(lr);
    });
    CHECK(tuner.study().trials().size() == 4);
}

// --- Errors ----------------------------------------------------------------------------

TEST_CASE("tuner: bad declarations are refused with the name and the reason") {
    tune::Space s;
    CHECK_THROWS_WITH_AS(s.uniform("dropout", 0.5, 0.1), doctest::Contains("'dropout': lo (0.5) must be below hi (0.1)"),
                         tune::SpaceError);
    CHECK_THROWS_WITH_AS(s.uniform("x", 1, 1), doctest::Contains("must be below"), tune::SpaceError);
    CHECK_THROWS_WITH_AS(s.log_uniform("lr", 0, 0.1), doctest::Contains("'lr': the range must be positive"),
                         tune::SpaceError);
    CHECK_THROWS_WITH_AS(s.uniform("x", 0, INFINITY), doctest::Contains("must be finite"), tune::SpaceError);
    CHECK_THROWS_WITH_AS(s.integer("units", 8, 64, 0), doctest::Contains("'units': the step must be positive"),
                         tune::SpaceError);
    CHECK_THROWS_WITH_AS(s.choice("batch", std::vector<tune::Value>{}), doctest::Contains("'batch': the list of choices is empty"),
                         tune::SpaceError);
    CHECK_THROWS_WITH_AS(s.choice("batch", {32, 64, 32}), doctest::Contains("choice 3 repeats choice 1"), tune::SpaceError);
    s.uniform("dropout", 0, 0.5);
    CHECK_THROWS_WITH_AS(s.choice("dropout", {0.1, 0.2}), doctest::Contains("'dropout' is declared twice"),
                         tune::SpaceError);
    CHECK_THROWS_AS(s.uniform("", 0, 1), tune::SpaceError);
    CHECK(s.size() == 1);  // nothing refused was added
}

TEST_CASE("tuner: an empty space is an error unless there are architectures to choose from") {
    CHECK_THROWS_WITH_AS((tune::Tuner<>{tune::Space{}, tune::RandomSearch{}, quiet()}),
                         doctest::Contains("the search space is empty"), tune::SpaceError);
    CHECK_THROWS_AS((tune::Tuner<tune::Candidates<Arch<0>>>{tune::Space{}, tune::RandomSearch{}, quiet()}),
                    tune::SpaceError);
    // Three architectures and nothing else: the architecture is the whole search.
    tune::Tuner<ThreeArchs> tuner{tune::Space{}, tune::GridSearch{}, quiet()};
    const auto board = tuner.search([]<class Net>(tune::Trial&, tune::Budget) { return double(Net::index); });
    CHECK(board.size() == 3);
    CHECK(board.best().trial == 3);
}

TEST_CASE("tuner: unknown names, wrong types and misuse are errors that say what went wrong") {
    tune::Tuner<> tuner{lr_batch_space(), tune::RandomSearch{.trials = 1}, quiet()};
    tuner.search([](tune::Trial& t, tune::Budget) {
        CHECK_THROWS_WITH_AS(t.get<float>("learning_rate"),
                             doctest::Contains("no hyperparameter named 'learning_rate' in the search space (it has: lr, batch)"),
                             tune::SpaceError);
        CHECK_THROWS_WITH_AS(t.get<int>("lr"), doctest::Contains("'lr' is 0."), tune::SpaceError);
        CHECK_THROWS_WITH_AS(t.get<std::string>("batch"), doctest::Contains("'batch' is the number"), tune::SpaceError);
        return 0.0;
    });
    CHECK_THROWS_AS(tuner.search([](tune::Trial&, tune::Budget) { return 0.0; }), std::logic_error);
    CHECK_THROWS_WITH_AS((tune::Tuner<ThreeArchs>{lr_batch_space(), tune::RandomSearch{},
                                                  {.architecture_names = {"a", "b"}, .verbose = false}}),
                         doctest::Contains("2 architecture names for 3 candidates"), std::invalid_argument);
    CHECK_THROWS_AS(tune::hyperband_brackets(27, 1), std::invalid_argument);
    tune::Tuner<> never_searched{lr_batch_space(), tune::RandomSearch{}, quiet()};
    CHECK_THROWS_WITH_AS(never_searched.best_trial(), doctest::Contains("has not run"), std::runtime_error);
}

// --- Grid search -----------------------------------------------------------------------

TEST_CASE("tuner: the grid is every combination, in nested-loop order, architecture outermost") {
    tune::Space s;
    s.choice("a", {1, 2}).uniform("b", 0, 1).log_uniform("c", 1e-4, 1e-1);
    const auto grid = tune::grid_configurations(s, 2, 3);
    REQUIRE(grid.size() == 2 * 2 * 3 * 3);
    // Visiting order: the last dimension changes fastest.
    const auto at = [&](std::size_t i, std::size_t d) { return std::get<double>(grid[i].values[d]); };
    CHECK(grid[0].architecture == 0);
    CHECK((at(0, 0) == 1 && at(0, 1) == 0 && at(0, 2) == doctest::Approx(1e-4)));
    CHECK((at(1, 0) == 1 && at(1, 1) == 0 && at(1, 2) == doctest::Approx(std::pow(10.0, -2.5))));
    CHECK((at(3, 0) == 1 && at(3, 1) == 0.5 && at(3, 2) == doctest::Approx(1e-4)));
    CHECK((at(9, 0) == 2 && at(9, 1) == 0));
    CHECK(grid[18].architecture == 1);
    CHECK((at(35, 0) == 2 && at(35, 1) == 1 && at(35, 2) == 1e-1));
    // Complete: all distinct, so 36 distinct points of a 36-point grid.
    std::set<std::vector<double>> seen;
    for (const auto& c : grid) seen.insert({double(c.architecture), at(&c - grid.data(), 0), at(&c - grid.data(), 1),
                                            at(&c - grid.data(), 2)});
    CHECK(seen.size() == grid.size());
}

TEST_CASE("tuner: grid values of each kind of dimension") {
    tune::Space s;
    s.log_uniform("lr", 1e-4, 1e-1).integer("units", 16, 64, 16).uniform("p", 0, 0.5);
    const auto lr = s[0].grid(4);
    REQUIRE(lr.size() == 4);
    for (int i = 0; i < 4; ++i) CHECK(std::get<double>(lr[std::size_t(i)]) == doctest::Approx(std::pow(10.0, i - 4)));
    const auto units = s[1].grid(3);  // an integer range: every value, whatever the points
    REQUIRE(units.size() == 4);
    CHECK(std::get<double>(units[3]) == 64);
    const auto p = s[2].grid(1);  // one point: the middle
    REQUIRE(p.size() == 1);
    CHECK(std::get<double>(p[0]) == 0.25);
}

TEST_CASE("tuner: grid search runs the whole grid once, or its first max_trials") {
    tune::Space s;
    s.choice("batch", {32, 64}).uniform("p", 0, 0.5);
    std::vector<std::pair<std::size_t, std::string>> visited;
    tune::Tuner<ThreeArchs> tuner{s, tune::GridSearch{.points_per_range = 2, .epochs = 3}, quiet()};
    tuner.search([&]<class Net>(tune::Trial& t, tune::Budget b) {
        CHECK(b.epochs == 3);
        visited.emplace_back(std::size_t(Net::index), t.describe());
        return 0.0;
    });
    REQUIRE(visited.size() == 3 * 2 * 2);
    CHECK(std::set<std::pair<std::size_t, std::string>>(visited.begin(), visited.end()).size() == visited.size());
    CHECK(visited[0] == std::pair<std::size_t, std::string>{0, "batch=32 p=0"});
    CHECK(visited[11] == std::pair<std::size_t, std::string>{2, "batch=64 p=0.5"});

    tune::Tuner<ThreeArchs> capped{s, tune::GridSearch{.points_per_range = 2, .max_trials = 5}, quiet()};
    CHECK(capped.search([]<class Net>(tune::Trial&, tune::Budget) { return 1.0; }).size() == 5);
}

// --- Candidates ---------------------------------------------------------------------------

TEST_CASE("tuner: the architecture is one more searched dimension, covering every candidate") {
    std::map<std::size_t, int> count;
    tune::Tuner<ThreeArchs> tuner{lr_batch_space(), tune::RandomSearch{.trials = 60},
                                  {.seed = tn::Seed{3}, .architecture_names = {"small", "wide", "deep"}, .verbose = false}};
    const auto board = tuner.search([&]<class Net>(tune::Trial& t, tune::Budget) {
        // The type the objective is instantiated with is the trial's architecture.
        CHECK(std::size_t(Net::index) == t.architecture());
        CHECK(t.architecture_name() == std::vector<std::string>{"small", "wide", "deep"}[t.architecture()]);
        ++count[t.architecture()];
        return double(Net::index) + bowl(t, 1);
    });
    REQUIRE(count.size() == 3);
    for (const auto& entry : count) CHECK(entry.second >= 10);  // 60 draws of 3: each well represented
    CHECK(board[0].architecture == "deep");
    CHECK(board.table().find("architecture") != std::string::npos);
    CHECK(tune::Candidates<Arch<0>, Arch<1>>::names() == std::vector<std::string>{"candidate 1", "candidate 2"});
}

// --- Hyperband ----------------------------------------------------------------------------

TEST_CASE("tuner: Hyperband's brackets for R = 81, eta = 3 are the paper's Table 1") {
    // Li et al. 2017, Table 1: n_i configurations at r_i epochs, for each bracket s.
    const std::vector<std::vector<std::pair<std::size_t, std::size_t>>> table = {
        {{81, 1}, {27, 3}, {9, 9}, {3, 27}, {1, 81}},
        {{34, 3}, {11, 9}, {3, 27}, {1, 81}},
        {{15, 9}, {5, 27}, {1, 81}},
        {{8, 27}, {2, 81}},
        {{5, 81}},
    };
    const auto brackets = tune::hyperband_brackets(81, 3);
    REQUIRE(brackets.size() == table.size());
    for (std::size_t b = 0; b < table.size(); ++b) {
        CHECK(brackets[b].s == 4 - b);
        REQUIRE(brackets[b].rungs.size() == table[b].size());
        for (std::size_t i = 0; i < table[b].size(); ++i) {
            CHECK(brackets[b].rungs[i].configs == table[b][i].first);
            CHECK(brackets[b].rungs[i].epochs == table[b][i].second);
        }
    }
}

TEST_CASE("tuner: Hyperband's brackets for R = 27, eta = 3") {
    // s_max = 3, B = 4 R = 108; n = ceil(4 * 3^s / (s + 1)), r = 27 / 3^s, by hand:
    // s = 3: n = 27, r = 1;  s = 2: n = ceil(36 / 3) = 12, r = 3;
    // s = 1: n = ceil(12 / 2) = 6, r = 9;  s = 0: n = 4, r = 27.
    const std::vector<std::vector<std::pair<std::size_t, std::size_t>>> table = {
        {{27, 1}, {9, 3}, {3, 9}, {1, 27}},
        {{12, 3}, {4, 9}, {1, 27}},
        {{6, 9}, {2, 27}},
        {{4, 27}},
    };
    const auto brackets = tune::hyperband_brackets(27, 3);
    REQUIRE(brackets.size() == table.size());
    for (std::size_t b = 0; b < table.size(); ++b)
        for (std::size_t i = 0; i < table[b].size(); ++i) {
            CHECK(brackets[b].rungs.at(i).configs == table[b][i].first);
            CHECK(brackets[b].rungs.at(i).epochs == table[b][i].second);
        }
    // For any R and eta: each rung keeps floor(1/eta) of the one before, trains eta
    // times longer (up to rounding when R is not a power of eta), and ends at R.
    for (std::size_t eta = 2; eta <= 4; ++eta)
        for (std::size_t R = 1; R <= 100; ++R)
            for (const auto& b : tune::hyperband_brackets(R, eta)) {
                CHECK(b.rungs.back().epochs == R);
                for (std::size_t i = 0; i + 1 < b.rungs.size(); ++i) {
                    CHECK(b.rungs[i + 1].configs == b.rungs[i].configs / eta);
                    CHECK(b.rungs[i + 1].epochs >= b.rungs[i].epochs);
                }
            }
}

TEST_CASE("tuner: promotion keeps the best 1/eta, in either direction, and never a failure") {
    const double nan = std::nan("");
    const std::vector<double> scores = {0.5, 0.9, nan, 0.1, 0.7, 0.9, 0.3, 0.8, 0.2};
    CHECK(tune::promote(scores, scores.size() / 3, tune::Direction::maximize) == std::vector<std::size_t>{1, 5, 7});
    CHECK(tune::promote(scores, 3, tune::Direction::minimize) == std::vector<std::size_t>{3, 8, 6});
    CHECK(tune::promote({nan, nan, 1.0}, 2, tune::Direction::maximize) == std::vector<std::size_t>{2});
}

TEST_CASE("tuner: Hyperband runs each rung's best 1/eta on, continuing what they kept") {
    struct Run {
        std::size_t epochs = 0;  // what this "model" has trained
    };
    tune::Tuner<ThreeArchs> tuner{lr_batch_space(), tune::Hyperband{.max_epochs = 27, .factor = 3}, quiet(11)};
    tuner.search([&]<class Net>(tune::Trial& t, tune::Budget b) {
        Run& run = t.keep([] { return Run{}; });
        CHECK(run.epochs == b.trained);  // the budget says what the kept object has
        run.epochs += b.epochs - b.trained;
        return bowl(t, b.epochs) + 0.05 * Net::index;
    });
    const auto& evals = tuner.study().evaluations();
    const auto brackets = tune::hyperband_brackets(27, 3);
    std::size_t e = 0;
    for (const auto& bracket : brackets) {
        std::vector<std::size_t> previous_ids;
        std::vector<double> previous_scores;
        for (std::size_t i = 0; i < bracket.rungs.size(); ++i) {
            std::vector<std::size_t> ids;
            std::vector<double> scores;
            for (; e < evals.size() && evals[e].bracket == bracket.s && evals[e].rung == i; ++e) {
                CHECK(evals[e].budget.epochs == bracket.rungs[i].epochs);
                CHECK(evals[e].budget.trained == (i ? bracket.rungs[i - 1].epochs : 0));
                ids.push_back(evals[e].trial);
                scores.push_back(evals[e].score);
            }
            CHECK(ids.size() == bracket.rungs[i].configs);
            if (i > 0) {
                // Exactly the best floor(n / eta) of the rung before, by score.
                std::vector<std::size_t> order(previous_ids.size());
                for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
                std::sort(order.begin(), order.end(),
                          [&](std::size_t a, std::size_t b) { return previous_scores[a] > previous_scores[b]; });
                std::set<std::size_t> expected;
                for (std::size_t k = 0; k < previous_ids.size() / 3; ++k) expected.insert(previous_ids[order[k]]);
                CHECK(std::set<std::size_t>(ids.begin(), ids.end()) == expected);
            }
            previous_ids = ids;
            previous_scores = scores;
        }
    }
    CHECK(e == evals.size());
    // 27 + 12 + 6 + 4 configurations; 81 + 78 + 90 + 108 epochs when continuing.
    CHECK(tuner.study().trials().size() == 49);
    CHECK(tuner.study().epochs_trained() == 27 * 1 + 9 * 2 + 3 * 6 + 1 * 18 + 12 * 3 + 4 * 6 + 1 * 18 + 6 * 9 +
                                                2 * 18 + 4 * 27);
    // Objects were let go of, except the best trial's.
    std::size_t holding = 0;
    for (auto& t : tuner.study().trials()) holding += t.keeps_anything();
    CHECK(holding == 1);
    CHECK(tuner.best_trial().kept<Run>()->epochs == tuner.best_trial().budget().epochs);
}

TEST_CASE("tuner: an objective that keeps nothing is trained from scratch at each rung") {
    tune::Tuner<> tuner{lr_batch_space(), tune::Hyperband{.max_epochs = 9, .factor = 3}, quiet()};
    tuner.search([](tune::Trial& t, tune::Budget b) {
        CHECK(b.trained == 0);
        return bowl(t, b.epochs);
    });
    // Without continuation every evaluation pays its whole budget: 9x1 + 3x3 + 1x9, 5x3 + 1x9, 3x9.
    CHECK(tuner.study().epochs_trained() == (9 + 9 + 9) + (15 + 9) + 27);
}

// --- Failures, the best trial ------------------------------------------------------------

TEST_CASE("tuner: a trial that diverges fails, ranks last, and the search goes on") {
    tune::Tuner<> tuner{lr_batch_space(), tune::RandomSearch{.trials = 30}, quiet(4)};
    const auto board = tuner.search([](tune::Trial& t, tune::Budget) {
        if (t.get<double>("lr") > 1e-2) throw tn::NumericError("training stopped at step 3: the loss is nan");
        if (t.get<double>("lr") < 2e-4) return std::nan("");
        return bowl(t, 1);
    });
    REQUIRE(board.size() == 30);
    std::size_t failed = 0;
    bool seen_failure = false;
    for (const auto& row : board) {
        if (row.failed) seen_failure = true;
        else CHECK_FALSE(seen_failure);  // every failure after every success
        failed += row.failed;
    }
    CHECK(failed > 0);
    CHECK(failed < 30);
    CHECK(board.table().find("failed") != std::string::npos);
    CHECK(tuner.best_trial().get<double>("lr") <= 1e-2);
    CHECK(board.best().trial == tuner.best_trial().id());
}

TEST_CASE("tuner: with_best calls the objective's type for the best trial, with what it kept") {
    struct Weights {
        int architecture = -1;
        double lr = 0;
    };
    tune::Tuner<ThreeArchs> tuner{lr_batch_space(), tune::RandomSearch{.trials = 12}, quiet(2)};
    tuner.search([&]<class Net>(tune::Trial& t, tune::Budget) {
        t.keep([&] { return Weights{Net::index, t.get<double>("lr")}; });
        return bowl(t, 1) - 0.5 * Net::index;
    });
    const int arch = tuner.with_best([&]<class Net>(tune::Trial& t) {
        const Weights* w = t.kept<Weights>();
        REQUIRE(w != nullptr);
        CHECK(w->architecture == Net::index);
        CHECK(w->lr == t.get<double>("lr"));
        return Net::index;
    });
    CHECK(std::size_t(arch) == tuner.best_trial().architecture());
    CHECK(tuner.leaderboard().best().trial == tuner.best_trial().id());
}

// --- Reproducibility ----------------------------------------------------------------------

TEST_CASE("tuner: the same seed repeats the search exactly; another seed does not") {
    const auto run = [](std::uint64_t seed, auto strategy) {
        tune::Tuner<ThreeArchs> tuner{lr_batch_space(), strategy, quiet(seed)};
        std::vector<std::uint64_t> seeds;
        auto board = tuner.search([&]<class Net>(tune::Trial& t, tune::Budget b) {
            seeds.push_back(t.seed().value);
            return bowl(t, b.epochs) + 0.1 * Net::index;
        });
        std::vector<tune::Configuration> configs;
        for (const auto& t : tuner.study().trials()) configs.push_back(t.configuration());
        return std::make_tuple(configs, seeds, std::move(board));
    };
    const auto same_rows = [](const tune::Leaderboard& a, const tune::Leaderboard& b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (a[i].trial != b[i].trial || a[i].architecture != b[i].architecture || a[i].values != b[i].values ||
                a[i].epochs != b[i].epochs || a[i].score != b[i].score)
                return false;
        return true;
    };
    for (int strategy = 0; strategy < 2; ++strategy) {
        CAPTURE(strategy);
        const auto pick = [&](std::uint64_t seed) {
            return strategy == 0 ? run(seed, tune::RandomSearch{.trials = 15, .epochs = 2})
                                 : run(seed, tune::Hyperband{.max_epochs = 9, .factor = 3});
        };
        const auto [configs1, seeds1, board1] = pick(42);
        const auto [configs2, seeds2, board2] = pick(42);
        const auto [configs3, seeds3, board3] = pick(43);
        CHECK(configs1 == configs2);
        CHECK(seeds1 == seeds2);
        CHECK(same_rows(board1, board2));
        CHECK(configs1 != configs3);
        CHECK(seeds1 != seeds3);
        CHECK_FALSE(same_rows(board1, board3));
        // Trials get different seeds from each other.
        CHECK(std::set<std::uint64_t>(seeds1.begin(), seeds1.end()).size() == configs1.size());
    }
}

// --- The leaderboard ----------------------------------------------------------------------

TEST_CASE("tuner: the leaderboard ranks by score in the objective's direction, failures last") {
    tune::Space s;
    s.log_uniform("lr", 1e-4, 1e-1).choice("act", {"relu", "tanh, scaled"});
    const std::vector<tune::LeaderboardRow> rows = {
        {0, 1, "small", {0.001, std::string("relu")}, 9, 0.30, 1.5, false},
        {0, 2, "wide", {0.01, std::string("tanh, scaled")}, 27, 0.10, 2.5, false},
        {0, 3, "deep", {0.1, std::string("relu")}, 3, std::nan(""), 0.5, true},
        {0, 4, "say \"hi\"", {0.0001, std::string("relu")}, 9, 0.20, 1.0, false},
    };
    const tune::Leaderboard up(s, rows, tune::Direction::maximize, "val_accuracy");
    CHECK(up[0].trial == 1);
    CHECK(up[1].trial == 4);
    CHECK(up[2].trial == 2);
    CHECK(up[3].trial == 3);
    for (std::size_t i = 0; i < up.size(); ++i) CHECK(up[i].rank == i + 1);
    const tune::Leaderboard down(s, rows, tune::Direction::minimize, "val_loss");
    CHECK(down[0].trial == 2);
    CHECK(down[3].trial == 3);
    CHECK(down.best().trial == 2);
    CHECK(up.number(up[0], "lr") == 0.001);

    // The table: a header, one line per row, aligned columns.
    const std::string table = up.table();
    CHECK(table.rfind("rank  trial  architecture", 0) == 0);
    CHECK(table.find("val_accuracy") != std::string::npos);
    CHECK(std::count(table.begin(), table.end(), '\n') == 5);
    CHECK(up.table(2).find("... 2 more") != std::string::npos);

    // The CSV: quoted where it must be, exact numbers, an empty score for a failure.
    const auto path = std::filesystem::temp_directory_path() / "typenet-tuner-test-leaderboard.csv";
    up.write_csv(path.string());
    const std::string csv = read_file(path);
    std::filesystem::remove(path);
    std::istringstream lines(csv);
    std::string line;
    std::vector<std::string> all;
    while (std::getline(lines, line)) all.push_back(line);
    REQUIRE(all.size() == 5);
    CHECK(all[0] == "rank,trial,architecture,lr,act,epochs,val_accuracy,seconds");
    CHECK(all[1] == "1,1,small,0.001,relu,9,0.3,1.500");
    CHECK(all[2] == "2,4,\"say \"\"hi\"\"\",0.0001,relu,9,0.2,1.000");
    CHECK(all[3] == "3,2,wide,0.01,\"tanh, scaled\",27,0.1,2.500");
    CHECK(all[4] == "4,3,deep,0.1,relu,3,,0.500");

    CHECK_THROWS_WITH_AS(up.write_csv("/nonexistent-folder/board.csv"), doctest::Contains("/nonexistent-folder/board.csv"),
                         std::runtime_error);
    CHECK_THROWS_AS(tune::Leaderboard(s, {rows[2]}, tune::Direction::maximize).best(), std::runtime_error);
    // An accuracy computed in float is written as that float, not as its double expansion.
    tune::LeaderboardRow from_float = rows[0];
    from_float.score = double(0.7854f);
    CHECK(tune::Leaderboard(s, {from_float}, tune::Direction::maximize).csv().find(",9,0.7854,") != std::string::npos);
}

TEST_CASE("tuner: the leaderboard of a search has one row per trial, its last budget and its score") {
    tune::Tuner<> tuner{lr_batch_space(), tune::Hyperband{.max_epochs = 9, .factor = 3}, quiet(8)};
    const auto board = tuner.search([](tune::Trial& t, tune::Budget b) { return bowl(t, b.epochs); });
    CHECK(board.size() == tuner.study().trials().size());
    CHECK(board.table().find("architecture") == std::string::npos);  // no candidates, no column
    for (const auto& row : board) {
        const auto& t = tuner.study().trials()[row.trial - 1];
        CHECK(row.epochs == t.budget().epochs);
        CHECK(row.score == t.score());
        CHECK(row.values == t.values());
    }
    for (std::size_t i = 1; i < board.size(); ++i) CHECK(board[i - 1].score >= board[i].score);
}
