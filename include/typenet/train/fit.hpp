// fit() and evaluate(): the training loop every lesson uses.
//   auto history = fit(model, data.train, SoftmaxCrossEntropy{}, SGD{{.lr = 0.1f}},
//                      {.epochs = 10, .batch = 64, .validation = data.test});
// With a learning-rate schedule (train/lr_schedule.hpp), gradient clipping, and
// callbacks after the options (train/callbacks.hpp):
//   tn::EarlyStopping stop{.patience = 5};
//   fit(model, train, loss, Adam{}, {.epochs = 100, .validation = val,
//       .schedule = {schedule::Cosine{.lr = 1e-3f, .period = 5000}, Every::step}, .clip = ClipNorm{1.0}}, stop);
#pragma once
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "typenet/model.hpp"
#include "typenet/optim/clip.hpp"
#include "typenet/train/callbacks.hpp"
#include "typenet/train/dataset.hpp"
#include "typenet/train/history.hpp"
#include "typenet/train/lr_schedule.hpp"
#include "typenet/train/position.hpp"
#include "typenet/train/progress.hpp"

namespace tn {

// Clipping of the gradients between backward and the optimizer step (optim/clip.hpp).
using GradientClip = std::variant<std::monostate, ClipNorm, ClipValue>;

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
    float loss = 0;
    float accuracy = std::numeric_limits<float>::quiet_NaN();
};

namespace detail {
template <class Net, class Loss>
void check_dataset(const Dataset& data, const std::string& role) {
    using M = Model<Net>;
    constexpr std::size_t target_width = Loss::template target_width<typename M::output_shape>;
    if (data.size() == 0) throw std::invalid_argument(role + " set '" + data.name + "' is empty");
    if (data.input_width != M::input_size)
        throw std::invalid_argument(role + " set '" + data.name + "' has " + std::to_string(data.input_width) +
                                    " input values per sample, but the model's Input takes " +
                                    std::to_string(M::input_size) + " " + shape_string<typename M::input_shape>());
    if (data.target_width != target_width)
        throw std::invalid_argument(role + " set '" + data.name + "' has " + std::to_string(data.target_width) +
                                    " target values per sample, but " + Loss::name() + " on output " +
                                    shape_string<typename M::output_shape>() + " reads " +
                                    std::to_string(target_width));
    try {
        Loss::template check_targets<typename M::output_shape>(data.targets.data(), data.size());
    } catch (const TargetError& e) {
        throw TargetError(role + " set '" + data.name + "': " + e.what());
    }
}
}  // namespace detail

template <class Net, class Loss>
Evaluation evaluate(Model<Net>& model, const Dataset& data, const Loss&, std::size_t batch = 256) {
    using Out = typename Model<Net>::output_shape;
    if constexpr (!Model<Net>::valid) {
        return {};
    } else {
        detail::check_dataset<Net, Loss>(data, "evaluation");
        double loss_sum = 0;
        std::size_t hits = 0;
        std::vector<std::size_t> idx(std::min(batch, data.size()));
        std::vector<float> targets(idx.size() * data.target_width);
        for (std::size_t start = 0; start < data.size(); start += batch) {
            const std::size_t n = std::min(batch, data.size() - start);
            for (std::size_t b = 0; b < n; ++b) idx[b] = start + b;
            data.gather({idx.data(), n}, model.input(n), targets.data());
            auto out = model.forward(n, false);
            loss_sum += double(Loss::template compute<Out>(out.data(), targets.data(), nullptr, n)) * double(n);
            if constexpr (Loss::template predictions<Out> > 0)
                hits += Loss::template correct<Out>(out.data(), targets.data(), n);
        }
        Evaluation e{static_cast<float>(loss_sum / double(data.size()))};
        if constexpr (Loss::template predictions<Out> > 0)
            e.accuracy = float(double(hits) / double(data.size() * Loss::template predictions<Out>));
        return e;
    }
}

namespace detail {
// One run of fit(): the loop, its schedule and clipping, and the callbacks' hooks.
template <class Net, class Loss, class Optimizer, class... Callbacks>
class FitLoop {
    using Out = typename Model<Net>::output_shape;
    enum class Hook { train_begin, epoch_begin, batch_end, epoch_end, train_end };

public:
    FitLoop(Model<Net>& model, const Dataset& train, const Loss& loss, Optimizer& optimizer,
            const FitOptions& options, Callbacks&... callbacks)
        : model_(model),
          train_(train),
          loss_(loss),
          optimizer_(optimizer),
          options_(options),
          schedule_(options.schedule),
          callbacks_(callbacks...),
          state_(history_, model.parameters(), model.buffers(), optimizer, model.rng()) {}

