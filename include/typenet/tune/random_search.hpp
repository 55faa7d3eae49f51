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

#include "typenet/config.hpp"
#include "typenet/tune/study.hpp"

namespace tn::tune {

struct RandomSearch {
    std::size_t trials = 10;  // at most: a small space of choices may run out sooner
    std::size_t epochs = 1;   // the budget of every trial

    TYPENET_INLINE std::string describe() const;

    TYPENET_INLINE void run(Study& study) const;
};

}  // namespace tn::tune

#if TYPENET_DEFINE_BODIES
#include "typenet/tune/random_search.ipp"
#endif
