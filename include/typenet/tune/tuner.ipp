// The bodies of tune/tuner.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <cstdio>

#include "typenet/tune/tuner.hpp"

namespace tn::tune::detail {

TYPENET_INLINE void searched_twice() {
    throw std::logic_error("Tuner::search: this tuner has searched already; make a new one");
}

TYPENET_INLINE void announce(const Study& study, const std::string& strategy, bool candidates) {
    if (!study.verbose()) return;
    std::printf("%s\n", strategy.empty() ? "search" : strategy.c_str());
    if (candidates) {
        std::printf("  architecture: ");
        for (std::size_t i = 0; i < study.architectures().size(); ++i)
            std::printf("%s%s", i ? " | " : "", study.architectures()[i].c_str());
        std::printf("\n");
    }
    for (const auto& d : study.space().dimensions()) std::printf("  %s: %s\n", d.name.c_str(), d.describe().c_str());
    std::fflush(stdout);
}

TYPENET_INLINE void search_done(const Study& study) {
    if (study.verbose())
        std::printf("search done: %zu trials, %zu evaluations, %zu epochs of training\n", study.trials().size(),
                    study.evaluations().size(), study.epochs_trained());
}

TYPENET_INLINE Trial& best_trial(Study& study) {
    Trial* t = study.leader();
    if (!t)
        throw std::runtime_error("Tuner::best_trial: no trial succeeded" +
                                 std::string(study.trials().empty() ? " (the search has not run)" : ""));
    return *t;
}

TYPENET_INLINE void check_architecture_names(std::size_t names, std::size_t candidates) {
    if (names != candidates)
        throw std::invalid_argument("Tuner: " + std::to_string(names) + " architecture names for " +
                                    std::to_string(candidates) + " candidates");
}

}  // namespace tn::tune::detail
