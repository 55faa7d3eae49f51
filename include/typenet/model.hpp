// Model<Net>: a network type made real. It owns five 64-byte aligned arenas:
// parameters, their gradients, buffers (non-trainable state such as BatchNorm's
// running statistics), state (per sample, kept from one call to the next by
// stateful layers) and activations (sized per batch at compile time, grown only
// when a larger batch arrives), so that after the first step of a given batch size
// a training step allocates nothing (design decision 2).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "typenet/core/aligned_buffer.hpp"
#include "typenet/core/errors.hpp"
#include "typenet/core/frozen_parameters.hpp"
#include "typenet/core/input.hpp"
#include "typenet/core/layer.hpp"
#include "typenet/core/model_checks.hpp"
#include "typenet/core/name_pattern.hpp"
#include "typenet/core/named_tensor.hpp"
#include "typenet/core/non_finite.hpp"
#include "typenet/core/numeric_error.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/core/summary.hpp"
#include "typenet/core/tokens.hpp"
#include "typenet/core/type_list.hpp"  // at_t, for layer_view
#include "typenet/kernels/finite.hpp"
#include "typenet/regularize/penalty.hpp"

namespace tn {

// What one training step reports.
struct StepResult {
    float loss = 0;           // the mean over the `counted` predictions
    std::size_t correct = 0;  // predictions that were right (when the loss defines accuracy)
    // What the loss averaged over: batch x predictions per sample, or, for a loss that
    // skips padding (TokenCrossEntropy), the real tokens. fit() weights each batch's
    // loss by it, and accuracy and perplexity count it.
    std::size_t counted = 0;
};

// How many predictions a loss scored in a batch (losses/loss.hpp): its own count
// when it has one, else every sample's (at least one per sample).
template <class Loss, class Out>
std::size_t counted_predictions(const float* targets, std::size_t batch) {
    if constexpr (requires { Loss::template counted<Out>(targets, batch); })
        return Loss::template counted<Out>(targets, batch);
    else
        return batch * std::max<std::size_t>(1, Loss::template predictions<Out>);
}

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

// A decoder (its layers read an encoder's memory) is no model of its own. Judged only
// on a network that starts with its Input, so one error at a time.
// Read from the template arguments, as starts_with_input is: asking Net itself would
// instantiate it first, and a shape error inside it would then print this check's
// lines among its notes.
template <class Net>
inline constexpr bool decoder_network_v = false;
template <template <class...> class Container, class First, class... Rest>
inline constexpr bool decoder_network_v<Container<First, Rest...>> =
    InputSpec<First> && (reads_memory_of<Rest>() || ...);
template <class Net>
consteval bool decoder_network() {
    return decoder_network_v<Net>;
}
template <class Net>
constexpr auto check_not_decoder() {
    static_assert(NeedsMemory<Net, !decoder_network<Net>()>::ok,
                  "Model: this network's layers attend over an encoder's output (memory); it is the Decoder "
                  "of Model<EncoderDecoder<Encoder, Decoder>>, not a model of its own");
    return !decoder_network<Net>();
}
}  // namespace detail

template <class Net>
class Model {
    using input_rule = decltype(detail::check_rooted<Net>());
    using memory_rule = decltype(detail::check_not_decoder<Net>());
    using RootedNet = std::conditional_t<detail::starts_with_input<Net>, Net, detail::NoNetwork>;

public:
    using network = Net;
    using input_shape = typename RootedNet::input_shape;
    using output_shape = typename RootedNet::output_shape;
    static constexpr bool valid = RootedNet::valid;
    static constexpr std::size_t param_count = RootedNet::param_count;
    static constexpr std::size_t buffer_count = buffer_count_of<RootedNet>();
    static constexpr std::size_t input_size = input_shape::size;
    static constexpr std::size_t output_size = output_shape::size;
    // Sequences: the input's first axis is time, up to max_length positions; a
    // Tokens<T> input holds ids below token_limit (its Embedding's vocabulary).
    static constexpr bool token_input = is_token_shape<input_shape>;
    // A two-part input (EncoderDecoder's row: source ids, then target ids) declares
    // each part's longest length: lengths() are the first part's, second_lengths() the
    // second's.
    static constexpr std::size_t max_length = [] {
        if constexpr (requires { RootedNet::length_limit; }) return std::size_t{RootedNet::length_limit};
        else return input_shape::rank > 0 ? std::size_t{input_shape::dims[0]} : std::size_t{1};
    }();
    static constexpr std::size_t second_max_length = [] {
        if constexpr (requires { RootedNet::second_length_limit; }) return std::size_t{RootedNet::second_length_limit};
        else return std::size_t{0};
    }();
    static constexpr std::size_t token_limit = [] {
        if constexpr (requires { RootedNet::token_limit; }) return std::size_t{RootedNet::token_limit};
        else return std::size_t{0};
    }();
    // Floats per sample that survive from one forward to the next (stateful
    // recurrent layers): reset_state() zeroes them.
    static constexpr std::size_t state_size = state_size_of<RootedNet>();

