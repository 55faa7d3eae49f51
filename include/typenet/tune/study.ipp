// The bodies of tune/study.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <chrono>
#include <cmath>
#include <cstdio>

#include "typenet/tune/study.hpp"

namespace tn::tune {

TYPENET_INLINE Study::Study(Space space, std::vector<std::string> architectures, Settings settings)
    : space_(std::make_shared<const Space>(std::move(space))),
      architectures_(std::move(architectures)),
      settings_(std::move(settings)),
      sampler_(settings_.seed) {
    if (architectures_.empty()) architectures_.push_back("");
    if (space_->empty() && architectures_.size() < 2)
        throw SpaceError("Tuner: the search space is empty and there is no choice of architecture: nothing to "
                         "search (declare a hyperparameter, e.g. space.log_uniform(\"lr\", 1e-4, 1e-1))");
}

TYPENET_INLINE Study::~Study() = default;

TYPENET_INLINE std::optional<Configuration> Study::sample_new() {
    for (int attempt = 0; attempt < 100; ++attempt) {
        Configuration c;
        c.architecture = std::size_t(sampler_.below(architectures_.size()));
        c.values = space_->sample(sampler_);
        if (!tried(c)) return c;
    }
    return std::nullopt;
}

TYPENET_INLINE bool Study::tried(const Configuration& c) const {
    for (const Trial& t : trials_)
        if (t.configuration() == c) return true;
    return false;
}

TYPENET_INLINE Trial& Study::add_trial(Configuration c) {
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

TYPENET_INLINE double Study::evaluate(Trial& trial, Budget budget, std::size_t bracket, std::size_t rung) {
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

TYPENET_INLINE void Study::retire(Trial& trial) {
    trial.set_alive(false);
    if (leader_ != trial.id()) trial.release();
}

TYPENET_INLINE std::size_t Study::epochs_trained() const {
    std::size_t n = 0;
    for (const auto& e : evaluations_) n += e.budget.epochs - e.budget.trained;
    return n;
}

TYPENET_INLINE void Study::say(const std::string& text) const {
    if (settings_.verbose) std::printf("%s\n", text.c_str()), std::fflush(stdout);
}

TYPENET_INLINE Seed Study::trial_seed(std::size_t id) const {
    // splitmix64 of (seed, id): nearby ids give unrelated seeds.
    std::uint64_t z = settings_.seed.value + 0x9e3779b97f4a7c15ULL * (std::uint64_t(id) + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return Seed{z ^ (z >> 31)};
}

TYPENET_INLINE void Study::update_leader() {
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

TYPENET_INLINE void Study::print(const Trial& t) const {
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

}  // namespace tn::tune
