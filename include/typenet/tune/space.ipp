// The bodies of tune/space.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <cmath>
#include <cstdio>

#include "typenet/tune/space.hpp"

namespace tn::tune {

TYPENET_INLINE bool Dimension::integral() const {
    if (kind == Kind::integer) return true;
    if (kind != Kind::choice) return false;
    for (const Value& v : choices)
        if (const double* d = std::get_if<double>(&v); !d || *d != std::floor(*d)) return false;
    return true;
}

TYPENET_INLINE std::size_t Dimension::integer_count() const {
    return std::size_t(std::floor((hi - lo) / step + 1e-9)) + 1;
}

TYPENET_INLINE Value Dimension::sample(Rng& rng) const {
    switch (kind) {
        case Kind::uniform: return lo + (hi - lo) * unit(rng);
        case Kind::log_uniform: return std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * unit(rng));
        case Kind::integer: return lo + step * double(rng.below(integer_count()));
        case Kind::choice: return choices[rng.below(choices.size())];
    }
    return 0.0;
}

TYPENET_INLINE std::vector<Value> Dimension::grid(std::size_t points) const {
    std::vector<Value> out;
    switch (kind) {
        case Kind::choice: return choices;
        case Kind::integer:
            for (std::size_t i = 0, n = integer_count(); i < n; ++i) out.emplace_back(lo + step * double(i));
            return out;
        case Kind::uniform:
        case Kind::log_uniform: {
            const bool log = kind == Kind::log_uniform;
            const double a = log ? std::log10(lo) : lo, b = log ? std::log10(hi) : hi;
            for (std::size_t i = 0; i < points; ++i) {
                // One point: the middle of the range.
                const double t = points == 1 ? 0.5 : double(i) / double(points - 1);
                const double v = a + (b - a) * t;
                out.emplace_back(log ? std::pow(10.0, v) : v);
            }
            if (points > 1) out.front() = lo, out.back() = hi;  // exact ends, not 10^log10(x)
            return out;
        }
    }
    return out;
}

TYPENET_INLINE std::string Dimension::describe() const {
    switch (kind) {
        case Kind::uniform: return "uniform(" + format(lo) + ", " + format(hi) + ")";
        case Kind::log_uniform: return "log_uniform(" + format(lo) + ", " + format(hi) + ")";
        case Kind::integer:
            return "integer(" + format(lo) + ", " + format(hi) + (step != 1 ? ", step " + format(step) : "") + ")";
        case Kind::choice: {
            std::string s = "choice(";
            for (std::size_t i = 0; i < choices.size(); ++i) {
                if (i) s += ", ";
                s += format(choices[i]);
            }
            return s + ")";
        }
    }
    return {};
}

TYPENET_INLINE std::string Dimension::format(const Value& v) const {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    return format_number(std::get<double>(v), integral());
}

TYPENET_INLINE std::string Dimension::format(double v) { return format_number(v, false); }

TYPENET_INLINE std::string Dimension::format_number(double v, bool whole) {
    char buf[40];
    if (whole && std::abs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
    else std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

TYPENET_INLINE double Dimension::unit(Rng& rng) { return double(rng.next_u64() >> 11) * 0x1.0p-53; }

TYPENET_INLINE Space& Space::uniform(std::string name, double lo, double hi) {
    check_range("uniform", name, lo, hi);
    return add({std::move(name), Dimension::Kind::uniform, lo, hi, 1, {}});
}

TYPENET_INLINE Space& Space::log_uniform(std::string name, double lo, double hi) {
    check_range("log_uniform", name, lo, hi);
    if (!(lo > 0))
        throw SpaceError("Space::log_uniform '" + name + "': the range must be positive (a logarithm is taken), got lo = " +
                         Dimension::format(lo));
    return add({std::move(name), Dimension::Kind::log_uniform, lo, hi, 1, {}});
}

TYPENET_INLINE Space& Space::integer(std::string name, std::int64_t lo, std::int64_t hi, std::int64_t step) {
    check_range("integer", name, double(lo), double(hi));
    if (step <= 0)
        throw SpaceError("Space::integer '" + name + "': the step must be positive, got " + std::to_string(step));
    return add({std::move(name), Dimension::Kind::integer, double(lo), double(hi), double(step), {}});
}

TYPENET_INLINE Space& Space::choice(std::string name, std::initializer_list<int> values) {
    std::vector<Value> v;
    for (int x : values) v.emplace_back(double(x));
    return choice(std::move(name), std::move(v));
}

TYPENET_INLINE Space& Space::choice(std::string name, std::initializer_list<double> values) {
    return choice(std::move(name), std::vector<Value>(values.begin(), values.end()));
}

TYPENET_INLINE Space& Space::choice(std::string name, std::initializer_list<const char*> values) {
    std::vector<Value> v;
    for (const char* x : values) v.emplace_back(std::string(x));
    return choice(std::move(name), std::move(v));
}

TYPENET_INLINE Space& Space::choice(std::string name, std::vector<Value> values) {
    if (values.empty()) throw SpaceError("Space::choice '" + name + "': the list of choices is empty");
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (const double* d = std::get_if<double>(&values[i]); d && !std::isfinite(*d))
            throw SpaceError("Space::choice '" + name + "': choice " + std::to_string(i + 1) + " is not finite");
        for (std::size_t j = 0; j < i; ++j)
            if (values[j] == values[i])
                throw SpaceError("Space::choice '" + name + "': choice " + std::to_string(i + 1) +
                                 " repeats choice " + std::to_string(j + 1));
    }
    return add({std::move(name), Dimension::Kind::choice, 0, 0, 1, std::move(values)});
}

TYPENET_INLINE std::size_t Space::index_of(std::string_view name, std::string_view who) const {
    for (std::size_t i = 0; i < dims_.size(); ++i)
        if (dims_[i].name == name) return i;
    std::string known;
    for (const auto& d : dims_) {
        if (!known.empty()) known += ", ";
        known += d.name;
    }
    throw SpaceError(std::string(who) + ": no hyperparameter named '" + std::string(name) +
                     "' in the search space (it has: " + (known.empty() ? "nothing" : known) + ")");
}

TYPENET_INLINE std::vector<Value> Space::sample(Rng& rng) const {
    std::vector<Value> out;
    out.reserve(dims_.size());
    for (const auto& d : dims_) out.push_back(d.sample(rng));
    return out;
}

TYPENET_INLINE std::string Space::describe(const std::vector<Value>& values) const {
    std::string s;
    for (std::size_t i = 0; i < dims_.size() && i < values.size(); ++i) {
        if (i) s += ' ';
        s += dims_[i].name;
        s += '=';
        s += dims_[i].format(values[i]);
    }
    return s;
}

TYPENET_INLINE void Space::check_range(const char* kind, const std::string& name, double lo, double hi) {
    if (!std::isfinite(lo) || !std::isfinite(hi))
        throw SpaceError(std::string("Space::") + kind + " '" + name + "': the range must be finite");
    if (!(lo < hi))
        throw SpaceError(std::string("Space::") + kind + " '" + name + "': lo (" + Dimension::format(lo) +
                         ") must be below hi (" + Dimension::format(hi) + ")");
}

TYPENET_INLINE Space& Space::add(Dimension d) {
    if (d.name.empty()) throw SpaceError("Space: a hyperparameter needs a name");
    for (const auto& e : dims_)
        if (e.name == d.name) throw SpaceError("Space: the hyperparameter '" + d.name + "' is declared twice");
    dims_.push_back(std::move(d));
    return *this;
}

}  // namespace tn::tune
