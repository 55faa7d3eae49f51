// Mean squared error over every output element (PyTorch's MSELoss, reduction mean).
#pragma once
#include <string>

#include "typenet/losses/loss.hpp"

namespace tn {

struct MSE {
    static std::string name() { return "MSE"; }
    template <class Out> static constexpr std::size_t target_width = Out::size;
    template <class Out> static constexpr std::size_t predictions = 0;

    template <class Out>
    static float compute(const float* out, const float* target, float* grad, std::size_t batch) {
        const std::size_t n = Out::size * batch;
        const float scale = 2.f / float(n);
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const float d = out[i] - target[i];
            sum += double(d) * d;
            if (grad) grad[i] = scale * d;
        }
        return static_cast<float>(sum / double(n));
    }
    template <class Out>
    static std::size_t correct(const float*, const float*, std::size_t) { return 0; }
    template <class Out>
    static void check_targets(const float* t, std::size_t samples) {
        detail::check_finite_targets(name(), t, samples * Out::size, Out::size);
    }
};

}  // namespace tn
