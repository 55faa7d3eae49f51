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

#include "typenet/tune/study.hpp"

namespace tn::tune {

// Every configuration of the grid, in visiting order.
inline std::vector<Configuration> grid_configurations(const Space& space, std::size_t architectures,
                                                      std::size_t points_per_range) {
    if (architectures == 0) throw std::invalid_argument("grid_configurations: no architecture");
    if (points_per_range == 0) throw std::invalid_argument("GridSearch: points_per_range must be at least 1");
    std::vector<std::vector<Value>> axes;
    double total = double(architectures);
    for (const auto& d : space.dimensions()) {
        axes.push_back(d.grid(points_per_range));
        total *= double(axes.back().size());
    }
    if (total > 1e6)
        throw std::invalid_argument("GridSearch: the grid has " + Dimension::format(total) +
                                    " points; lower points_per_range, use fewer choices, or use random search");
    std::vector<Configuration> out;
    out.reserve(std::size_t(total));
    std::vector<std::size_t> at(axes.size(), 0);  // an odometer over the axes
    for (std::size_t arch = 0; arch < architectures; ++arch) {
        while (true) {
            Configuration c{arch, {}};
            for (std::size_t i = 0; i < axes.size(); ++i) c.values.push_back(axes[i][at[i]]);
            out.push_back(std::move(c));
            std::size_t i = axes.size();
            while (i > 0 && ++at[i - 1] == axes[i - 1].size()) at[--i] = 0;
            if (i == 0) break;  // every digit wrapped around: the grid is done
        }
    }
    return out;
}

struct GridSearch {
    std::size_t points_per_range = 3;  // values of each float range
    std::size_t epochs = 1;            // the budget of every trial
    std::size_t max_trials = 0;        // 0: the whole grid

    std::string describe() const {
        return "grid search: " + std::to_string(points_per_range) + " points per range, " + std::to_string(epochs) +
               " epochs each";
    }

    void run(Study& study) const {
        if (epochs == 0) throw std::invalid_argument("GridSearch: epochs must be at least 1");
        const auto grid = grid_configurations(study.space(), study.architectures().size(), points_per_range);
        const std::size_t n = max_trials ? std::min(max_trials, grid.size()) : grid.size();
        study.say("grid search: " + std::to_string(grid.size()) + " configurations" +
                  (n < grid.size() ? ", the first " + std::to_string(n) + " of them" : ""));
        for (std::size_t i = 0; i < n; ++i) {
            Trial& trial = study.add_trial(grid[i]);
            study.evaluate(trial, {epochs, 0});
            study.retire(trial);
        }
    }
};

}  // namespace tn::tune
