// The bodies of tune/grid_search.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>

#include "typenet/tune/grid_search.hpp"

namespace tn::tune {

TYPENET_INLINE std::vector<Configuration> grid_configurations(const Space& space, std::size_t architectures,
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

TYPENET_INLINE std::string GridSearch::describe() const {
    return "grid search: " + std::to_string(points_per_range) + " points per range, " + std::to_string(epochs) +
           " epochs each";
}

TYPENET_INLINE void GridSearch::run(Study& study) const {
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

}  // namespace tn::tune
