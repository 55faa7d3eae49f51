// The bodies of tune/random_search.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once

#include "typenet/tune/random_search.hpp"

namespace tn::tune {

TYPENET_INLINE std::string RandomSearch::describe() const {
    return "random search: " + std::to_string(trials) + " trials of " + std::to_string(epochs) + " epochs";
}

TYPENET_INLINE void RandomSearch::run(Study& study) const {
    if (trials == 0) throw std::invalid_argument("RandomSearch: trials must be at least 1");
    if (epochs == 0) throw std::invalid_argument("RandomSearch: epochs must be at least 1");
    for (std::size_t i = 0; i < trials; ++i) {
        auto configuration = study.sample_new();
        if (!configuration) {
            study.say("random search: every configuration of the space has been tried; stopping after " +
                      std::to_string(i) + " trials");
            return;
        }
        Trial& trial = study.add_trial(std::move(*configuration));
        study.evaluate(trial, {epochs, 0});
        study.retire(trial);
    }
}

}  // namespace tn::tune
