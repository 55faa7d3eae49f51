// A search space of run-time hyperparameters, as Keras Tuner's HyperParameters:
//
//   tn::tune::Space space;
//   space.log_uniform("lr", 1e-4, 1e-1)          // 1e-4 .. 1e-1, every decade equally likely
//        .uniform("dropout", 0.0, 0.5)
//        .integer("units", 32, 256, 32)           // 32, 64, ..., 256
//        .choice("batch", {32, 64, 128})
//        .choice("optimizer", {"adam", "sgd"});
//
// Each dimension is sampled (random search, Hyperband) or enumerated (grid search);
// a trial reads its values back by name: trial.get<float>("lr") (tune/trial.hpp).
// Numbers are kept as double whatever their dimension, so an integer stays exact up
// to 2^53 and every value prints and compares the same on every compiler.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "typenet/core/rng.hpp"

namespace tn::tune {

// One hyperparameter's value: a number (floats and integers alike) or a text choice.
using Value = std::variant<double, std::string>;

// A point of the search: which architecture (an index into the Candidates, 0 when
// there is no choice of architecture) and one value per dimension, in the space's order.
struct Configuration {
    std::size_t architecture = 0;
    std::vector<Value> values;
    friend bool operator==(const Configuration&, const Configuration&) = default;
};

// Error in how a space is declared or read (bad range, unknown name...).
struct SpaceError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

struct Dimension {
    enum class Kind { uniform, log_uniform, integer, choice };
    std::string name;
    Kind kind = Kind::uniform;
    double lo = 0, hi = 0, step = 1;  // ranges: [lo, hi]; integer ranges in steps of `step`
    std::vector<Value> choices;       // Kind::choice

    // Integer ranges, and choices whose numbers are all whole: printed without decimals.
    bool integral() const {
        if (kind == Kind::integer) return true;
        if (kind != Kind::choice) return false;
        for (const Value& v : choices)
            if (const double* d = std::get_if<double>(&v); !d || *d != std::floor(*d)) return false;
        return true;
    }

    // Number of values of an integer range: lo, lo + step, ..., up to hi.
    std::size_t integer_count() const { return std::size_t(std::floor((hi - lo) / step + 1e-9)) + 1; }

    Value sample(Rng& rng) const {
        switch (kind) {
            case Kind::uniform: return lo + (hi - lo) * unit(rng);
            case Kind::log_uniform: return std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * unit(rng));
            case Kind::integer: return lo + step * double(rng.below(integer_count()));
            case Kind::choice: return choices[rng.below(choices.size())];
        }
        return 0.0;
    }

    // The values grid search visits: every choice, every value of an integer range,
    // and `points` evenly spaced values of a float range, both ends included (spaced
    // evenly in log10 for a log-uniform range: 1e-4, 1e-3, 1e-2, 1e-1 for 4 points).
    std::vector<Value> grid(std::size_t points) const {
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

    // "log_uniform(0.0001, 0.1)", for messages and the search summary.
    std::string describe() const {
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

    // A value as a person reads it: "64", "0.00213", "adam".
    std::string format(const Value& v) const {
        if (const auto* s = std::get_if<std::string>(&v)) return *s;
        return format_number(std::get<double>(v), integral());
    }
    static std::string format(double v) { return format_number(v, false); }

    static std::string format_number(double v, bool whole) {
        char buf[40];
        if (whole && std::abs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
        else std::snprintf(buf, sizeof buf, "%.4g", v);
        return buf;
    }

private:
    // Uniform in [0, 1) with 53 random bits: finer than Rng::uniform's 24, which
    // matters for the lower end of a wide log-uniform range.
    static double unit(Rng& rng) { return double(rng.next_u64() >> 11) * 0x1.0p-53; }
};

class Space {
public:
    // A float drawn uniformly from [lo, hi].
    Space& uniform(std::string name, double lo, double hi) {
        check_range("uniform", name, lo, hi);
        return add({std::move(name), Dimension::Kind::uniform, lo, hi, 1, {}});
    }
    // A float whose logarithm is uniform over [log lo, log hi]: as many draws between
    // 1e-4 and 1e-3 as between 1e-2 and 1e-1. The right prior for a learning rate or
    // a weight decay, whose effect depends on the order of magnitude.
    Space& log_uniform(std::string name, double lo, double hi) {
        check_range("log_uniform", name, lo, hi);
        if (!(lo > 0))
            throw SpaceError("Space::log_uniform '" + name + "': the range must be positive (a logarithm is taken), got lo = " +
                             Dimension::format(lo));
        return add({std::move(name), Dimension::Kind::log_uniform, lo, hi, 1, {}});
    }
    // An integer from lo, lo + step, ..., up to hi.
    Space& integer(std::string name, std::int64_t lo, std::int64_t hi, std::int64_t step = 1) {
        check_range("integer", name, double(lo), double(hi));
        if (step <= 0)
            throw SpaceError("Space::integer '" + name + "': the step must be positive, got " + std::to_string(step));
        return add({std::move(name), Dimension::Kind::integer, double(lo), double(hi), double(step), {}});
    }
    // One of a list of values, each equally likely.
    Space& choice(std::string name, std::initializer_list<int> values) {
        std::vector<Value> v;
        for (int x : values) v.emplace_back(double(x));
        return choice(std::move(name), std::move(v));
    }
    Space& choice(std::string name, std::initializer_list<double> values) {
        return choice(std::move(name), std::vector<Value>(values.begin(), values.end()));
    }
    Space& choice(std::string name, std::initializer_list<const char*> values) {
        std::vector<Value> v;
        for (const char* x : values) v.emplace_back(std::string(x));
        return choice(std::move(name), std::move(v));
    }
    Space& choice(std::string name, std::vector<Value> values) {
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

    std::size_t size() const { return dims_.size(); }
    bool empty() const { return dims_.empty(); }
    const Dimension& operator[](std::size_t i) const { return dims_.at(i); }
    const std::vector<Dimension>& dimensions() const { return dims_; }

    // The position of a dimension; an unknown name is an error that lists the known ones.
    std::size_t index_of(std::string_view name, std::string_view who = "Space") const {
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

    // One value per dimension, drawn independently, in declaration order.
    std::vector<Value> sample(Rng& rng) const {
        std::vector<Value> out;
        out.reserve(dims_.size());
        for (const auto& d : dims_) out.push_back(d.sample(rng));
        return out;
    }

    // "lr=0.00213 batch=64" for a configuration of this space.
    std::string describe(const std::vector<Value>& values) const {
        std::string s;
        for (std::size_t i = 0; i < dims_.size() && i < values.size(); ++i) {
            if (i) s += ' ';
            s += dims_[i].name;
            s += '=';
            s += dims_[i].format(values[i]);
        }
        return s;
    }

private:
    static void check_range(const char* kind, const std::string& name, double lo, double hi) {
        if (!std::isfinite(lo) || !std::isfinite(hi))
            throw SpaceError(std::string("Space::") + kind + " '" + name + "': the range must be finite");
        if (!(lo < hi))
            throw SpaceError(std::string("Space::") + kind + " '" + name + "': lo (" + Dimension::format(lo) +
                             ") must be below hi (" + Dimension::format(hi) + ")");
    }

    Space& add(Dimension d) {
        if (d.name.empty()) throw SpaceError("Space: a hyperparameter needs a name");
        for (const auto& e : dims_)
            if (e.name == d.name) throw SpaceError("Space: the hyperparameter '" + d.name + "' is declared twice");
        dims_.push_back(std::move(d));
        return *this;
    }

    std::vector<Dimension> dims_;
};

}  // namespace tn::tune
