// Model<Net>: a network type made real. It owns three 64-byte aligned arenas:
// parameters, their gradients, and activations (sized per batch at compile time,
// grown only when a larger batch arrives), so that after the first step of a
// given batch size a training step allocates nothing (design decision 2).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "typenet/core/aligned_buffer.hpp"
#include "typenet/core/errors.hpp"
#include "typenet/core/input.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/numeric_error.hpp"
#include "typenet/core/rng.hpp"

namespace tn {

// A parameter tensor seen by name, as checkpoints and lessons see it.
struct NamedTensor {
    std::string name;
    std::vector<std::size_t> shape;
    std::span<float> values;
    std::span<float> gradients;
};

// What one training step reports.
struct StepResult {
    float loss = 0;
    std::size_t correct = 0;  // predictions that were right (when the loss defines accuracy)
};

namespace detail {
// Whether a network starts with an Input, read from its template arguments alone.
// Asking the network itself (`Net::rooted`) would instantiate it, and after a shape
// error inside it clang then reports this check as failing too.
template <class Net>
inline constexpr bool starts_with_input = false;
template <template <class...> class Container, class First, class... Rest>
inline constexpr bool starts_with_input<Container<First, Rest...>> = InputSpec<First>;

// What Model works on in place of a network without an Input, so that the
// MissingInput error is the only one (no "no type named input_shape" after it).
struct NoNetwork {
    using input_shape = InvalidShape;
    using output_shape = InvalidShape;
    static constexpr bool valid = false;
    static constexpr std::size_t param_count = 0, cache_size = 0, workspace_size = 0;
};

// Model's rule (asserted in a function body: see core/errors.hpp for why).
template <class Net>
constexpr auto check_rooted() {
    static_assert(MissingInput<Net, starts_with_input<Net>>::ok,
                  "Model: the network has no Input; write Sequential<Input<dims...>, layers...>");
    return starts_with_input<Net>;
}
}  // namespace detail

template <class Net>
class Model {
    using input_rule = decltype(detail::check_rooted<Net>());
    using RootedNet = std::conditional_t<detail::starts_with_input<Net>, Net, detail::NoNetwork>;

public:
    using network = Net;
    using input_shape = typename RootedNet::input_shape;
    using output_shape = typename RootedNet::output_shape;
    static constexpr bool valid = RootedNet::valid;
    static constexpr std::size_t param_count = RootedNet::param_count;
    static constexpr std::size_t input_size = input_shape::size;
    static constexpr std::size_t output_size = output_shape::size;

    explicit Model(Seed seed = Seed{0}) : params_(param_count + 1), grads_(param_count + 1) { initialize(seed); }

    // Draws fresh weights. The seed also drives shuffling and dropout afterwards.
    void initialize(Seed seed) {
        rng_.reseed(seed);
        Rng init_rng = rng_.split();
        if constexpr (valid) RootedNet::init(params_.data(), init_rng);
        steps_ = 0;
    }

    std::span<float> parameters() { return {params_.data(), param_count}; }
    std::span<const float> parameters() const { return {params_.data(), param_count}; }
    std::span<float> gradients() { return {grads_.data(), param_count}; }
    std::span<const float> gradients() const { return {grads_.data(), param_count}; }
    Rng& rng() { return rng_; }
    std::uint64_t steps() const { return steps_; }

    // Named views (layers.3.weight, ...) in parameter order.
    std::vector<NamedTensor> named_parameters() {
        std::vector<NamedTensor> out;
        if constexpr (valid)
            RootedNet::for_each_param(
                [&](const std::string& name, std::size_t offset, std::vector<std::size_t> shape) {
                    std::size_t n = 1;
                    for (auto d : shape) n *= d;
                    out.push_back(
                        {name, std::move(shape), {params_.data() + offset, n}, {grads_.data() + offset, n}});
                });
        return out;
    }
    NamedTensor parameter(const std::string& name) {
        for (auto& t : named_parameters())
            if (t.name == name) return t;
        throw std::out_of_range("Model: no parameter named '" + name + "'");
    }

    // --- The allocation-free low-level API ---------------------------------------

    // Makes room for `batch` samples (allocates only when batch grows).
    void reserve(std::size_t batch) {
        if (batch <= capacity_) return;
        activations_.resize(per_sample_floats * batch);
        capacity_ = batch;
    }

    // Where the next batch goes: [batch, input_shape...], row-major.
    float* input(std::size_t batch) {
        reserve(batch);
        return activations_.data();
    }

    // Runs the network on the first `batch` samples of input(); returns the output.
    std::span<const float> forward(std::size_t batch, bool training = false) {
        reserve(batch);
        batch_ = batch;
        pass_ = Pass{.batch = batch, .training = training, .rng = &rng_};
        if constexpr (valid) RootedNet::forward(pass_, params_.data(), x(), y(), cache(), workspace());
        return {y(), output_size * batch};
    }
    std::span<const float> output() const { return {y(), output_size * batch_}; }

    // Gradients of all parameters for the last forward, given dL/d(output). With
    // d_input, also dL/d(input) [batch, input_shape...] (gradient checks, saliency);
    // without it the first layer skips that work.
    void backward(const float* d_output, float* d_input = nullptr) {
        if constexpr (valid)
            RootedNet::backward(pass_, params_.data(), x(), y(), d_output, d_input, grads_.data(), cache(),
                                workspace());
    }

