// Random search (Bergstra & Bengio 2012): draw each configuration at random and train
// it for the same budget. With as many trials, it covers each important dimension
// far better than a grid, which wastes most of its points repeating the values of
// the dimensions that do not matter.
//
//   tn::tune::Tuner<Archs> tuner{space, tn::tune::RandomSearch{.trials = 20, .epochs = 10}};
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>

#include "typenet/tune/study.hpp"

namespace tn::tune {

struct RandomSearch {
    std::size_t trials = 10;  // at most: a small space of choices may run out sooner
    std::size_t epochs = 1;   // the budget of every trial

    std::string describe() const {
        return "random search: " + std::to_string(trials) + " trials of " + std::to_string(epochs) + " epochs";
    }

    void run(Study& study) const {
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
};

}  // namespace tn::tune
