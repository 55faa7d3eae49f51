// Hyperband (Li, Jamieson, DeSalvo, Rostamizadeh & Talwalkar, JMLR 2017): many
// configurations on a small budget, the best of them on a larger one.
//
// Successive halving, the building block: train n configurations for r epochs, keep
// the best 1/eta of them, train those eta times longer, and so on until one remains
// at the full budget R. How large n should be against r (many short trials, or few
// long ones) depends on how early a good configuration shows, which nobody knows in
// advance; so Hyperband runs several brackets, from the most exploratory (R epochs
// shared by eta^s_max configurations starting at 1 epoch) to plain random search (a
// few configurations at R epochs from the start). With s_max = floor(log_eta R) and
// B = (s_max + 1) R, bracket s starts n = ceil(B / R * eta^s / (s + 1)) random
// configurations at r = R eta^-s epochs; rung i runs floor(n eta^-i) of them for
// r eta^i epochs. For R = 81, eta = 3 this is the paper's Table 1.
//
// Budgets are in epochs. A promoted trial continues: the objective gets Budget
// {.epochs = this rung's total, .trained = what its kept model already has} and, if
// it keeps its model in the trial (Trial::keep), trains only the difference, as Keras
// Tuner does by reloading the trial's checkpoint. An objective that keeps nothing is
// simply trained again from scratch for the larger budget: correct, only slower.
//
//   tn::tune::Tuner<Archs> tuner{space, tn::tune::Hyperband{.max_epochs = 27, .factor = 3}};
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/tune/study.hpp"

namespace tn::tune {

// One round of successive halving: `configs` trials trained to `epochs` epochs.
struct Rung {
    std::size_t configs = 0;
    std::size_t epochs = 0;
};

struct Bracket {
    std::size_t s = 0;  // the paper's bracket index: s_max is the most exploratory
    std::vector<Rung> rungs;
};

// The brackets of one Hyperband iteration, most exploratory first (s = s_max .. 0).
TYPENET_INLINE std::vector<Bracket> hyperband_brackets(std::size_t max_epochs, std::size_t factor);

// The positions of the best `keep` scores, best first (ties: the earlier position);
// failed evaluations (NaN) are never promoted.
TYPENET_INLINE std::vector<std::size_t> promote(const std::vector<double>& scores, std::size_t keep,
                                                Direction direction);

struct Hyperband {
    std::size_t max_epochs = 27;  // R: the most epochs any trial trains
    std::size_t factor = 3;       // eta: keep 1/eta of each rung, train eta times longer
    std::size_t iterations = 1;   // times to run the whole set of brackets

    TYPENET_INLINE std::string describe() const;

    TYPENET_INLINE void run(Study& study) const;

private:
    TYPENET_INLINE void run_bracket(Study& study, const Bracket& bracket) const;
};

}  // namespace tn::tune

#if TYPENET_DEFINE_BODIES
#include "typenet/tune/hyperband.ipp"
#endif