    // One step of training on the batch already in input(): forward, fused loss and
    // gradient, backward, update. Stops with a NumericError naming the step and the
    // layer where a NaN or infinity first shows.
    template <class Loss, class Optimizer>
    StepResult train_step(std::size_t batch, const float* targets, const Loss&, Optimizer& optimizer) {
        forward(batch, true);
        StepResult r;
        if constexpr (valid) {
            r.loss = Loss::template compute<output_shape>(y(), targets, d_output(), batch);
            if (!std::isfinite(r.loss)) throw NumericError(locate_non_finite(r.loss));
            if constexpr (Loss::template predictions<output_shape> > 0)
                r.correct = Loss::template correct<output_shape>(y(), targets, batch);
            backward(d_output());
            optimizer.step(parameters(), gradients());
        }
        ++steps_;
        return r;
    }

    // --- Convenience -------------------------------------------------------------

    // Output for one sample.
    std::vector<float> predict(std::span<const float> sample) {
        if (sample.size() != input_size)
            throw std::invalid_argument("Model::predict: a sample has " + std::to_string(input_size) +
                                        " values, got " + std::to_string(sample.size()));
        std::copy(sample.begin(), sample.end(), input(1));
        auto out = forward(1, false);
        return {out.begin(), out.end()};
    }

    // Keras-style table: layer, output shape, parameter count.
    void summary(std::ostream& os = std::cout) const {
        std::vector<SummaryRow> rows;
        if constexpr (valid) RootedNet::summarize_children(rows, 0);
        std::size_t name_w = 5, shape_w = 12;
        for (const auto& r : rows) {
            name_w = std::max(name_w, r.name.size() + 2 * r.depth + 14);
            shape_w = std::max(shape_w, r.output_shape.size());
        }
        const std::string rule(name_w + shape_w + 16, '-');
        os << rule << '\n'
           << std::left << std::setw(int(name_w)) << "Layer" << "  " << std::setw(int(shape_w)) << "Output shape"
           << "  " << std::right << std::setw(12) << "Params" << '\n'
           << rule << '\n';
        std::vector<std::size_t> index(1, 0);
        for (const auto& r : rows) {
            index.resize(std::size_t(r.depth) + 1, 0);
            std::string label = std::string(2 * std::size_t(r.depth), ' ') + r.name;
            os << std::left << std::setw(int(name_w)) << label << "  " << std::setw(int(shape_w)) << r.output_shape
               << "  " << std::right << std::setw(12) << with_commas(r.params) << '\n';
        }
        os << rule << '\n'
           << "Input: " << shape_string<input_shape>() << "   Total params: " << with_commas(param_count) << " ("
           << with_commas(param_count * sizeof(float)) << " bytes)\n"
           << rule << '\n';
    }

private:
    static constexpr std::size_t per_sample_floats =
        input_size + 2 * output_size + RootedNet::cache_size + RootedNet::workspace_size;

    float* x() const { return const_cast<float*>(activations_.data()); }
    float* y() const { return x() + input_size * capacity_; }
    float* d_output() const { return y() + output_size * capacity_; }
    float* cache() const { return d_output() + output_size * capacity_; }
    float* workspace() const { return cache() + RootedNet::cache_size * capacity_; }

    static std::string with_commas(std::size_t v) {
        const std::string digits = std::to_string(v);
        std::string s;
        for (std::size_t i = 0; i < digits.size(); ++i) {
            if (i && (digits.size() - i) % 3 == 0) s.push_back(',');
            s.push_back(digits[i]);
        }
        return s;
    }

    static bool all_finite(const float* p, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
            if (!std::isfinite(p[i])) return false;
        return true;
    }

    // Walks the last forward in order and names the first place that is not finite.
    std::string locate_non_finite(float loss) {
        std::ostringstream msg;
        msg << "training stopped at step " << steps_ + 1 << ": the loss is " << loss << ". ";
        if (!all_finite(x(), input_size * batch_)) {
            msg << "The input batch itself contains a NaN or infinity: check the data.";
            return msg.str();
        }
        bool found = false;
        RootedNet::for_each_output(batch_, y(), cache(), [&](std::size_t i, const std::string& name, const float* p,
                                                       std::size_t n) {
            if (found || all_finite(p, n)) return;
            found = true;
            msg << "The first non-finite value is in the output of layers." << i << " (" << name << ")";
            std::string bad_param;
            RootedNet::for_each_param(
                [&](const std::string& pname, std::size_t off, const std::vector<std::size_t>& shape) {
                    std::size_t count = 1;
                    for (auto d : shape) count *= d;
                    if (bad_param.empty() && pname.rfind("layers." + std::to_string(i) + ".", 0) == 0 &&
                        !all_finite(params_.data() + off, count))
                        bad_param = pname;
                });
            if (!bad_param.empty())
                msg << "; its parameter " << bad_param
                    << " is already non-finite, so an earlier update diverged: lower the learning rate or clip"
                       " gradients";
            msg << '.';
        });
        if (!found) {
            // The loss overflowed on finite outputs (MSE squares them): either the
            // outputs grew huge, which is divergence, or the targets are huge.
            float largest = 0;
            std::string where;
            RootedNet::for_each_output(batch_, y(), cache(), [&](std::size_t i, const std::string& name,
                                                                 const float* p, std::size_t n) {
                for (std::size_t k = 0; k < n; ++k)
                    if (std::abs(p[k]) > largest) {
                        largest = std::abs(p[k]);
                        where = "layers." + std::to_string(i) + " (" + name + ")";
                    }
            });
            msg << "Every layer's output is finite, so the loss overflowed on them; the largest output, "
                << largest << ", is in " << where;
            if (largest > 1e6f)
                msg << ": training diverged, lower the learning rate or clip gradients.";
            else
                msg << ": check the targets.";
        }
        return msg.str();
    }

    AlignedBuffer params_, grads_, activations_;
    std::size_t capacity_ = 0, batch_ = 0;
    std::uint64_t steps_ = 0;
    Pass pass_{};
    Rng rng_;
};

}  // namespace tn
