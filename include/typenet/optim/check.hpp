// Hyperparameter checks shared by the optimizers: a NaN, negative or zero learning
// rate (or a beta of 1, a negative momentum, ...) is refused where the optimizer is
// built, in set_learning_rate and before each step (the options are public), with
// the optimizer's name, the hyperparameter's and the value, instead of turning the
// weights into NaN some steps later.
#pragma once
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tn::detail {

inline std::string show_hyperparameter(float v) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", double(v));
    return text;
}

// Where a rate is checked: a new optimizer needs a positive rate; a schedule may
// bring it down to 0 (schedule::Cosine's min_lr) once training runs, so
// set_learning_rate and step accept 0.
enum class RateCheck { construction, update };

inline void check_learning_rate(std::string_view optimizer, float lr, RateCheck when) {
    const bool ok = std::isfinite(lr) && (when == RateCheck::construction ? lr > 0.f : lr >= 0.f);
    if (!ok)
        throw std::invalid_argument(std::string(optimizer) + ": the learning rate must be a finite number " +
                                    (when == RateCheck::construction ? "above 0" : "of at least 0") + ", got " +
                                    show_hyperparameter(lr));
}

// v must be finite and in [low, high) (high_open) or [low, high].
inline void check_in_range(std::string_view optimizer, const char* what, float v, float low, float high,
                           bool high_open = true) {
    const bool ok = std::isfinite(v) && v >= low && (high_open ? v < high : v <= high);
    if (!ok)
        throw std::invalid_argument(std::string(optimizer) + ": " + what + " must be in [" + show_hyperparameter(low) + ", " +
                                    show_hyperparameter(high) + (high_open ? ")" : "]") + ", got " +
                                    show_hyperparameter(v));
}

inline void check_positive(std::string_view optimizer, const char* what, float v) {
    if (!(std::isfinite(v) && v > 0.f))
        throw std::invalid_argument(std::string(optimizer) + ": " + what + " must be a finite number above 0, got " +
                                    show_hyperparameter(v));
}

inline void check_non_negative(std::string_view optimizer, const char* what, float v) {
    if (!(std::isfinite(v) && v >= 0.f))
        throw std::invalid_argument(std::string(optimizer) + ": " + what + " must be a finite number of at least 0, got " +
                                    show_hyperparameter(v));
}

}  // namespace tn::detail
