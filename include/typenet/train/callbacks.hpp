// Callbacks: code that fit() runs at fixed points of training.
//
// A callback is any object with one or more of these members, each taking the
// run's FitState (what is known at that point, and the means to act on it):
//
//   void on_train_begin(tn::FitState&);   before the first epoch
//   void on_epoch_begin(tn::FitState&);   after the schedule set this epoch's rate
//   void on_batch_end(tn::FitState&);     after each optimizer step (state.last_step)
//   void on_epoch_end(tn::FitState&);     this epoch's record complete, validation included
//   void on_train_end(tn::FitState&);     after the last epoch, or after a stop
//
// fit() finds the members that exist with requires-expressions, so a callback
// declares only what it needs, needs no base class, and costs nothing where it has
// no member: no virtual call per batch. Callbacks go after the options and are
// held by reference, so the caller can read them afterwards:
//
//   tn::EarlyStopping stop{.patience = 3};
//   fit(model, train, loss, adam, {.epochs = 100, .validation = val}, stop, tn::LogLearningRate{});
//   std::printf("best epoch: %zu\n", stop.best_epoch);
//
// Any callback may end training with state.stop(): after the current batch when
// called in on_batch_end, else after the current epoch. Callbacks run in the order
// given; a learning-rate schedule in the options has already updated the rate when
// on_epoch_end runs, so that state.position() is where the next epoch starts.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/model.hpp"
#include "typenet/train/history.hpp"
#include "typenet/train/lr_schedule.hpp"
#include "typenet/train/position.hpp"

namespace tn {

namespace detail {
class FitLoop;
class Trainee;
}  // namespace detail

// What a callback sees of a run in progress. fit() owns it; callbacks get it by reference.
class FitState {
public:
    std::size_t epoch = 0;       // the current epoch, 1-based; after a resume it continues the count
    std::size_t epochs = 0;      // the last epoch fit() will run (FitOptions::epochs)
    std::uint64_t step = 0;      // optimizer steps the model has taken (Model::steps()), resumes included
    std::size_t batch = 0;       // batches done in the current epoch
    StepResult last_step{};      // on_batch_end: the loss and right predictions of that batch
    bool has_validation = false; // whether each record has val_loss (and val_accuracy)
    bool verbose = false;        // whether fit prints; callbacks that print follow it

    // The epochs finished so far in this call of fit(), the current one last in on_epoch_end.
    const History& history() const { return *history_; }
    // The current epoch's record, in on_epoch_end and on_train_end. Mutable: a callback
    // may add to it (the CSV and plots read it afterwards).
    EpochRecord& record() {
        if (history_->epochs.empty())
            throw std::logic_error("FitState::record: no epoch has finished yet (call it from on_epoch_end)");
        return history_->epochs.back();
    }

    // The model's trainable parameters, and its non-trainable buffers (running
    // statistics) where the network has any: what a snapshot of the weights copies.
    std::span<float> parameters() const { return parameters_; }
    std::span<float> buffers() const { return buffers_; }

    // The optimizer's rate. A schedule in the options overrides what a callback sets
    // at its next update (each epoch or each step).
    TYPENET_INLINE float learning_rate() const;
    TYPENET_INLINE void set_learning_rate(float lr);

    // Ends training: after this batch when called in on_batch_end, else after this epoch.
    void stop(std::string reason = {}) {
        stop_requested_ = true;
        if (!reason.empty()) stop_reason_ = std::move(reason);
    }
    bool stopping() const { return stop_requested_; }
    const std::string& stop_reason() const { return stop_reason_; }

    // Whether the current epoch was cut short by a stop in on_batch_end.
    bool partial_epoch() const { return partial_epoch_; }

    // Where the run stands, to save with the model and the optimizer's state and
    // resume from later (FitOptions::resume_from). Defined at epoch boundaries only:
    // on_train_begin, on_epoch_begin, on_epoch_end and on_train_end after whole epochs.
    TYPENET_INLINE TrainingPosition position() const;

private:
    friend class detail::FitLoop;

    TYPENET_INLINE FitState(History& history, detail::Trainee& trainee);

