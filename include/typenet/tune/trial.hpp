// One trial of a search: a configuration (architecture + hyperparameter values), the
// seed its model starts from, and what happened when the objective ran on it.
//
// The objective reads the values by name and may keep objects (its model, its
// optimizer) in the trial from one call to the next, which is how Hyperband continues
// training a promoted trial instead of starting again:
//
//   auto& run = t.keep([&] { return Run<Net>{tn::Model<Net>{t.seed()}, tn::Adam{{.lr = t.get<float>("lr")}}}; });
//   fit(run.model, train, loss, run.adam, {.epochs = b.epochs - b.trained, ...});
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/tune/space.hpp"

namespace tn::tune {

// How much training one call of the objective gets, in epochs.
struct Budget {
    // Train until the model has seen this many epochs in total.
    std::size_t epochs = 1;
    // Epochs the objects kept in the trial (Trial::keep) have already trained in an
    // earlier rung of Hyperband; 0 when the trial keeps nothing, so an objective that
    // trains `epochs - trained` more is right in both cases.
    std::size_t trained = 0;
};

enum class Direction { maximize, minimize };

namespace detail {
// One address per type: a key for kept objects that needs no RTTI.
template <class T>
inline constexpr char type_key = 0;
}  // namespace detail

class Trial {
public:
    Trial(std::size_t id, Configuration configuration, std::string architecture_name, Seed seed,
          std::shared_ptr<const Space> space)
        : id_(id),
          configuration_(std::move(configuration)),
          architecture_name_(std::move(architecture_name)),
          seed_(seed),
          space_(std::move(space)) {}

    // 1, 2, 3... in the order the strategy created the trials.
    std::size_t id() const { return id_; }
    // The index of the architecture in Candidates<...> (0 without candidates), and its name.
    std::size_t architecture() const { return configuration_.architecture; }
    const std::string& architecture_name() const { return architecture_name_; }
    // The seed for this trial's model: derived from the tuner's seed and the trial's
    // id, so trials differ from each other and a search repeats exactly.
    Seed seed() const { return seed_; }
    const Configuration& configuration() const { return configuration_; }
    const std::vector<Value>& values() const { return configuration_.values; }
    const Space& space() const { return *space_; }

    // The value of hyperparameter `name` as a T: an arithmetic type (float, int,
    // std::size_t...) for numbers, std::string for text choices. Asking for an integer
    // of a value that is not whole, or a number of a text, is an error that says so.
    template <class T>
    T get(std::string_view name) const {
        const Value& v = value(name);
        if constexpr (std::is_same_v<T, std::string>) {
            if (const auto* s = std::get_if<std::string>(&v)) return *s;
            not_a_text(name);
        } else {
            static_assert(std::is_arithmetic_v<T>, "Trial::get<T>: T is an arithmetic type or std::string");
            const double* d = std::get_if<double>(&v);
            if (!d) not_a_number(name);
            if constexpr (std::is_integral_v<T>) {
                if (*d != std::floor(*d) || *d < double(std::numeric_limits<T>::lowest()) ||
                    *d > double(std::numeric_limits<T>::max()))
                    not_an_integer(name);
            }
            return static_cast<T>(*d);
        }
    }

    // "lr=0.00213 batch=64"
    TYPENET_INLINE std::string describe() const;

    // Keeps the object `make()` returns in this trial and returns it; later calls for
    // the same type (a later rung of Hyperband, or Tuner::with_best) return the kept
    // object instead of making a new one. Keep one object per type: a small struct of
    // model + optimizer is the usual thing to keep. The tuner lets go of a trial's
    // objects when the trial cannot run again and is not the best so far.
    template <class Make>
    auto& keep(Make&& make) {
        using T = std::remove_cvref_t<decltype(make())>;
        if (T* existing = kept<T>()) return *existing;
        // new T(make()) builds in place (guaranteed elision): T need not be movable.
        std::shared_ptr<T> object(new T(make()));
        kept_.push_back({&detail::type_key<T>, object});
        return *object;
    }
    // The object of type T kept by keep(), or nullptr.
    template <class T>
    T* kept() {
        for (auto& k : kept_)
            if (k.key == &detail::type_key<T>) return static_cast<T*>(k.object.get());
        return nullptr;
    }
    bool keeps_anything() const { return !kept_.empty(); }
    void release() { kept_.clear(); }

    // --- What happened (set by the tuner) -----------------------------------------

    // The score of the last evaluation (NaN before any, or when it failed).
    double score() const { return score_; }
    // The budget of the last evaluation: the most epochs this trial trained.
    const Budget& budget() const { return budget_; }
    std::size_t evaluations() const { return evaluations_; }
    // Wall time of all its evaluations.
    double seconds() const { return seconds_; }
    // The objective threw NumericError (training diverged) or returned NaN/infinity.
    bool failed() const { return failed_; }
    const std::string& note() const { return note_; }
    // Still in the running (a Hyperband bracket may promote it): its objects are kept.
    bool alive() const { return alive_; }

    TYPENET_INLINE void record(const Budget& b, double score, double seconds, bool failed, std::string note);
    void set_alive(bool alive) { alive_ = alive; }

private:
    // The value of hyperparameter `name`; an unknown name is an error naming the known ones.
    TYPENET_INLINE const Value& value(std::string_view name) const;
    // The errors of get<T>, which say what the value is and how to read it.
    [[noreturn]] TYPENET_INLINE void not_a_text(std::string_view name) const;
    [[noreturn]] TYPENET_INLINE void not_a_number(std::string_view name) const;
    [[noreturn]] TYPENET_INLINE void not_an_integer(std::string_view name) const;

    struct Kept {
        const void* key;
        std::shared_ptr<void> object;
    };

    std::size_t id_;
    Configuration configuration_;
    std::string architecture_name_;
    Seed seed_;
    std::shared_ptr<const Space> space_;
    std::vector<Kept> kept_;
    double score_ = std::numeric_limits<double>::quiet_NaN();
    Budget budget_{0, 0};
    std::size_t evaluations_ = 0;
    double seconds_ = 0;
    bool failed_ = false;
    std::string note_;
    bool alive_ = true;
};

// Whether score `a` beats score `b` in `direction`; NaN (a failed trial) beats nothing
// and loses to everything.
TYPENET_INLINE bool better(double a, double b, Direction direction);

}  // namespace tn::tune

#if TYPENET_DEFINE_BODIES
#include "typenet/tune/trial.ipp"
#endif
