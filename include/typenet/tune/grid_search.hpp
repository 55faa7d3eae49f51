// Grid search: every combination of the dimensions' grid values (tune/space.hpp:
// every choice, every value of an integer range, `points_per_range` evenly spaced
// values of a float range), each trained for the same budget. Exhaustive, and so
// exponential in the number of dimensions: right for two or three choices, wasteful
// beyond (random search covers a large space better for the same number of trials).
//
// The order is that of nested loops, as itertools.product walks them: the
// architecture outermost, then the dimensions in the order they were declared, the
// last one changing fastest.
#pragma once
#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/tune/study.hpp"

namespace tn::tune {

// Every configuration of the grid, in visiting order.
TYPENET_INLINE std::vector<Configuration> grid_configurations(const Space& space, std::size_t architectures,
                                                              std::size_t points_per_range);

struct GridSearch {
    std::size_t points_per_range = 3;  // values of each float range
    std::size_t epochs = 1;            // the budget of every trial
    std::size_t max_trials = 0;        // 0: the whole grid

    TYPENET_INLINE std::string describe() const;

    TYPENET_INLINE void run(Study& study) const;
};

}  // namespace tn::tune

#if TYPENET_DEFINE_BODIES
#include "typenet/tune/grid_search.ipp"
#endif
