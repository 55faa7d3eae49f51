// Study: the record of one search, and the services a strategy drives it with.
//
// A strategy (random search, grid search, Hyperband) decides which configurations
// to try and with what budget; the study creates the trials, runs the objective on
// them (timing it, catching divergence), remembers every evaluation, follows which
// trial leads, and lets go of the objects a trial keeps once it cannot run again and
// does not lead. None of this depends on the network types, so it is compiled once
// whatever the candidates are: only the objective's call is a template (tune/tuner.hpp).
#pragma once
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/core/numeric_error.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/tune/space.hpp"
#include "typenet/tune/trial.hpp"

namespace tn::tune {

// One call of the objective: which trial, with what budget, and what came out.
struct Evaluation {
    std::size_t trial = 0;
    Budget budget{};
    double score = std::numeric_limits<double>::quiet_NaN();
    double seconds = 0;
    bool failed = false;
    // Where a strategy placed it: Hyperband's bracket and rung (0 and 0 otherwise).
    std::size_t bracket = 0, rung = 0;
};

class Study {
public:
    using Objective = std::function<double(Trial&, const Budget&)>;

    struct Settings {
        Seed seed{0};
        Direction direction = Direction::maximize;
        std::string score_name = "score";
        bool verbose = true;
    };

    TYPENET_INLINE Study(Space space, std::vector<std::string> architectures, Settings settings);
    // The destructor is compiled once, with the rest (a program that searches need not
    // compile the destruction of the trials); declaring it takes away the implicit
    // moves, so they are asked for.
    Study(const Study&) = default;
    Study(Study&&) = default;
    Study& operator=(const Study&) = default;
    Study& operator=(Study&&) = default;
    TYPENET_INLINE ~Study();

    const Space& space() const { return *space_; }
    const std::vector<std::string>& architectures() const { return architectures_; }
    const Settings& settings() const { return settings_; }
    Direction direction() const { return settings_.direction; }
    bool verbose() const { return settings_.verbose; }

    // --- Trials --------------------------------------------------------------------

    // A configuration drawn at random: the architecture uniformly, then each
    // dimension. Configurations already tried are drawn again, up to 100 times as
    // Keras Tuner does; nullopt when none is new (a small space is exhausted).
    TYPENET_INLINE std::optional<Configuration> sample_new();

    TYPENET_INLINE bool tried(const Configuration& c) const;

    TYPENET_INLINE Trial& add_trial(Configuration c);

    // Runs the objective on `trial` with `budget` and records the result. A trial
    // whose training diverges (NumericError: a learning rate too large is a normal
    // outcome of a search) or whose score is not finite fails: it ranks last and the
    // search goes on. Any other exception (bad data, a bug) stops the search.
    TYPENET_INLINE double evaluate(Trial& trial, Budget budget, std::size_t bracket = 0, std::size_t rung = 0);

    // The trial will not run again: its kept objects go, unless it leads.
    TYPENET_INLINE void retire(Trial& trial);

    const std::deque<Trial>& trials() const { return trials_; }
    std::deque<Trial>& trials() { return trials_; }
    const std::vector<Evaluation>& evaluations() const { return evaluations_; }

    // The best trial so far (by the score of its last evaluation), or null.
    Trial* leader() { return leader_ ? &trials_[leader_ - 1] : nullptr; }
    const Trial* leader() const { return leader_ ? &trials_[leader_ - 1] : nullptr; }

    // Epochs of training the search paid for: what continued trials trained on top
    // of their kept state, and the whole budget for the others.
    TYPENET_INLINE std::size_t epochs_trained() const;

    void set_objective(Objective objective) { objective_ = std::move(objective); }

    // A line for the log, when a strategy starts a new phase ("bracket 2: ...").
    TYPENET_INLINE void say(const std::string& text) const;

private:
    TYPENET_INLINE Seed trial_seed(std::size_t id) const;
    TYPENET_INLINE void update_leader();
    TYPENET_INLINE void print(const Trial& t) const;

    std::shared_ptr<const Space> space_;
    std::vector<std::string> architectures_;
    Settings settings_;
    Rng sampler_;
    Objective objective_;
    std::deque<Trial> trials_;  // a deque: references to trials stay valid as it grows
    std::vector<Evaluation> evaluations_;
    std::size_t leader_ = 0;  // trial id, 0 for none
};

}  // namespace tn::tune

#if TYPENET_DEFINE_BODIES
#include "typenet/tune/study.ipp"
#endif