    History run() {
        const std::size_t n = train_.size();
        bar_ = options_.verbosity == Verbosity::Bar ||
               (options_.verbosity == Verbosity::Auto && ProgressBar::terminal());
        state_.verbose = options_.verbosity != Verbosity::Quiet;
        state_.epochs = options_.epochs;
        state_.has_validation = options_.validation.has_value();
        if (schedule_.on_plateau()) {
            watched_metric("ReduceOnPlateau", schedule_.monitor(), state_);
            state_.plateau_ = &schedule_.plateau();
        }
        if (options_.resume_from) resume(*options_.resume_from);
        state_.step = model_.steps();
        first_rate_ = optimizer_.learning_rate();

        order_.resize(n);
        targets_.resize(std::min(options_.batch, n) * train_.target_width);
        model_.reserve(std::min(options_.batch, n));

        notify<Hook::train_begin>();
        for (std::size_t epoch = state_.completed_epochs_ + 1; epoch <= options_.epochs && !state_.stopping();
             ++epoch)
            run_epoch(epoch);
        notify<Hook::train_end>();
        return std::move(history_);
    }

private:
    void resume(const TrainingPosition& p) {
        if (p.rng.words == decltype(p.rng.words){})
            throw std::invalid_argument(
                "fit: the position to resume from was never filled in (its generator state is all zeros); take "
                "it from FitState::position() or read it back with the checkpoint API");
        if (p.epoch > options_.epochs)
            throw std::invalid_argument("fit: resuming after epoch " + std::to_string(p.epoch) + ", but .epochs = " +
                                        std::to_string(options_.epochs) +
                                        " is the last epoch to run (.epochs counts from the start of the run, "
                                        "not from the resume)");
        if (!std::isfinite(p.learning_rate) || p.learning_rate < 0)
            throw std::invalid_argument("fit: the position to resume from has learning rate " +
                                        std::to_string(p.learning_rate));
        model_.rng().set_state(p.rng);
        optimizer_.set_learning_rate(p.learning_rate);
        if (schedule_.on_plateau()) {
            schedule_.plateau().best = p.plateau_best;
            schedule_.plateau().bad_epochs = std::size_t(p.plateau_bad_epochs);
        }
        model_.set_steps(p.step);
        state_.schedule_step_ = p.schedule_step;
        state_.completed_epochs_ = p.epoch;
    }

    void run_epoch(std::size_t epoch) {
        const auto start = std::chrono::steady_clock::now();
        const std::size_t n = train_.size();
        state_.epoch = epoch;
        state_.batch = 0;
        if (schedule_.per_epoch() || schedule_.per_step())
            optimizer_.set_learning_rate(schedule_.rate(std::size_t(state_.schedule_step_)));
        notify<Hook::epoch_begin>();
        if (state_.stopping()) return;

        // Each epoch's order follows from the generator alone (identity, then a
        // Fisher-Yates shuffle on a generator split off the model's), so a
        // TrainingPosition taken between epochs is enough to resume the same run.
        state_.at_boundary_ = false;
        for (std::size_t i = 0; i < n; ++i) order_[i] = i;
        if (options_.shuffle) {
            Rng shuffle = model_.rng().split();
            for (std::size_t i = n - 1; i > 0; --i) std::swap(order_[i], order_[shuffle.below(i + 1)]);
        }
        std::optional<Rng> augment_rng;
        if (options_.augment) augment_rng.emplace(model_.rng().split());

        ProgressBar progress(epoch, options_.epochs, n, bar_);
        double loss_sum = 0;
        std::size_t hits = 0, done = 0;
        while (done < n) {
            const std::size_t b = std::min(options_.batch, n - done);
            if (schedule_.per_step()) optimizer_.set_learning_rate(schedule_.rate(std::size_t(state_.schedule_step_)));
            float* inputs = model_.input(b);
            train_.gather({order_.data() + done, b}, inputs, targets_.data());
            if (augment_rng) options_.augment(inputs, b, *augment_rng);
            state_.last_step = step(b);
            state_.step = model_.steps();
            if (schedule_.per_step()) ++state_.schedule_step_;
            loss_sum += double(state_.last_step.loss) * double(b);
            hits += state_.last_step.correct;
            done += b;
            ++state_.batch;
            progress.update(done, float(loss_sum / double(done)));
            notify<Hook::batch_end>();
            if (state_.stopping()) break;
        }
        state_.partial_epoch_ = done < n;

        EpochRecord rec;
        rec.epoch = epoch;
        rec.loss = float(loss_sum / double(done));
        if constexpr (Loss::template predictions<Out> > 0)
            rec.accuracy = float(double(hits) / double(done * Loss::template predictions<Out>));
        rec.learning_rate = optimizer_.learning_rate();
        const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        rec.samples_per_second = train_seconds > 0 ? double(done) / train_seconds : 0;
        if (options_.validation) {
            const Evaluation v = evaluate(model_, options_.validation->get(), loss_);
            rec.val_loss = v.loss;
            rec.val_accuracy = v.accuracy;
        }
        rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        history_.epochs.push_back(rec);
        if (state_.verbose) print(rec);

        // The schedule moves to the next epoch's rate before the callbacks run, so
        // that a checkpoint taken in on_epoch_end resumes with it.
        if (schedule_.per_epoch()) ++state_.schedule_step_;
        if (schedule_.on_plateau()) {
            const float metric = read_metric("ReduceOnPlateau", schedule_.monitor(),
                                             metric_field(schedule_.monitor()), rec);
            optimizer_.set_learning_rate(schedule_.plateau().update(metric, optimizer_.learning_rate()));
        }
        if (!state_.partial_epoch_) {
            state_.completed_epochs_ = epoch;
            state_.at_boundary_ = true;
        }
        notify<Hook::epoch_end>();
        if (options_.on_epoch && !options_.on_epoch(history_.epochs.back())) state_.stop();
        if (state_.stopping() && state_.verbose && !state_.stop_reason().empty())
            std::fprintf(stderr, "%s\n", state_.stop_reason().c_str());
    }

