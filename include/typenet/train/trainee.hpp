// What the training loop needs of a model, its loss and its optimizer, with their
// types erased: a handful of calls per batch.
//
// fit() and evaluate() are the same loop for every network; only the step inside
// it depends on the network's type. So the loop is written once against these two
// interfaces and compiled once, in typenet::precompiled (train/fit.ipp), and a
// program instantiates only the adapters below: one forward, one backward and one
// optimizer step per model type. The indirect call costs nanoseconds per batch,
// against the microseconds to milliseconds of the step itself (design decision 10
// keeps virtual calls out of the per-element loops, which this is not).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <variant>

#include "typenet/core/rng.hpp"
#include "typenet/model.hpp"
#include "typenet/optim/clip.hpp"
#include "typenet/train/dataset.hpp"

namespace tn {

// Clipping of the gradients between backward and the optimizer step (optim/clip.hpp).
using GradientClip = std::variant<std::monostate, ClipNorm, ClipValue>;

namespace detail {

// Clips `grads` as `clip` says (nothing for std::monostate).
inline void apply_clip(const GradientClip& clip, std::span<float> grads) {
    if (const auto* norm = std::get_if<ClipNorm>(&clip)) (*norm)(grads);
    else if (const auto* value = std::get_if<ClipValue>(&clip)) (*value)(grads);
}

// A model and a loss, for evaluation: what a batch scores.
class Scorer {
public:
    // The data set's layout as the model and the loss read it.
    std::size_t input_size = 0;     // floats per sample in
    std::size_t target_width = 0;   // floats per sample of targets the loss reads
    std::size_t predictions = 0;    // accuracy's denominator per sample (0: the loss has no accuracy)
    std::string input_shape;        // "(1, 28, 28)", for messages
    std::string output_shape;
    std::string loss_name;
    bool token_input = false;       // the model reads token ids (Tokens<T>)
    std::size_t token_limit = 0;    // ... below this (0: no limit known)
    std::size_t max_length = 1;     // a sample's length is 1 to this
    bool reports_perplexity = false;  // the loss is a cross-entropy in nats
    std::size_t second_max_length = 0;  // a two-part input's second part (EncoderDecoder's targets)

    // Where `batch` samples of input go.
    virtual float* input(std::size_t batch) = 0;
    // Where their lengths go, for the next step or score only.
    virtual std::uint32_t* lengths(std::size_t batch) = 0;
    // ... and those of a two-part input's second part (null for a one-part model).
    virtual std::uint32_t* second_lengths(std::size_t batch) = 0;
    // Zeroes the state stateful layers carry from batch to batch.
    virtual void reset_state() = 0;
    // Runs the batch in input() in inference mode; returns the mean loss over it,
    // adds the right predictions to `correct` and what the loss counted to `counted`.
    virtual float score(std::size_t batch, const float* targets, std::size_t& correct, std::size_t& counted) = 0;
    // Throws TargetError naming the first target the loss cannot read.
    virtual void check_targets(const float* targets, std::size_t samples) const = 0;

protected:
    ~Scorer() = default;
};

// A model, its loss and its optimizer, for training.
class Trainee : public Scorer {
public:
    // One optimizer step on the batch in input().
    virtual StepResult train_step(std::size_t batch, const float* targets, const GradientClip& clip) = 0;
    virtual void reserve(std::size_t batch) = 0;
    virtual std::uint64_t steps() const = 0;
    virtual void set_steps(std::uint64_t steps) = 0;
    virtual Rng& rng() = 0;
    virtual std::span<float> parameters() = 0;
    virtual std::span<float> buffers() = 0;
    virtual float learning_rate() const = 0;
    virtual void set_learning_rate(float lr) = 0;

protected:
    ~Trainee() = default;
};

// The adapters: each member is one call into the typed Model, Loss or Optimizer.
template <class Net, class Loss, class Base = Scorer>
class ModelScorer : public Base {
    using Out = typename Model<Net>::output_shape;

public:
    explicit ModelScorer(Model<Net>& model) : model_(model) {
        this->input_size = Model<Net>::input_size;
        this->target_width = Loss::template target_width<Out>;
        this->predictions = Loss::template predictions<Out>;
        this->input_shape = shape_string<typename Model<Net>::input_shape>();
        this->output_shape = shape_string<Out>();
        this->loss_name = Loss::name();
        this->token_input = Model<Net>::token_input;
        this->token_limit = Model<Net>::token_limit;
        this->max_length = Model<Net>::max_length;
        this->second_max_length = Model<Net>::second_max_length;
        if constexpr (requires { Loss::reports_perplexity; }) this->reports_perplexity = Loss::reports_perplexity;
    }
    float* input(std::size_t batch) final { return model_.input(batch); }
    std::uint32_t* lengths(std::size_t batch) final { return model_.lengths(batch); }
    std::uint32_t* second_lengths(std::size_t batch) final {
        if constexpr (Model<Net>::second_max_length > 0) return model_.second_lengths(batch);
        else return (void)batch, nullptr;
    }
    void reset_state() final { model_.reset_state(); }
    float score(std::size_t batch, const float* targets, std::size_t& correct, std::size_t& counted) final {
        const auto out = model_.forward(batch, false);
        if constexpr (Loss::template predictions<Out> > 0)
            correct += Loss::template correct<Out>(out.data(), targets, batch);
        counted += counted_predictions<Loss, Out>(targets, batch);
        return Loss::template compute<Out>(out.data(), targets, nullptr, batch);
    }
    void check_targets(const float* targets, std::size_t samples) const final {
        Loss::template check_targets<Out>(targets, samples);
    }

protected:
    Model<Net>& model_;
};

template <class Net, class Loss, class Optimizer>
class ModelTrainee final : public ModelScorer<Net, Loss, Trainee> {
public:
    ModelTrainee(Model<Net>& model, const Loss& loss, Optimizer& optimizer)
        : ModelScorer<Net, Loss, Trainee>(model), loss_(loss), optimizer_(optimizer) {}

    // One instantiation of the step whatever the clipping: the variant is read
    // between backward and the update, once per batch. (std::visit here compiled the
    // whole step, forward and backward of every layer, once per alternative.)
    StepResult train_step(std::size_t batch, const float* targets, const GradientClip& clip) override {
        return this->model_.train_step(batch, targets, loss_, optimizer_,
                                       [&](std::span<float> grads) { apply_clip(clip, grads); });
    }
    void reserve(std::size_t batch) override { this->model_.reserve(batch); }
    std::uint64_t steps() const override { return this->model_.steps(); }
    void set_steps(std::uint64_t steps) override { this->model_.set_steps(steps); }
    Rng& rng() override { return this->model_.rng(); }
    std::span<float> parameters() override { return this->model_.parameters(); }
    std::span<float> buffers() override { return this->model_.buffers(); }
    float learning_rate() const override { return optimizer_.learning_rate(); }
    void set_learning_rate(float lr) override { optimizer_.set_learning_rate(lr); }

private:
    const Loss& loss_;
    Optimizer& optimizer_;
};

}  // namespace detail
}  // namespace tn
