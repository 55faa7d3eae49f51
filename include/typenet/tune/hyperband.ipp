// The bodies of tune/hyperband.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cmath>

#include "typenet/tune/hyperband.hpp"

namespace tn::tune {

TYPENET_INLINE std::vector<Bracket> hyperband_brackets(std::size_t max_epochs, std::size_t factor) {
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

TYPENET_INLINE std::vector<std::size_t> promote(const std::vector<double>& scores, std::size_t keep,
                                                Direction direction) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < scores.size(); ++i)
        if (!std::isnan(scores[i])) order.push_back(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return better(scores[a], scores[b], direction); });
    if (order.size() > keep) order.resize(keep);
    return order;
}

TYPENET_INLINE std::string Hyperband::describe() const {
    return "Hyperband: max_epochs " + std::to_string(max_epochs) + ", factor " + std::to_string(factor) +
           (iterations > 1 ? ", " + std::to_string(iterations) + " iterations" : "");
}

TYPENET_INLINE void Hyperband::run(Study& study) const {
    if (iterations == 0) throw std::invalid_argument("Hyperband: iterations must be at least 1");
    const auto brackets = hyperband_brackets(max_epochs, factor);
    for (std::size_t it = 0; it < iterations; ++it)
        for (const Bracket& bracket : brackets) run_bracket(study, bracket);
}

TYPENET_INLINE void Hyperband::run_bracket(Study& study, const Bracket& bracket) const {
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

}  // namespace tn::tune