    explicit Model(Seed seed = Seed{0})
        : params_(param_count + 1), grads_(param_count + 1), buffers_(buffer_count + 1) {
        initialize(seed);
        if constexpr (valid) RootedNet::for_each_frozen([&](std::size_t offset, std::size_t n) { frozen_.add(offset, n); });
    }

    // Draws fresh weights and resets the buffers (running statistics). The seed also
    // drives shuffling and dropout afterwards.
    void initialize(Seed seed) {
        rng_.reseed(seed);
        Rng init_rng = rng_.split();
        if constexpr (valid) {
            RootedNet::init(params_.data(), init_rng);
            RootedNet::init_buffers(buffers_.data());
        }
        steps_ = 0;
    }

    std::span<float> parameters() { return {params_.data(), param_count}; }
    std::span<const float> parameters() const { return {params_.data(), param_count}; }
    std::span<float> gradients() { return {grads_.data(), param_count}; }
    std::span<const float> gradients() const { return {grads_.data(), param_count}; }
    // Non-trainable state, all of it (named_buffers() lists what checkpoints save).
    std::span<float> buffers() { return {buffers_.data(), buffer_count}; }
    std::span<const float> buffers() const { return {buffers_.data(), buffer_count}; }
    Rng& rng() { return rng_; }
    std::uint64_t steps() const { return steps_; }
    // A run resumed from a checkpoint continues the count (fit's resume_from).
    void set_steps(std::uint64_t steps) { steps_ = steps; }

    // Named views ("3.weight", ..., as nn.Sequential names them) in parameter order.
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
    // The buffers a checkpoint saves ("2.running_mean", ...), in arena order.
    std::vector<NamedTensor> named_buffers() {
        std::vector<NamedTensor> out;
        if constexpr (valid)
            RootedNet::for_each_buffer(
                [&](const std::string& name, std::size_t offset, std::vector<std::size_t> shape) {
                    std::size_t n = 1;
                    for (auto d : shape) n *= d;
                    out.push_back({name, std::move(shape), {buffers_.data() + offset, n}, {}});
                });
        return out;
    }

    // --- Regularization and dropout, set at run time ------------------------------

    // L1/L2 penalties on every weight (not biases), on top of each layer's own
    // L1<>/L2<> options; train_step adds them to the loss and to the gradients.
    void set_regularization(Regularization r) {
        if (!(r.l1 >= 0.f && r.l2 >= 0.f))
            throw std::invalid_argument("Model::set_regularization: l1 and l2 must be >= 0, got l1 = " +
                                        std::to_string(r.l1) + ", l2 = " + std::to_string(r.l2));
        regularization_ = r;
    }
    Regularization regularization() const { return regularization_; }

    // Every Dropout layer drops with this rate from now on, whatever its type says
    // (for a hyperparameter search); clear_dropout_rate() goes back to the types'.
    void set_dropout_rate(float rate) {
        if (!(rate >= 0.f && rate < 1.f))
            throw std::invalid_argument("Model::set_dropout_rate: the rate must be in [0, 1), got " +
                                        std::to_string(rate));
        dropout_rate_ = rate;
    }
    void clear_dropout_rate() { dropout_rate_.reset(); }
    std::optional<float> dropout_rate() const { return dropout_rate_; }

