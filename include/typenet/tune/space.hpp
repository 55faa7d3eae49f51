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

#include "typenet/config.hpp"
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
    TYPENET_INLINE bool integral() const;

    // Number of values of an integer range: lo, lo + step, ..., up to hi.
    TYPENET_INLINE std::size_t integer_count() const;

    TYPENET_INLINE Value sample(Rng& rng) const;

    // The values grid search visits: every choice, every value of an integer range,
    // and `points` evenly spaced values of a float range, both ends included (spaced
    // evenly in log10 for a log-uniform range: 1e-4, 1e-3, 1e-2, 1e-1 for 4 points).
    TYPENET_INLINE std::vector<Value> grid(std::size_t points) const;

    // "log_uniform(0.0001, 0.1)", for messages and the search summary.
    TYPENET_INLINE std::string describe() const;

    // A value as a person reads it: "64", "0.00213", "adam".
    TYPENET_INLINE std::string format(const Value& v) const;
    TYPENET_INLINE static std::string format(double v);

    TYPENET_INLINE static std::string format_number(double v, bool whole);

private:
    // Uniform in [0, 1) with 53 random bits: finer than Rng::uniform's 24, which
    // matters for the lower end of a wide log-uniform range.
    TYPENET_INLINE static double unit(Rng& rng);
};

class Space {
public:
    // A float drawn uniformly from [lo, hi].
    TYPENET_INLINE Space& uniform(std::string name, double lo, double hi);
    // A float whose logarithm is uniform over [log lo, log hi]: as many draws between
    // 1e-4 and 1e-3 as between 1e-2 and 1e-1. The right prior for a learning rate or
    // a weight decay, whose effect depends on the order of magnitude.
    TYPENET_INLINE Space& log_uniform(std::string name, double lo, double hi);
    // An integer from lo, lo + step, ..., up to hi.
    TYPENET_INLINE Space& integer(std::string name, std::int64_t lo, std::int64_t hi, std::int64_t step = 1);
    // One of a list of values, each equally likely.
    TYPENET_INLINE Space& choice(std::string name, std::initializer_list<int> values);
    TYPENET_INLINE Space& choice(std::string name, std::initializer_list<double> values);
    TYPENET_INLINE Space& choice(std::string name, std::initializer_list<const char*> values);
    TYPENET_INLINE Space& choice(std::string name, std::vector<Value> values);

    std::size_t size() const { return dims_.size(); }
    bool empty() const { return dims_.empty(); }
    const Dimension& operator[](std::size_t i) const { return dims_.at(i); }
    const std::vector<Dimension>& dimensions() const { return dims_; }

    // The position of a dimension; an unknown name is an error that lists the known ones.
    TYPENET_INLINE std::size_t index_of(std::string_view name, std::string_view who = "Space") const;

    // One value per dimension, drawn independently, in declaration order.
    TYPENET_INLINE std::vector<Value> sample(Rng& rng) const;

    // "lr=0.00213 batch=64" for a configuration of this space.
    TYPENET_INLINE std::string describe(const std::vector<Value>& values) const;

private:
    TYPENET_INLINE static void check_range(const char* kind, const std::string& name, double lo, double hi);
    TYPENET_INLINE Space& add(Dimension d);

    std::vector<Dimension> dims_;
};

}  // namespace tn::tune

#if TYPENET_DEFINE_BODIES
#include "typenet/tune/space.ipp"
#endif
