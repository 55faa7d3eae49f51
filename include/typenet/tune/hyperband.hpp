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
inline std::vector<Bracket> hyperband_brackets(std::size_t max_epochs, std::size_t factor) {
    if (factor < 2) throw std::invalid_argument("Hyperband: factor (eta) must be at least 2, got " + std::to_string(factor));
    if (max_epochs < 1) throw std::invalid_argument("Hyperband: max_epochs must be at least 1");
    // s_max = floor(log_eta R), in integers: a floating log gives 2.9999 for log_3 27.
    std::size_t s_max = 0;
    for (std::size_t p = factor; p <= max_epochs; p *= factor) ++s_max;
    const auto power = [&](std::size_t k) {
        std::size_t p = 1;
        for (std::size_t i = 0; i < k; ++i) p *= factor;
        return p;
    };
    std::vector<Bracket> out;
    for (std::size_t s = s_max + 1; s-- > 0;) {
        // n = ceil((s_max + 1) eta^s / (s + 1)), since B / R = s_max + 1.
        const std::size_t n = ((s_max + 1) * power(s) + s) / (s + 1);
        Bracket b{s, {}};
        for (std::size_t i = 0; i <= s; ++i) {
            // r_i = R eta^(i - s); R need not be a power of eta, so round (at least 1 epoch).
            const double r = double(max_epochs) / double(power(s - i));
            b.rungs.push_back({n / power(i), std::max<std::size_t>(1, std::size_t(std::llround(r)))});
        }
        out.push_back(std::move(b));
    }
    return out;
}

// The positions of the best `keep` scores, best first (ties: the earlier position);
// failed evaluations (NaN) are never promoted.
inline std::vector<std::size_t> promote(const std::vector<double>& scores, std::size_t keep, Direction direction) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < scores.size(); ++i)
        if (!std::isnan(scores[i])) order.push_back(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return better(scores[a], scores[b], direction); });
    if (order.size() > keep) order.resize(keep);
    return order;
}

struct Hyperband {
    std::size_t max_epochs = 27;  // R: the most epochs any trial trains
    std::size_t factor = 3;       // eta: keep 1/eta of each rung, train eta times longer
    std::size_t iterations = 1;   // times to run the whole set of brackets

    std::string describe() const {
        return "Hyperband: max_epochs " + std::to_string(max_epochs) + ", factor " + std::to_string(factor) +
               (iterations > 1 ? ", " + std::to_string(iterations) + " iterations" : "");
    }

    void run(Study& study) const {
        if (iterations == 0) throw std::invalid_argument("Hyperband: iterations must be at least 1");
        const auto brackets = hyperband_brackets(max_epochs, factor);
        for (std::size_t it = 0; it < iterations; ++it)
            for (const Bracket& bracket : brackets) run_bracket(study, bracket);
    }

private:
    void run_bracket(Study& study, const Bracket& bracket) const {
        std::string plan = "bracket s=" + std::to_string(bracket.s) + ":";
        for (const Rung& r : bracket.rungs) {
            if (&r != &bracket.rungs.front()) plan += ',';
            plan += ' ';
            plan += std::to_string(r.configs);
            plan += " x ";
            plan += std::to_string(r.epochs);
            plan += r.epochs == 1 ? " epoch" : " epochs";
        }
        study.say(plan);

        std::vector<Trial*> live;
        for (std::size_t k = 0; k < bracket.rungs.front().configs; ++k) {
            auto configuration = study.sample_new();
            if (!configuration) break;  // a small space ran out: a smaller bracket
            live.push_back(&study.add_trial(std::move(*configuration)));
        }
        for (std::size_t i = 0; i < bracket.rungs.size() && !live.empty(); ++i) {
            std::vector<double> scores;
            for (Trial* t : live) scores.push_back(study.evaluate(*t, {bracket.rungs[i].epochs, 0}, bracket.s, i));
            // floor(n_i / eta), which is the next rung's planned size when the rung was full.
            const bool last = i + 1 == bracket.rungs.size();
            const auto winners = last ? std::vector<std::size_t>{} : promote(scores, live.size() / factor, study.direction());
            std::vector<Trial*> next;
            for (std::size_t w : winners) next.push_back(live[w]);
            for (Trial* t : live)
                if (std::find(next.begin(), next.end(), t) == next.end()) study.retire(*t);
            live = std::move(next);
        }
    }
};

}  // namespace tn::tune