    // The weight penalties at the current parameters.
    float penalty() const {
        double total = 0;
        if constexpr (valid)
            RootedNet::for_each_weight([&](std::size_t offset, std::size_t n, Regularization own) {
                const Regularization r{own.l1 + regularization_.l1, own.l2 + regularization_.l2};
                if (!r.none()) total += kernels::penalty(params_.data() + offset, nullptr, n, r);
            });
        return static_cast<float>(total);
    }
    // Adds the penalties' gradients to gradients() (after backward, which writes
    // them) and returns the penalties' value.
    float add_penalty() {
        double total = 0;
        if constexpr (valid)
            RootedNet::for_each_weight([&](std::size_t offset, std::size_t n, Regularization own) {
                const Regularization r{own.l1 + regularization_.l1, own.l2 + regularization_.l2};
                if (!r.none()) total += kernels::penalty(params_.data() + offset, grads_.data() + offset, n, r);
            });
        return static_cast<float>(total);
    }

    // --- Freezing (transfer learning) ----------------------------------------------

    // Freezes every parameter tensor named `prefix` or below it ("0" freezes
    // 0.weight and 0.bias, and a block's 0.3.weight, not 10.*), or, when it holds a
    // '*', every tensor whose whole name matches it as a glob ("*.norm1.*";
    // core/name_pattern.hpp): training leaves them bit for bit as they are. Returns how
    // many tensors matched; none is an error that lists the names there are.
    // Frozen<...> in the type freezes for good.
    std::size_t freeze(std::string_view prefix) {
        return for_each_matching(prefix, "freeze", [&](const NamedTensor& t) {
            frozen_.add(offset_of(t), t.values.size());
        });
    }
    // Lets the tensors below `prefix` ("" for all; a glob as freeze's) train again,
    // except those frozen in the type.
    std::size_t unfreeze(std::string_view prefix = "") {
        const std::size_t n = for_each_matching(prefix, "unfreeze", [&](const NamedTensor& t) {
            frozen_.remove(offset_of(t), t.values.size());
        });
        if constexpr (valid) RootedNet::for_each_frozen([&](std::size_t offset, std::size_t count) { frozen_.add(offset, count); });
        return n;
    }
    bool frozen(const std::string& name) {
        const NamedTensor t = parameter(name);
        return frozen_.covers(offset_of(t), t.values.size());
    }
    // Floats that train (param_count less the frozen ones).
    std::size_t trainable_count() const { return param_count - frozen_.count(); }

    NamedTensor parameter(const std::string& name) { return detail::find_parameter(named_parameters(), name); }

    // --- The allocation-free low-level API ---------------------------------------

    // Makes room for `batch` samples (allocates only when batch grows; the state of
    // samples already there is kept).
    void reserve(std::size_t batch) {
        if (batch <= capacity_) return;
        activations_.resize(per_sample_floats * batch);
        lengths_.resize(batch);
        second_lengths_.resize(batch);
        if constexpr (state_size > 0) {
            AlignedBuffer grown(state_size * batch);
            std::fill_n(grown.data(), state_size * batch, 0.f);
            std::copy_n(state_.data(), state_size * capacity_, grown.data());
            state_ = std::move(grown);
        }
        capacity_ = batch;
    }

    // Where the next batch goes: [batch, input_shape...], row-major (token ids as
    // floats for a Tokens<T> input).
    float* input(std::size_t batch) {
        reserve(batch);
        return activations_.data();
    }

    // Where the next batch's lengths go, one per sample (1 to max_length): the next
    // forward() reads them, and later ones read none (every sample full) unless this
    // is called again.
    std::uint32_t* lengths(std::size_t batch) {
        reserve(batch);
        lengths_set_ = true;
        return lengths_.data();
    }

    // The same for the second part of a two-part input (second_max_length > 0: an
    // EncoderDecoder's target lengths, 1 to second_max_length).
    std::uint32_t* second_lengths(std::size_t batch) {
        static_assert(second_max_length > 0 || !valid,
                      "Model::second_lengths: this model's input has one part (only an EncoderDecoder has two)");
        reserve(batch);
        second_lengths_set_ = true;
        return second_lengths_.data();
    }

    // Zeroes the state stateful layers keep between calls: the next batch starts
    // from fresh sequences (truncated BPTT at the start of an epoch, a new text).
    void reset_state() {
        if constexpr (state_size > 0) std::fill_n(state_.data(), state_size * capacity_, 0.f);
    }