    History* history_;
    std::span<float> parameters_, buffers_;
    detail::Trainee* trainee_;
    const schedule::ReduceOnPlateau* plateau_ = nullptr;
    std::uint64_t schedule_step_ = 0;
    std::uint64_t completed_epochs_ = 0;
    bool at_boundary_ = true;
    bool partial_epoch_ = false;
    bool stop_requested_ = false;
    std::string stop_reason_;
};

// --- How fit() finds a callback's members -----------------------------------------
namespace detail {
template <class C> concept HasTrainBegin = requires(C& c, FitState& s) { c.on_train_begin(s); };
template <class C> concept HasEpochBegin = requires(C& c, FitState& s) { c.on_epoch_begin(s); };
template <class C> concept HasBatchEnd = requires(C& c, FitState& s) { c.on_batch_end(s); };
template <class C> concept HasEpochEnd = requires(C& c, FitState& s) { c.on_epoch_end(s); };
template <class C> concept HasTrainEnd = requires(C& c, FitState& s) { c.on_train_end(s); };

// A member of that name that cannot be called with a FitState& (a wrong signature
// would otherwise be skipped in silence).
template <class C> concept WrongTrainBegin = requires { &C::on_train_begin; } && !HasTrainBegin<C>;
template <class C> concept WrongEpochBegin = requires { &C::on_epoch_begin; } && !HasEpochBegin<C>;
template <class C> concept WrongBatchEnd = requires { &C::on_batch_end; } && !HasBatchEnd<C>;
template <class C> concept WrongEpochEnd = requires { &C::on_epoch_end; } && !HasEpochEnd<C>;
template <class C> concept WrongTrainEnd = requires { &C::on_train_end; } && !HasTrainEnd<C>;

template <class C>
concept FitCallback = HasTrainBegin<C> || HasEpochBegin<C> || HasBatchEnd<C> || HasEpochEnd<C> || HasTrainEnd<C>;
template <class C>
concept WrongHook = WrongTrainBegin<C> || WrongEpochBegin<C> || WrongBatchEnd<C> || WrongEpochEnd<C> || WrongTrainEnd<C>;

template <class C>
constexpr bool check_callback() {
    static_assert(!WrongTrainBegin<C>, "fit: a callback's on_train_begin must take (tn::FitState&)");
    static_assert(!WrongEpochBegin<C>, "fit: a callback's on_epoch_begin must take (tn::FitState&)");
    static_assert(!WrongBatchEnd<C>, "fit: a callback's on_batch_end must take (tn::FitState&)");
    static_assert(!WrongEpochEnd<C>, "fit: a callback's on_epoch_end must take (tn::FitState&)");
    static_assert(!WrongTrainEnd<C>, "fit: a callback's on_train_end must take (tn::FitState&)");
    static_assert(FitCallback<C> || WrongHook<C>,  // one error, not two, for a hook with a wrong signature
                  "fit: every argument after the options is a callback, with at least one of on_train_begin, "
                  "on_epoch_begin, on_batch_end, on_epoch_end, on_train_end taking (tn::FitState&)");
    return true;
}

// A callback with its type erased: fit() makes one per callback, and the loop
// (compiled once, train/fit.ipp) calls the hooks it has; a hook it lacks is null.
struct CallbackRef {
    void* self = nullptr;
    void (*train_begin)(void*, FitState&) = nullptr;
    void (*epoch_begin)(void*, FitState&) = nullptr;
    void (*batch_end)(void*, FitState&) = nullptr;
    void (*epoch_end)(void*, FitState&) = nullptr;
    void (*train_end)(void*, FitState&) = nullptr;
};

template <class C>
CallbackRef callback_ref(C& callback) {
    CallbackRef r{.self = &callback};
    if constexpr (HasTrainBegin<C>) r.train_begin = [](void* c, FitState& s) { static_cast<C*>(c)->on_train_begin(s); };
    if constexpr (HasEpochBegin<C>) r.epoch_begin = [](void* c, FitState& s) { static_cast<C*>(c)->on_epoch_begin(s); };
    if constexpr (HasBatchEnd<C>) r.batch_end = [](void* c, FitState& s) { static_cast<C*>(c)->on_batch_end(s); };
    if constexpr (HasEpochEnd<C>) r.epoch_end = [](void* c, FitState& s) { static_cast<C*>(c)->on_epoch_end(s); };
    if constexpr (HasTrainEnd<C>) r.train_end = [](void* c, FitState& s) { static_cast<C*>(c)->on_train_end(s); };
    return r;
}

// The metric a callback watches, checked once before training: a known name, and a
// validation set when it is a val_ metric.
inline float EpochRecord::* watched_metric(const std::string& who, const std::string& name, const FitState& state) {
    float EpochRecord::* field = metric_field(name);
    if (!field)
        throw std::invalid_argument(who + ": no metric named '" + name + "'; the metrics are " + metric_names);
    if (name.rfind("val_", 0) == 0 && !state.has_validation)
        throw std::invalid_argument(who + " watches " + name +
                                    ", but fit() has no validation set: pass .validation, or watch \"" +
                                    name.substr(4) + "\"");
    return field;
}
inline float read_metric(const std::string& who, const std::string& name, float EpochRecord::* field,
                         const EpochRecord& record) {
    const float v = record.*field;
    if (std::isnan(v))
        throw std::invalid_argument(who + " watches " + name + ", but epoch " + std::to_string(record.epoch) +
                                    " has none (a loss without predictions has no accuracy)");
    return v;
}
}  // namespace detail

// --- Early stopping ------------------------------------------------------------------

// Stops when the watched metric has not improved by more than min_delta for
// `patience` epochs in a row, and then (restore_best_weights) puts back the
// parameters, and buffers, of the best epoch, so the model is the one that
// validated best rather than the one that had begun to over-fit. Unlike Keras,
// restoring is the default, and it also happens when the epochs run out after the
// best one. Its memory (best, wait) is not part of a TrainingPosition.
struct EarlyStopping {
    enum class Mode { automatic, min, max };  // automatic: max for accuracies, min otherwise