    StepResult step(std::size_t b) {
        return std::visit(
            [&](const auto& clip) {
                if constexpr (std::is_same_v<std::decay_t<decltype(clip)>, std::monostate>)
                    return model_.train_step(b, targets_.data(), loss_, optimizer_);
                else
                    return model_.train_step(b, targets_.data(), loss_, optimizer_, clip);
            },
            options_.clip);
    }

    void print(const EpochRecord& rec) const {
        std::fprintf(stderr, "epoch %zu/%zu  loss %.4f", rec.epoch, options_.epochs, double(rec.loss));
        if (!std::isnan(rec.accuracy)) std::fprintf(stderr, "  acc %.2f%%", 100.0 * double(rec.accuracy));
        if (!std::isnan(rec.val_loss)) std::fprintf(stderr, "  val_loss %.4f", double(rec.val_loss));
        if (!std::isnan(rec.val_accuracy)) std::fprintf(stderr, "  val_acc %.2f%%", 100.0 * double(rec.val_accuracy));
        // The rate, when something moves it: the reader sees the schedule at work.
        if (schedule_.active() || rec.learning_rate != first_rate_)
            std::fprintf(stderr, "  lr %.4g", double(rec.learning_rate));
        std::fprintf(stderr, "  %.0f samples/s  %.2f s\n", rec.samples_per_second, rec.seconds);
    }

    template <Hook H>
    void notify() {
        std::apply([&](auto&... callback) { (notify_one<H>(callback), ...); }, callbacks_);
    }
    template <Hook H, class C>
    void notify_one(C& callback) {
        if constexpr (H == Hook::train_begin && HasTrainBegin<C>) callback.on_train_begin(state_);
        if constexpr (H == Hook::epoch_begin && HasEpochBegin<C>) callback.on_epoch_begin(state_);
        if constexpr (H == Hook::batch_end && HasBatchEnd<C>) callback.on_batch_end(state_);
        if constexpr (H == Hook::epoch_end && HasEpochEnd<C>) callback.on_epoch_end(state_);
        if constexpr (H == Hook::train_end && HasTrainEnd<C>) callback.on_train_end(state_);
    }

    Model<Net>& model_;
    const Dataset& train_;
    const Loss& loss_;
    Optimizer& optimizer_;
    const FitOptions& options_;
    LrSchedule schedule_;  // a copy: ReduceOnPlateau's memory belongs to this run
    std::tuple<Callbacks&...> callbacks_;
    History history_;
    FitState state_;
    std::vector<std::size_t> order_;
    std::vector<float> targets_;
    float first_rate_ = 0;
    bool bar_ = false;
};

inline void check_options(const FitOptions& options) {
    if (options.batch == 0) throw std::invalid_argument("fit: batch must be at least 1");
    if (const auto* c = std::get_if<ClipNorm>(&options.clip); c && !(c->max_norm > 0))
        throw std::invalid_argument("fit: ClipNorm's max_norm must be positive, got " + std::to_string(c->max_norm));
    if (const auto* c = std::get_if<ClipValue>(&options.clip); c && !(c->limit > 0))
        throw std::invalid_argument("fit: ClipValue's limit must be positive, got " + std::to_string(c->limit));
}
}  // namespace detail

// Trains `model` on `train` for the epochs in `options`, calling each of `callbacks`
// (callbacks.hpp) at its hooks, and returns the History of the epochs it ran.
template <class Net, class Loss, class Optimizer, class... Callbacks>
History fit(Model<Net>& model, const Dataset& train, const Loss& loss, Optimizer&& optimizer,
            const FitOptions& options = {}, Callbacks&&... callbacks) {
    (detail::check_callback<std::remove_reference_t<Callbacks>>(), ...);
    if constexpr (!Model<Net>::valid) {
        return {};
    } else {
        detail::check_options(options);
        detail::check_dataset<Net, Loss>(train, "training");
        if (options.validation) detail::check_dataset<Net, Loss>(options.validation->get(), "validation");
        using O = std::remove_reference_t<Optimizer>;
        detail::FitLoop<Net, Loss, O, std::remove_reference_t<Callbacks>...> loop(model, train, loss, optimizer,
                                                                                  options, callbacks...);
        return loop.run();
    }
}

}  // namespace tn
