// The loss protocol. A loss is a stateless struct with
//   static std::string name();
//   template <class Out> static constexpr std::size_t target_width;  // floats per sample
//   template <class Out> static constexpr std::size_t predictions;   // accuracy denominator per sample (0: none)
//   template <class Out> static float compute(const float* out, const float* target,
//                                             float* grad, std::size_t batch);
//       mean loss over the batch; when grad is not null it also writes dL/dout
//       in the same pass (softmax + cross-entropy is one loop, decision 7).
//   template <class Out> static std::size_t correct(const float* out, const float* target, std::size_t batch);
//   template <class Out> static void check_targets(const float* target, std::size_t samples);
//       throws TargetError naming the first bad sample: run once per data set, not per step.
#pragma once
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace tn {

struct TargetError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

namespace detail {
inline std::string format_float(float v) {
    std::string s = std::to_string(v);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

// Binary targets must be 0 or 1 (hinge maps them to -1/+1 itself).
inline void check_binary_targets(const std::string& loss, const float* t, std::size_t count, std::size_t width) {
    for (std::size_t i = 0; i < count; ++i)
        if (!(t[i] == 0.f || t[i] == 1.f))
            throw TargetError(loss + ": target of sample " + std::to_string(i / width) + " is " +
                              format_float(t[i]) + ", expected 0 or 1");
}
inline void check_finite_targets(const std::string& loss, const float* t, std::size_t count, std::size_t width) {
    for (std::size_t i = 0; i < count; ++i)
        if (!std::isfinite(t[i]))
            throw TargetError(loss + ": target of sample " + std::to_string(i / width) + " is not a finite number");
}
}  // namespace detail

}  // namespace tn
