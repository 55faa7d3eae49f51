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

    Study(Space space, std::vector<std::string> architectures, Settings settings)
        : space_(std::make_shared<const Space>(std::move(space))),
          architectures_(std::move(architectures)),
          settings_(std::move(settings)),
          sampler_(settings_.seed) {
        if (architectures_.empty()) architectures_.push_back("");
        if (space_->empty() && architectures_.size() < 2)
            throw SpaceError("Tuner: the search space is empty and there is no choice of architecture: nothing to "
                             "search (declare a hyperparameter, e.g. space.log_uniform(\"lr\", 1e-4, 1e-1))");
    }

    const Space& space() const { return *space_; }
    const std::vector<std::string>& architectures() const { return architectures_; }
    const Settings& settings() const { return settings_; }
    Direction direction() const { return settings_.direction; }
    bool verbose() const { return settings_.verbose; }

    // --- Trials --------------------------------------------------------------------

    // A configuration drawn at random: the architecture uniformly, then each
    // dimension. Configurations already tried are drawn again, up to 100 times as
    // Keras Tuner does; nullopt when none is new (a small space is exhausted).
    std::optional<Configuration> sample_new() {
        for (int attempt = 0; attempt < 100; ++attempt) {
            Configuration c;
            c.architecture = std::size_t(sampler_.below(architectures_.size()));
            c.values = space_->sample(sampler_);
            if (!tried(c)) return c;
        }
        return std::nullopt;
    }

    bool tried(const Configuration& c) const {
        for (const Trial& t : trials_)
            if (t.configuration() == c) return true;
        return false;
    }

    Trial& add_trial(Configuration c) {
        if (c.architecture >= architectures_.size())
            throw std::out_of_range("Study::add_trial: architecture " + std::to_string(c.architecture) + " of " +
                                    std::to_string(architectures_.size()));
        if (c.values.size() != space_->size())
            throw std::invalid_argument("Study::add_trial: " + std::to_string(c.values.size()) + " values for " +
                                        std::to_string(space_->size()) + " hyperparameters");
        const std::size_t id = trials_.size() + 1;
        const std::size_t arch = c.architecture;
        trials_.emplace_back(id, std::move(c), architectures_[arch], trial_seed(id), space_);
        return trials_.back();
    }

    // Runs the objective on `trial` with `budget` and records the result. A trial
    // whose training diverges (NumericError: a learning rate too large is a normal
    // outcome of a search) or whose score is not finite fails: it ranks last and the
    // search goes on. Any other exception (bad data, a bug) stops the search.
    double evaluate(Trial& trial, Budget budget, std::size_t bracket = 0, std::size_t rung = 0) {
        if (!objective_) throw std::logic_error("Study::evaluate: no objective (call Tuner::search)");
        budget.trained = trial.keeps_anything() ? trial.budget().epochs : 0;
        const auto start = std::chrono::steady_clock::now();
        double score = std::numeric_limits<double>::quiet_NaN();
        std::string note;
        try {
            score = objective_(trial, budget);
        } catch (const NumericError& e) {
            note = e.what();
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const bool failed = !std::isfinite(score);
        if (failed) {
            score = std::numeric_limits<double>::quiet_NaN();
            if (note.empty()) note = "the objective returned a score that is not finite";
            trial.release();  // a diverged model is worth nothing
        }
        trial.record(budget, score, seconds, failed, note);
        evaluations_.push_back({trial.id(), budget, score, seconds, failed, bracket, rung});
        update_leader();
        if (settings_.verbose) print(trial);
        return score;
    }

    // The trial will not run again: its kept objects go, unless it leads.
    void retire(Trial& trial) {
        trial.set_alive(false);
        if (leader_ != trial.id()) trial.release();
    }

    const std::deque<Trial>& trials() const { return trials_; }
    std::deque<Trial>& trials() { return trials_; }
    const std::vector<Evaluation>& evaluations() const { return evaluations_; }

    // The best trial so far (by the score of its last evaluation), or null.
    Trial* leader() { return leader_ ? &trials_[leader_ - 1] : nullptr; }
    const Trial* leader() const { return leader_ ? &trials_[leader_ - 1] : nullptr; }

    // Epochs of training the search paid for: what continued trials trained on top
    // of their kept state, and the whole budget for the others.
    std::size_t epochs_trained() const {
        std::size_t n = 0;
        for (const auto& e : evaluations_) n += e.budget.epochs - e.budget.trained;
        return n;
    }

    void set_objective(Objective objective) { objective_ = std::move(objective); }

    // A line for the log, when a strategy starts a new phase ("bracket 2: ...").
    void say(const std::string& text) const {
        if (settings_.verbose) std::printf("%s\n", text.c_str()), std::fflush(stdout);
    }

private:
    Seed trial_seed(std::size_t id) const {
        // splitmix64 of (seed, id): nearby ids give unrelated seeds.
        std::uint64_t z = settings_.seed.value + 0x9e3779b97f4a7c15ULL * (std::uint64_t(id) + 1);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return Seed{z ^ (z >> 31)};
    }

    void update_leader() {
        std::size_t best = 0;
        for (const Trial& t : trials_)
            if (t.evaluations() > 0 && (best == 0 || better(t.score(), trials_[best - 1].score(), direction())))
                best = t.id();
        if (best != 0 && trials_[best - 1].failed()) best = 0;
        if (best == leader_) return;
        const std::size_t previous = leader_;
        leader_ = best;
        if (previous && !trials_[previous - 1].alive()) trials_[previous - 1].release();
    }

    void print(const Trial& t) const {
        const Budget& b = t.budget();
        std::string arch = architectures_.size() > 1 ? "  " + t.architecture_name() : "";
        std::string epochs = std::to_string(b.epochs) + (b.epochs == 1 ? " epoch" : " epochs");
        if (b.trained) epochs += " (continued from " + std::to_string(b.trained) + ")";
        const Evaluation& e = evaluations_.back();
        if (t.failed())
            std::printf("  trial %3zu%s  %s  %s  FAILED: %s  %.1f s\n", t.id(), arch.c_str(), t.describe().c_str(),
                        epochs.c_str(), t.note().c_str(), e.seconds);
        else
            std::printf("  trial %3zu%s  %s  %s  %s %.4f  %.1f s%s\n", t.id(), arch.c_str(), t.describe().c_str(),
                        epochs.c_str(), settings_.score_name.c_str(), t.score(), e.seconds,
                        leader_ == t.id() ? "  <- best so far" : "");
        std::fflush(stdout);
    }

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
