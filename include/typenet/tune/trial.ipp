// The bodies of tune/trial.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <cmath>

#include "typenet/tune/trial.hpp"

namespace tn::tune {

TYPENET_INLINE std::string Trial::describe() const { return space_->describe(configuration_.values); }

TYPENET_INLINE void Trial::record(const Budget& b, double score, double seconds, bool failed, std::string note) {
    budget_ = b;
    score_ = score;
    seconds_ += seconds;
    failed_ = failed;
    note_ = std::move(note);
    ++evaluations_;
}

TYPENET_INLINE const Value& Trial::value(std::string_view name) const {
    return configuration_.values[space_->index_of(name, "Trial::get")];
}

TYPENET_INLINE void Trial::not_a_text(std::string_view name) const {
    throw SpaceError("Trial::get<std::string>: '" + std::string(name) + "' is the number " +
                     (*space_)[space_->index_of(name)].format(value(name)) + "; read it as a number");
}

TYPENET_INLINE void Trial::not_a_number(std::string_view name) const {
    throw SpaceError("Trial::get: '" + std::string(name) + "' is the text '" + std::get<std::string>(value(name)) +
                     "'; read it with get<std::string>");
}

TYPENET_INLINE void Trial::not_an_integer(std::string_view name) const {
    throw SpaceError("Trial::get: '" + std::string(name) + "' is " +
                     (*space_)[space_->index_of(name)].format(value(name)) +
                     ", which this integer type cannot hold; read it as a float");
}

TYPENET_INLINE bool better(double a, double b, Direction direction) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
    return direction == Direction::maximize ? a > b : a < b;
}

}  // namespace tn::tune
