// fit() and evaluate(): the training loop every lesson uses.
//   auto history = fit(model, data.train, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}},
//                      {.epochs = 10, .batch = 64, .validation = data.test});
// With a learning-rate schedule (train/lr_schedule.hpp), gradient clipping, and
// callbacks after the options (train/callbacks.hpp):
//   tn::EarlyStopping stop{.patience = 5};
//   fit(model, train, loss, Adam{}, {.epochs = 100, .validation = val,
//       .schedule = {schedule::Cosine{.lr = 1e-3f, .period = 5000}, Every::step}, .clip = ClipNorm{1.0}}, stop);
//
// The loop itself does not depend on the network's type: it is compiled once, in
// typenet::precompiled (fit.ipp), and sees the model through train/trainee.hpp.
#pragma once
#include <array>
#include <cstddef>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <type_traits>

#include "typenet/config.hpp"
#include "typenet/model.hpp"
#include "typenet/train/callbacks.hpp"
#include "typenet/train/dataset.hpp"
#include "typenet/train/history.hpp"
#include "typenet/train/lr_schedule.hpp"
#include "typenet/train/position.hpp"
#include "typenet/train/progress.hpp"
#include "typenet/train/trainee.hpp"

namespace tn {

struct FitOptions {
    // The last epoch to run. Epochs count from the start of the run: resumed from a
    // position after epoch k, fit trains epochs k + 1 to `epochs`.
    std::size_t epochs = 1;
    std::size_t batch = 32;
    std::optional<std::reference_wrapper<const Dataset>> validation{};
    bool shuffle = true;
    LrSchedule schedule{};  // none: the optimizer's rate stays as given (train/lr_schedule.hpp)
    GradientClip clip{};    // e.g. ClipNorm{1.0}
    // Continue a run from where it stood (FitState::position(), saved with the
    // checkpoint API): the generator, step counts, rate and schedule state. The model
    // and the optimizer's state are restored by the caller, before fit.
    std::optional<TrainingPosition> resume_from{};
    Verbosity verbosity = Verbosity::Auto;
    // Called after every epoch, after the callbacks; return false to stop training there.
    std::function<bool(const EpochRecord&)> on_epoch{};
    // Data augmentation (data/augment.hpp): changes each gathered training batch in
    // place (`batch` samples of the model's input size, as floats) before its step.
    // Its generator is split off the model's at the start of every epoch, and only
    // when this is set, so runs without it draw exactly as before and a run resumed
    // at an epoch boundary augments exactly as the uninterrupted one.
    std::function<void(float* inputs, std::size_t batch, Rng& rng)> augment{};
};

struct Evaluation {
    float loss = 0;  // the mean over every prediction the loss counted
    float accuracy = std::numeric_limits<float>::quiet_NaN();
    // exp(loss), for a cross-entropy in nats (per token for a language model)
    float perplexity = std::numeric_limits<float>::quiet_NaN();
};

namespace detail {
// The loop of fit() and evaluate(), written once for every network (trainee.hpp).
TYPENET_INLINE History run_fit(Trainee& trainee, const Dataset& train, const FitOptions& options,
                               std::span<const CallbackRef> callbacks);
TYPENET_INLINE Evaluation run_evaluate(Scorer& scorer, const Dataset& data, std::size_t batch);
// Checks a data set against what the model reads and the loss expects, and that its
// inputs are finite; `role` ("training", "validation", ...) goes into the message.
TYPENET_INLINE void check_dataset(const Scorer& scorer, const Dataset& data, const std::string& role);
}  // namespace detail

// The mean loss, and the accuracy where the loss has one, of `model` on `data`, in
// batches of `batch` samples (inference mode: no dropout, BatchNorm's running
// statistics).
template <class Net, class Loss>
Evaluation evaluate(Model<Net>& model, const Dataset& data, const Loss&, std::size_t batch = 256) {
    if constexpr (!Model<Net>::valid) {
        return {};
    } else {
        detail::ModelScorer<Net, Loss> scorer(model);
        return detail::run_evaluate(scorer, data, batch);
    }
}

// Trains `model` on `train` for the epochs in `options`, calling each of `callbacks`
// (callbacks.hpp) at its hooks, and returns the History of the epochs it ran.
template <class Net, class Loss, class Optimizer, class... Callbacks>
History fit(Model<Net>& model, const Dataset& train, const Loss& loss, Optimizer&& optimizer,
            const FitOptions& options = {}, Callbacks&&... callbacks) {
    (detail::check_callback<std::remove_reference_t<Callbacks>>(), ...);
    if constexpr (!Model<Net>::valid) {
        return {};
    } else {
        detail::ModelTrainee<Net, Loss, std::remove_reference_t<Optimizer>> trainee(model, loss, optimizer);
        const std::array<detail::CallbackRef, sizeof...(Callbacks)> hooks{detail::callback_ref(callbacks)...};
        return detail::run_fit(trainee, train, options, hooks);
    }
}

}  // namespace tn

#if TYPENET_DEFINE_BODIES
#include "typenet/train/fit.ipp"
#endif