    // Runs the network on the first `batch` samples of input(); returns the output.
    std::span<const float> forward(std::size_t batch, bool training = false) {
        reserve(batch);
        batch_ = batch;
        const bool with_lengths = std::exchange(lengths_set_, false);
        if (with_lengths) detail::check_lengths(lengths_.data(), batch, max_length, "", input_facts());
        const bool with_second = std::exchange(second_lengths_set_, false);
        if (with_second)
            detail::check_lengths(second_lengths_.data(), batch, second_max_length, "second (target) ", input_facts());
        pass_ = Pass{.batch = batch,
                     .training = training,
                     .rng = &rng_,
                     .buffers = buffers_.data(),
                     .dropout_rate = dropout_rate_.value_or(-1.f),
                     .lengths = with_lengths ? lengths_.data() : nullptr,
                     .state = state_size > 0 ? state_.data() : nullptr,
                     .state_stride = state_size,
                     .second_lengths = with_second ? second_lengths_.data() : nullptr};
        if constexpr (valid) RootedNet::forward(pass_, params_.data(), x(), y(), cache(), workspace());
        return {y(), output_size * batch};
    }
    std::span<const float> output() const { return {y(), output_size * batch_}; }

    // What top-level layer I kept in the last forward, for layers that offer a view
    // of it (MultiHeadAttention's attention_weights): its bound type, parameters,
    // cache ([batch x its cache_size], laid out as the layer lays it out) and the batch.
    template <std::size_t I>
    struct LayerView {
        using layer = at_t<I, typename RootedNet::layers>;
        const float* params;
        const float* cache;
        std::size_t batch;
    };
    template <std::size_t I>
    LayerView<I> layer_view() const {
        return {params_.data() + RootedNet::param_offsets[I], cache() + RootedNet::cache_offsets[I] * batch_, batch_};
    }

    // Each top-level layer's output from the last forward(), in order, for looking
    // inside a network (activation statistics, lesson 09):
    //   f(std::size_t index, const std::string& name, std::span<const float> values)
    // with values [batch, that layer's output shape...]. A layer fused with the next
    // (Dense + ReLU) never stores its own output, so it shows the pair's; a container
    // (Residual, Repeat) shows its final output.
    template <class F>
    void for_each_layer_output(F&& f) const {
        if constexpr (valid)
            RootedNet::for_each_output(batch_, y(), cache(),
                                       [&](std::size_t i, const std::string& name, const float* p, std::size_t n) {
                                           f(i, name, std::span<const float>(p, n));
                                       });
    }

    // Gradients of all parameters for the last forward, given dL/d(output). With
    // d_input, also dL/d(input) [batch, input_shape...] (gradient checks, saliency);
    // without it the first layer skips that work.
    void backward(const float* d_output, float* d_input = nullptr) {
        if constexpr (valid)
            RootedNet::backward(pass_, params_.data(), x(), y(), d_output, d_input, grads_.data(), cache(),
                                workspace());
    }

    // One step of training on the batch already in input(): forward, fused loss and
    // gradient, backward, weight penalties, update. The loss reported includes the
    // penalties. Stops with a NumericError naming the step and the layer where a NaN
    // or infinity first shows: in the loss, or in the parameters after the update
    // (then the model's weights are already broken, and the message says so).
    template <class Loss, class Optimizer>
    StepResult train_step(std::size_t batch, const float* targets, const Loss& loss, Optimizer& optimizer) {
        return train_step(batch, targets, loss, optimizer, [](std::span<float>) {});
    }
    // The same, with `before_update(gradients())` called between backward and the
    // optimizer step: where gradient clipping goes (fit's `.clip`). A template, not a
    // std::function, so the step still allocates nothing.
    template <class Loss, class Optimizer, class GradientTransform>
    StepResult train_step(std::size_t batch, const float* targets, const Loss&, Optimizer& optimizer,
                          GradientTransform&& before_update) {
        forward(batch, true);
        StepResult r;
        if constexpr (valid) {
            r.loss = Loss::template compute<output_shape>(y(), targets, d_output(), batch);
            r.counted = counted_predictions<Loss, output_shape>(targets, batch);
            if (!std::isfinite(r.loss)) throw NumericError(describe_non_finite_loss(r.loss));
            if constexpr (Loss::template predictions<output_shape> > 0)
                r.correct = Loss::template correct<output_shape>(y(), targets, batch);
            backward(d_output());
            r.loss += add_penalty();
            if (!std::isfinite(r.loss)) throw NumericError(describe_non_finite_loss(r.loss));
            const bool any_frozen = !frozen_.empty();
            if (any_frozen) frozen_.hold(parameters(), gradients());
            before_update(gradients());
            optimizer.step(parameters(), gradients());
            if (any_frozen) frozen_.restore(parameters());
            if (!kernels::all_finite(params_.data(), param_count))
                throw NumericError(detail::describe_non_finite_update(steps_ + 1, named_parameters()));
        }
        ++steps_;
        return r;
    }

