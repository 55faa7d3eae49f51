// The bodies of core/non_finite.hpp: inline in a header-only build, compiled once
// into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <cmath>
#include <cstdio>

#include "typenet/core/non_finite.hpp"

namespace tn::detail {

namespace non_finite {
// The index of the first non-finite value, or n.
inline std::size_t first_non_finite(std::span<const float> v) {
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i])) return i;
    return v.size();
}
inline std::string number(double v) {
    char s[32];
    std::snprintf(s, sizeof s, "%g", v);
    return s;
}
inline bool belongs_to(const std::string& parameter, std::size_t layer) {
    return parameter.rfind(std::to_string(layer) + ".", 0) == 0;  // "2.weight" is layer 2's
}
}  // namespace non_finite

TYPENET_INLINE std::string describe_non_finite_loss(std::uint64_t step, float loss, std::span<const float> input,
                                                    std::size_t input_size, const std::vector<LayerOutput>& outputs,
                                                    const std::vector<NamedTensor>& parameters) {
    std::string msg = "training stopped at step " + std::to_string(step) + ": the loss is " + non_finite::number(loss) + ". ";
    if (const std::size_t bad = non_finite::first_non_finite(input); bad < input.size())
        return msg + "The input batch itself holds a " + (std::isnan(input[bad]) ? "NaN" : "infinity") +
               " (sample " + std::to_string(bad / input_size) + " of the batch, input value " +
               std::to_string(bad % input_size) + "): check the data or the augmentation.";
    for (const LayerOutput& out : outputs) {
        if (non_finite::first_non_finite(out.values) == out.values.size()) continue;
        msg += "The first non-finite value is in the output of layer " + std::to_string(out.index) + " (" +
               out.name + ")";
        for (const NamedTensor& p : parameters)
            if (non_finite::belongs_to(p.name, out.index) && non_finite::first_non_finite(p.values) < p.values.size()) {
                msg += "; its parameter " + p.name +
                       " is already non-finite, so an earlier update diverged: lower the learning rate or clip "
                       "gradients";
                break;
            }
        return msg + '.';
    }
    // The loss overflowed on finite outputs (MSE squares them): either the outputs
    // grew huge, which is divergence, or the targets are huge.
    float largest = 0;
    std::string where;
    for (const LayerOutput& out : outputs)
        for (float v : out.values)
            if (std::abs(v) > largest) {
                largest = std::abs(v);
                where = "layer " + std::to_string(out.index) + " (" + out.name + ")";
            }
    msg += "Every layer's output is finite, so the loss overflowed on them; the largest output, " + non_finite::number(largest) +
           ", is in " + where;
    return msg + (largest > 1e6f ? ": training diverged, lower the learning rate or clip gradients."
                                 : ": check the targets.");
}

TYPENET_INLINE std::string describe_non_finite_update(std::uint64_t step, const std::vector<NamedTensor>& parameters) {
    for (const NamedTensor& p : parameters) {
        const std::size_t bad = non_finite::first_non_finite(p.values);
        if (bad == p.values.size()) continue;
        std::string msg = "training stopped at step " + std::to_string(step) + ": the optimizer's update made " +
                          p.name + " non-finite (element " + std::to_string(bad) + " is " + non_finite::number(p.values[bad]);
        if (bad < p.gradients.size()) msg += ", its gradient " + non_finite::number(p.gradients[bad]);
        return msg + "), although the loss was finite: the step was too large; lower the learning rate or clip "
                     "gradients. The model's weights are no longer usable: reload the last checkpoint.";
    }
    return "training stopped at step " + std::to_string(step) +
           ": the parameters were reported non-finite, but none is (a bug in typenet: please report it)";
}

}  // namespace tn::detail
