// Hyperparameter tuning, as Keras Tuner does it: a search space of run-time values,
// optionally a compile-time list of architectures, a strategy, and an objective
// that trains one configuration and returns its score.
//
//   tn::tune::Space space;
//   space.log_uniform("lr", 1e-4, 1e-2).choice("batch", {32, 64, 128});
//   tn::tune::Tuner<tn::tune::Candidates<MlpA, MlpB>> tuner{
//       space, tn::tune::Hyperband{.max_epochs = 27, .factor = 3},
//       {.seed = tn::Seed{1}, .score_name = "val_accuracy", .architecture_names = {"small", "wide"}}};
//   auto board = tuner.search([&]<class Net>(tn::tune::Trial& t, tn::tune::Budget b) {
//       auto& run = t.keep([&] { return Run<Net>{tn::Model<Net>{t.seed()}, tn::Adam{{.lr = t.get<float>("lr")}}}; });
//       fit(run.model, train, loss, run.adam, {.epochs = b.epochs - b.trained, .batch = t.get<std::size_t>("batch")});
//       return evaluate(run.model, validation, loss).accuracy;
//   });
//   board.print();                         // the leaderboard (tune/leaderboard.hpp)
//   board.write_csv("leaderboard.csv");
//
// Without Candidates (Tuner<>), the objective is a plain (Trial&, Budget) -> score.
//
// The best model: objects the objective keeps in its trial (Trial::keep) stay alive
// for the best trial, so `with_best` hands back the trained model itself:
//
//   tuner.with_best([&]<class Net>(tn::tune::Trial& t) {
//       auto* run = t.kept<Run<Net>>();    // null if the objective kept nothing: retrain from t's values
//       ...
//   });
//
// Same seed, same search: the configurations, the trials' seeds and so (with a
// deterministic objective) every score and the leaderboard repeat exactly.
#pragma once
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/tune/candidates.hpp"
#include "typenet/tune/grid_search.hpp"
#include "typenet/tune/hyperband.hpp"
#include "typenet/tune/leaderboard.hpp"
#include "typenet/tune/random_search.hpp"
#include "typenet/tune/space.hpp"
#include "typenet/tune/study.hpp"
#include "typenet/tune/trial.hpp"

namespace tn::tune {

struct TunerOptions {
    Seed seed{0};
    Direction direction = Direction::maximize;
    // What the objective returns, for the log and the leaderboard ("val_accuracy").
    std::string score_name = "score";
    // One name per candidate architecture; default: its layers ("Dense<256> ReLU Dense<10>").
    std::vector<std::string> architecture_names{};
    // One line per evaluation on stdout.
    bool verbose = true;
};

namespace detail {
// The parts of Tuner that do not depend on the candidates, compiled once.
[[noreturn]] TYPENET_INLINE void searched_twice();
// The search's first lines: the strategy, the architectures (with candidates), each dimension.
TYPENET_INLINE void announce(const Study& study, const std::string& strategy, bool candidates);
TYPENET_INLINE void search_done(const Study& study);
TYPENET_INLINE Trial& best_trial(Study& study);
TYPENET_INLINE void check_architecture_names(std::size_t names, std::size_t candidates);
}  // namespace detail

// A strategy is anything with `void run(Study&) const` (random_search.hpp,
// grid_search.hpp, hyperband.hpp): write your own the same way.
template <class S>
concept Strategy = requires(const S& s, Study& study) { s.run(study); };

template <class Archs = Candidates<>>
class Tuner {
public:
    template <Strategy S>
    Tuner(Space space, S strategy, TunerOptions options = {})
        : study_(std::move(space), architecture_names(options),
                 {options.seed, options.direction, options.score_name, options.verbose}),
          run_([strategy](Study& s) { strategy.run(s); }) {
        if constexpr (requires { strategy.describe(); }) description_ = strategy.describe();
    }

    // Runs the search and returns its leaderboard. The objective is called once per
    // evaluation with the trial and its budget and returns the score (a number;
    // larger is better unless options.direction is minimize).
    template <class Objective>
    Leaderboard search(Objective&& objective) {
        if (searched_) detail::searched_twice();
        searched_ = true;
        if constexpr (Archs::size == 0) {
            static_assert(std::is_invocable_v<Objective&, Trial&, const Budget&>,
                          "Tuner<>::search: the objective is called as objective(tn::tune::Trial&, "
                          "tn::tune::Budget) and returns the score");
        } else {
            static_assert(Archs::template callable_with<Objective, Trial, const Budget>,
                          "Tuner<Candidates<...>>::search: the objective is a generic lambda "
                          "[&]<class Net>(tn::tune::Trial& t, tn::tune::Budget b) { ...; return score; }, "
                          "called once per candidate network type");
        }
        study_.set_objective(
            [&objective](Trial& t, const Budget& b) -> double { return static_cast<double>(call(objective, t, b)); });
        detail::announce(study_, description_, Archs::size > 0);
        try {
            run_(study_);
        } catch (...) {
            study_.set_objective({});  // it refers to the caller's objective
            throw;
        }
        study_.set_objective({});
        detail::search_done(study_);
        return leaderboard();
    }

    Leaderboard leaderboard() const { return Leaderboard(study_); }

    // The best trial: its values (get<T>), architecture, score and kept objects.
    Trial& best_trial() { return detail::best_trial(study_); }

    // Calls f.template operator()<BestNet>(best_trial()) (or f(best_trial()) without
    // candidates), to evaluate, save or retrain the winner with its own type.
    template <class F>
    decltype(auto) with_best(F&& f) {
        Trial& t = best_trial();
        return call(f, t);
    }

    const Study& study() const { return study_; }
    Study& study() { return study_; }
    const std::string& strategy() const { return description_; }

private:
    template <class F, class... Args>
    static decltype(auto) call(F& f, Trial& t, Args&... args) {
        if constexpr (Archs::size == 0) return f(t, args...);
        else return Archs::visit(t.architecture(), f, t, args...);
    }

    static std::vector<std::string> architecture_names(const TunerOptions& options) {
        if (options.architecture_names.empty()) return Archs::names();
        detail::check_architecture_names(options.architecture_names.size(), Archs::size);
        return options.architecture_names;
    }

    Study study_;
    std::function<void(Study&)> run_;
    std::string description_;
    bool searched_ = false;
};

}  // namespace tn::tune

#if TYPENET_DEFINE_BODIES
#include "typenet/tune/tuner.ipp"
#endif