    // --- Convenience -------------------------------------------------------------

    // Output for one sample.
    std::vector<float> predict(std::span<const float> sample) {
        detail::check_predict_features(sample.size(), input_facts());
        std::copy(sample.begin(), sample.end(), input(1));
        auto out = forward(1, false);
        return {out.begin(), out.end()};
    }
    // Output for one sequence of token ids, 1 to max_length of them (the rest is
    // padding). An id outside the vocabulary is an error naming its position.
    std::vector<float> predict(std::span<const std::int32_t> ids) {
        detail::check_predict_ids(ids, input_facts());
        float* in = input(1);
        for (std::size_t t = 0; t < ids.size(); ++t) in[t] = float(ids[t]);
        std::fill(in + ids.size(), in + input_size, 0.f);
        lengths(1)[0] = std::uint32_t(ids.size());
        auto out = forward(1, false);
        return {out.begin(), out.end()};
    }

    // Keras-style table: layer, output shape, parameter count (core/summary.hpp).
    std::string summary_table() const {
        std::vector<SummaryRow> rows;
        if constexpr (valid) RootedNet::summarize_children(rows, 0);
        return detail::summary_table(rows, shape_string<input_shape>(), param_count);
    }
    // Prints it to standard output, or to `os`.
    void summary() const { std::fputs(summary_table().c_str(), stdout); }
    void summary(std::ostream& os) const { os << summary_table(); }

private:
    static constexpr std::size_t per_sample_floats =
        input_size + 2 * output_size + RootedNet::cache_size + RootedNet::workspace_size;

    float* x() const { return const_cast<float*>(activations_.data()); }
    float* y() const { return x() + input_size * capacity_; }
    float* d_output() const { return y() + output_size * capacity_; }
    float* cache() const { return d_output() + output_size * capacity_; }
    float* workspace() const { return cache() + RootedNet::cache_size * capacity_; }

    std::size_t offset_of(const NamedTensor& t) const { return std::size_t(t.values.data() - params_.data()); }

    static detail::InputFacts input_facts() {
        return {.dims = {input_shape::dims.data(), input_shape::rank},
                .tokens = token_input,
                .max_length = max_length,
                .token_limit = token_limit,
                .input_size = input_size};
    }

    // Calls f on every parameter tensor named `prefix` or below it; throws when none is.
    template <class F>
    std::size_t for_each_matching(std::string_view prefix, const char* what, F&& f) {
        const auto below = [&](const std::string& name) { return detail::name_matches(prefix, name); };
        std::size_t n = 0;
        std::string names;
        for (const auto& t : named_parameters()) {
            names += (names.empty() ? "" : ", ") + t.name;
            if (below(t.name)) {
                f(t);
                ++n;
            }
        }
        if (n == 0)
            throw std::invalid_argument("Model::" + std::string(what) + ": no parameter is named '" +
                                        std::string(prefix) + "' or below it (or matches it, with a '*'); the "
                                        "parameters are: " +
                                        (names.empty() ? "(none)" : names));
        return n;
    }

    // What the last forward saw, for core/non_finite.hpp to find the first bad place.
    // Cold: on the way to an exception only, so not inlined into the step.
    [[gnu::cold]] std::string describe_non_finite_loss(float loss) {
        std::vector<LayerOutput> outputs;
        for_each_layer_output([&](std::size_t i, const std::string& name, std::span<const float> values) {
            outputs.push_back({i, name, values});
        });
        return detail::describe_non_finite_loss(steps_ + 1, loss, {x(), input_size * batch_}, input_size, outputs,
                                                named_parameters());
    }

    AlignedBuffer params_, grads_, buffers_, activations_, state_;
    std::vector<std::uint32_t> lengths_, second_lengths_;
    bool lengths_set_ = false, second_lengths_set_ = false;
    std::size_t capacity_ = 0, batch_ = 0;
    std::uint64_t steps_ = 0;
    Pass pass_{};
    Rng rng_;
    Regularization regularization_{};
    std::optional<float> dropout_rate_{};
    FrozenParameters frozen_;
};

}  // namespace tn