    std::string monitor = "val_loss";
    Mode mode = Mode::automatic;
    std::size_t patience = 5;
    float min_delta = 0;
    bool restore_best_weights = true;

    // What happened; read them after fit().
    std::size_t best_epoch = 0;  // 0: no epoch yet
    float best = std::numeric_limits<float>::quiet_NaN();
    std::size_t stopped_epoch = 0;  // 0: it did not stop training
    std::size_t wait = 0;           // epochs since the best one
    std::vector<float> best_parameters{}, best_buffers{};

    bool maximizes() const {
        return mode == Mode::max || (mode == Mode::automatic && monitor.find("accuracy") != std::string::npos);
    }

    void on_train_begin(FitState& s) {
        detail::watched_metric("EarlyStopping", monitor, s);
        best_epoch = stopped_epoch = wait = 0;
        best = std::numeric_limits<float>::quiet_NaN();
    }

    void on_epoch_end(FitState& s) {
        const float v = detail::read_metric("EarlyStopping", monitor, metric_field(monitor), s.record());
        const bool improved = best_epoch == 0 || (maximizes() ? v > best + min_delta : v < best - min_delta);
        if (improved) {
            best = v;
            best_epoch = s.epoch;
            wait = 0;
            if (restore_best_weights) {
                best_parameters.assign(s.parameters().begin(), s.parameters().end());
                best_buffers.assign(s.buffers().begin(), s.buffers().end());
            }
            return;
        }
        if (++wait >= patience) {
            stopped_epoch = s.epoch;
            s.stop("EarlyStopping: " + monitor + " has not improved for " + std::to_string(wait) +
                   " epochs (best " + std::to_string(best) + " at epoch " + std::to_string(best_epoch) + ")");
        }
    }

    void on_train_end(FitState& s) {
        if (!restore_best_weights || best_epoch == 0 || s.history().epochs.empty() ||
            s.history().epochs.back().epoch == best_epoch)
            return;
        std::copy(best_parameters.begin(), best_parameters.end(), s.parameters().begin());
        std::copy(best_buffers.begin(), best_buffers.end(), s.buffers().begin());
        if (s.verbose)
            std::fprintf(stderr, "EarlyStopping: restored the weights of epoch %zu (%s %.4g)\n", best_epoch,
                         monitor.c_str(), double(best));
    }
};

// --- Learning-rate log ---------------------------------------------------------------

// Prints the learning rate when an epoch starts with a rate different from the
// last one printed (the first epoch always): a schedule's steps, in the log.
struct LogLearningRate {
    float last = std::numeric_limits<float>::quiet_NaN();

    void on_epoch_begin(FitState& s) {
        const float lr = s.learning_rate();
        if (lr == last) return;
        if (std::isnan(last)) std::fprintf(stderr, "epoch %zu: learning rate %.4g\n", s.epoch, double(lr));
        else std::fprintf(stderr, "epoch %zu: learning rate %.4g -> %.4g\n", s.epoch, double(last), double(lr));
        last = lr;
    }
};

// --- Training-loss curve ----------------------------------------------------------------

// Records the training loss averaged over every `window` steps: one batch's loss is
// noisy, one point per epoch hides the first steps, a window's mean is a curve one can
// read. `step[i]` is the step that closed window i (counted as FitState::step), `loss[i]`
// its mean. Lessons 09-11 plot it.
struct LossEvery {
    std::size_t window = 100;
    std::vector<double> step, loss;
    double sum = 0;
    std::size_t count = 0;

    void on_batch_end(FitState& s) {
        sum += s.last_step.loss;
        if (++count == window) {
            step.push_back(double(s.step));
            loss.push_back(sum / double(count));
            sum = 0, count = 0;
        }
    }
};

// --- Checkpoints -----------------------------------------------------------------------

// Calls `save` at the end of every `every`-th epoch (epoch numbers count from the
// start of the run, so a resumed run keeps the same rhythm), with the run's state:
// save the model, the optimizer's state and state.position() there. Epochs cut
// short by a stop are skipped, since no position exists inside an epoch.
struct CheckpointEvery {
    std::size_t every = 1;
    std::function<void(const FitState&)> save{};

    void on_train_begin(FitState&) {
        if (every == 0) throw std::invalid_argument("CheckpointEvery: every must be at least 1 epoch");
        if (!save) throw std::invalid_argument("CheckpointEvery: no save function given");
    }
    void on_epoch_end(FitState& s) {
        if (s.epoch % every == 0 && !s.partial_epoch()) save(s);
    }
};

}  // namespace tn

#if TYPENET_DEFINE_BODIES
#include "typenet/train/callbacks.ipp"
#endif
