// The bodies of train/fit.hpp: the training and evaluation loops, which see the
// model only through detail::Trainee / detail::Scorer (train/trainee.hpp). Inline in
// a header-only build, compiled once into typenet::precompiled otherwise
// (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "typenet/losses/loss.hpp"
#include "typenet/train/fit.hpp"

namespace tn::detail {

TYPENET_INLINE void check_dataset(const Scorer& scorer, const Dataset& data, const std::string& role) {
    const std::string what = role + " set '" + data.name + "'";
    if (data.size() == 0) throw std::invalid_argument(what + " is empty");
    if (data.input_width != scorer.input_size)
        throw std::invalid_argument(what + " has " + std::to_string(data.input_width) +
                                    " input values per sample, but the model's Input takes " +
                                    std::to_string(scorer.input_size) + " " + scorer.input_shape);
    if (scorer.token_input && !data.has_tokens())
        throw std::invalid_argument(what + " holds float features, but the model reads token ids " +
                                    scorer.input_shape + ": fill its `tokens` (Dataset::add_sequence)");
    if (!scorer.token_input && data.has_tokens())
        throw std::invalid_argument(what + " holds token ids, but the model reads float features " +
                                    scorer.input_shape + "; a model of token ids starts with Tokens<T>");
    if (data.target_width != scorer.target_width)
        throw std::invalid_argument(what + " has " + std::to_string(data.target_width) +
                                    " target values per sample, but " + scorer.loss_name + " on output " +
                                    scorer.output_shape + " reads " + std::to_string(scorer.target_width));
    try {
        data.validate();
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(role + " set " + e.what());  // "training set mnist: it holds ..."
    }
    // A NaN or infinity in the data would surface epochs later as a NaN loss, or, in a
    // validation set, as val_loss = nan with no error at all: name the sample now.
    for (std::size_t i = 0; i < data.inputs.size(); ++i)
        if (!std::isfinite(data.inputs[i]))
            throw std::invalid_argument(what + ": sample " + std::to_string(i / data.input_width) + " has " +
                                        (std::isnan(data.inputs[i]) ? "a NaN" : "an infinite value") +
                                        " at input value " + std::to_string(i % data.input_width));
    // An id outside the vocabulary would read another row of memory: name it here,
    // with the sample and position in the data set, not only the batch.
    for (std::size_t i = 0; i < data.tokens.size(); ++i)
        if (data.tokens[i] < 0 || (scorer.token_limit > 0 && std::size_t(data.tokens[i]) >= scorer.token_limit))
            throw std::invalid_argument(what + ": sample " + std::to_string(i / data.input_width) + ", position " +
                                        std::to_string(i % data.input_width) + ": token id " +
                                        std::to_string(data.tokens[i]) + " is outside the vocabulary (0 to " +
                                        std::to_string(scorer.token_limit - 1) + ")");
    for (std::size_t i = 0; i < data.lengths.size(); ++i)
        if (data.lengths[i] < 1 || data.lengths[i] > scorer.max_length)
            throw std::invalid_argument(what + ": sample " + std::to_string(i) + " has length " +
                                        std::to_string(data.lengths[i]) + ", but the model's input " +
                                        scorer.input_shape + " takes 1 to " + std::to_string(scorer.max_length));
    if (scorer.second_max_length > 0 && !data.has_second_lengths())
        throw std::invalid_argument(what + " has no second_lengths, but the model's input " + scorer.input_shape +
                                    " is two parts (source, then target ids): fill it with Dataset::add_pair");
    if (scorer.second_max_length == 0 && data.has_second_lengths())
        throw std::invalid_argument(what + " has second (target) lengths, but the model's input " +
                                    scorer.input_shape + " is one part");
    for (std::size_t i = 0; i < data.second_lengths.size(); ++i)
        if (data.second_lengths[i] < 1 || data.second_lengths[i] > scorer.second_max_length)
            throw std::invalid_argument(what + ": sample " + std::to_string(i) + " has target length " +
                                        std::to_string(data.second_lengths[i]) + ", but the model takes 1 to " +
                                        std::to_string(scorer.second_max_length));
    try {
        scorer.check_targets(data.targets.data(), data.size());
    } catch (const TargetError& e) {
        throw TargetError(what + ": " + e.what());
    }
}

// The evaluation loop on a data set already checked (fit checks its validation set
// once, before the first epoch, not at every epoch's end).
// Gathers samples `indices` into the scorer's input, with their lengths when the set
// has them.
inline void gather_batch(Scorer& scorer, const Dataset& data, std::span<const std::size_t> indices, float* targets) {
    float* x = scorer.input(indices.size());
    data.gather(indices, x, targets, data.has_lengths() ? scorer.lengths(indices.size()) : nullptr,
                data.has_second_lengths() ? scorer.second_lengths(indices.size()) : nullptr);
}

// A stateful model's state is the training stream's: evaluation starts from zero
// and leaves zero behind (and fit starts every epoch from zero).
inline Evaluation evaluate_checked(Scorer& scorer, const Dataset& data, std::size_t batch) {
    double loss_sum = 0;
    std::size_t hits = 0, counted = 0;
    std::vector<std::size_t> idx(std::min(batch, data.size()));
    std::vector<float> targets(idx.size() * data.target_width);
    scorer.reset_state();
    for (std::size_t start = 0; start < data.size(); start += batch) {
        const std::size_t n = std::min(batch, data.size() - start);
        for (std::size_t b = 0; b < n; ++b) idx[b] = start + b;
        gather_batch(scorer, data, {idx.data(), n}, targets.data());
        std::size_t batch_counted = 0;
        const float loss = scorer.score(n, targets.data(), hits, batch_counted);
        loss_sum += double(loss) * double(batch_counted);
        counted += batch_counted;
    }
    scorer.reset_state();
    Evaluation e{counted ? static_cast<float>(loss_sum / double(counted)) : 0.f};
    if (scorer.predictions > 0 && counted) e.accuracy = float(double(hits) / double(counted));
    if (scorer.reports_perplexity) e.perplexity = std::exp(e.loss);
    return e;
}

TYPENET_INLINE Evaluation run_evaluate(Scorer& scorer, const Dataset& data, std::size_t batch) {
    if (batch == 0) throw std::invalid_argument("evaluate: batch must be at least 1");
    check_dataset(scorer, data, "evaluation");
    return evaluate_checked(scorer, data, batch);
}

// One run of fit(): the loop, its schedule and clipping, and the callbacks' hooks.
class FitLoop {
public:
    FitLoop(Trainee& trainee, const Dataset& train, const FitOptions& options, std::span<const CallbackRef> callbacks)
        : trainee_(trainee),
          train_(train),
          options_(options),
          schedule_(options.schedule),
          callbacks_(callbacks),
          state_(history_, trainee) {}

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
        state_.step = trainee_.steps();
        first_rate_ = trainee_.learning_rate();

        order_.resize(n);
        targets_.resize(std::min(options_.batch, n) * train_.target_width);
        trainee_.reserve(std::min(options_.batch, n));

        notify(&CallbackRef::train_begin);
        for (std::size_t epoch = state_.completed_epochs_ + 1; epoch <= options_.epochs && !state_.stopping();
             ++epoch)
            run_epoch(epoch);
        notify(&CallbackRef::train_end);
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
        trainee_.rng().set_state(p.rng);
        trainee_.set_learning_rate(p.learning_rate);
        if (schedule_.on_plateau()) {
            schedule_.plateau().best = p.plateau_best;
            schedule_.plateau().bad_epochs = std::size_t(p.plateau_bad_epochs);
        }
        trainee_.set_steps(p.step);
        state_.schedule_step_ = p.schedule_step;
        state_.completed_epochs_ = p.epoch;
    }

    void run_epoch(std::size_t epoch) {
        const auto start = std::chrono::steady_clock::now();
        const std::size_t n = train_.size();
        state_.epoch = epoch;
        state_.batch = 0;
        if (schedule_.per_epoch() || schedule_.per_step())
            set_rate(schedule_.rate(std::size_t(state_.schedule_step_)), "the schedule");
        notify(&CallbackRef::epoch_begin);
        if (state_.stopping()) return;

        // Each epoch's order follows from the generator alone (identity, then a
        // Fisher-Yates shuffle on a generator split off the model's), so a
        // TrainingPosition taken between epochs is enough to resume the same run.
        state_.at_boundary_ = false;
        for (std::size_t i = 0; i < n; ++i) order_[i] = i;
        if (options_.shuffle) {
            Rng shuffle = trainee_.rng().split();
            for (std::size_t i = n - 1; i > 0; --i) std::swap(order_[i], order_[shuffle.below(i + 1)]);
        }
        std::optional<Rng> augment_rng;
        if (options_.augment) augment_rng.emplace(trainee_.rng().split());

        ProgressBar progress(epoch, options_.epochs, n, bar_);
        double loss_sum = 0;
        std::size_t hits = 0, done = 0, counted = 0;
        trainee_.reset_state();  // stateful layers: each epoch reads the stream afresh
        while (done < n) {
            const std::size_t b = std::min(options_.batch, n - done);
            if (schedule_.per_step()) set_rate(schedule_.rate(std::size_t(state_.schedule_step_)), "the schedule");
            float* inputs = trainee_.input(b);
            train_.gather({order_.data() + done, b}, inputs, targets_.data(),
                          train_.has_lengths() ? trainee_.lengths(b) : nullptr,
                          train_.has_second_lengths() ? trainee_.second_lengths(b) : nullptr);
            if (augment_rng) options_.augment(inputs, b, *augment_rng);
            state_.last_step = trainee_.train_step(b, targets_.data(), options_.clip);
            state_.step = trainee_.steps();
            watch_divergence(state_.last_step.loss, epoch);
            if (schedule_.per_step()) ++state_.schedule_step_;
            loss_sum += double(state_.last_step.loss) * double(state_.last_step.counted);
            counted += state_.last_step.counted;
            hits += state_.last_step.correct;
            done += b;
            ++state_.batch;
            progress.update(done, counted ? float(loss_sum / double(counted)) : 0.f);
            notify(&CallbackRef::batch_end);
            if (state_.stopping()) break;
        }
        state_.partial_epoch_ = done < n;

        EpochRecord rec;
        rec.epoch = epoch;
        rec.loss = counted ? float(loss_sum / double(counted)) : 0.f;
        if (trainee_.predictions > 0 && counted) rec.accuracy = float(double(hits) / double(counted));
        if (trainee_.reports_perplexity) rec.perplexity = std::exp(rec.loss);
        rec.learning_rate = trainee_.learning_rate();
        const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        rec.samples_per_second = train_seconds > 0 ? double(done) / train_seconds : 0;
        if (options_.validation) {
            const Evaluation v = evaluate_checked(trainee_, options_.validation->get(), validation_batch);
            rec.val_loss = v.loss;
            rec.val_accuracy = v.accuracy;
            rec.val_perplexity = v.perplexity;
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
            set_rate(schedule_.plateau().update(metric, trainee_.learning_rate()), "ReduceOnPlateau");
        }
        if (!state_.partial_epoch_) {
            state_.completed_epochs_ = epoch;
            state_.at_boundary_ = true;
        }
        notify(&CallbackRef::epoch_end);
        if (options_.on_epoch && !options_.on_epoch(history_.epochs.back())) state_.stop();
        if (state_.stopping() && state_.verbose && !state_.stop_reason().empty())
            std::fprintf(stderr, "%s\n", state_.stop_reason().c_str());
    }

    // A schedule that returns NaN or a negative rate has a bug: say which, and when.
    // Zero is a rate a schedule may reach (a cosine decay to min_lr = 0).
    void set_rate(float lr, const char* who) {
        if (!(lr >= 0) || !std::isfinite(lr))
            throw std::invalid_argument("fit: " + std::string(who) + " gave learning rate " + std::to_string(lr) +
                                        " in epoch " + std::to_string(state_.epoch) +
                                        "; a rate must be finite and not negative");
        trainee_.set_learning_rate(lr);
    }

    // A loss that grows by orders of magnitude is a run going nowhere (a rate far too
    // large), even when it never overflows to a NaN: say so once, with where.
    void watch_divergence(float loss, std::size_t epoch) {
        if (warned_divergence_ || !state_.verbose) return;
        if (first_loss_ < 0) {
            first_loss_ = loss;
            return;
        }
        if (first_loss_ > 0 && loss > divergence_factor * first_loss_) {
            warned_divergence_ = true;
            std::fprintf(stderr,
                         "fit: warning: the training loss rose from %.4g (first step) to %.4g at epoch %zu, step "
                         "%llu, more than %.0fx: training is diverging; lower the learning rate (now %.4g) or clip "
                         "gradients\n",
                         double(first_loss_), double(loss), epoch, static_cast<unsigned long long>(state_.step),
                         double(divergence_factor), double(trainee_.learning_rate()));
        }
    }

    void print(const EpochRecord& rec) const {
        std::fprintf(stderr, "epoch %zu/%zu  loss %.4f", rec.epoch, options_.epochs, double(rec.loss));
        if (!std::isnan(rec.accuracy)) std::fprintf(stderr, "  acc %.2f%%", 100.0 * double(rec.accuracy));
        if (!std::isnan(rec.val_loss)) std::fprintf(stderr, "  val_loss %.4f", double(rec.val_loss));
        if (!std::isnan(rec.val_accuracy)) std::fprintf(stderr, "  val_acc %.2f%%", 100.0 * double(rec.val_accuracy));
        if (!std::isnan(rec.val_perplexity)) std::fprintf(stderr, "  val_ppl %.2f", double(rec.val_perplexity));
        // The rate, when something moves it: the reader sees the schedule at work.
        if (schedule_.active() || rec.learning_rate != first_rate_)
            std::fprintf(stderr, "  lr %.4g", double(rec.learning_rate));
        std::fprintf(stderr, "  %.0f samples/s  %.2f s\n", rec.samples_per_second, rec.seconds);
    }

    void notify(void (*CallbackRef::*hook)(void*, FitState&)) {
        for (const CallbackRef& c : callbacks_)
            if (c.*hook) (c.*hook)(c.self, state_);
    }

    static constexpr std::size_t validation_batch = 256;
    static constexpr float divergence_factor = 100.f;

    Trainee& trainee_;
    const Dataset& train_;
    const FitOptions& options_;
    LrSchedule schedule_;  // a copy: ReduceOnPlateau's memory belongs to this run
    std::span<const CallbackRef> callbacks_;
    History history_;
    FitState state_;
    std::vector<std::size_t> order_;
    std::vector<float> targets_;
    float first_rate_ = 0;
    float first_loss_ = -1;  // < 0: no step yet
    bool warned_divergence_ = false;
    bool bar_ = false;
};

TYPENET_INLINE void check_options(const FitOptions& options) {
    if (options.batch == 0) throw std::invalid_argument("fit: batch must be at least 1");
    if (const auto* c = std::get_if<ClipNorm>(&options.clip); c && !(c->max_norm > 0))
        throw std::invalid_argument("fit: ClipNorm's max_norm must be positive, got " + std::to_string(c->max_norm));
    if (const auto* c = std::get_if<ClipValue>(&options.clip); c && !(c->limit > 0))
        throw std::invalid_argument("fit: ClipValue's limit must be positive, got " + std::to_string(c->limit));
}

TYPENET_INLINE History run_fit(Trainee& trainee, const Dataset& train, const FitOptions& options,
                               std::span<const CallbackRef> callbacks) {
    check_options(options);
    check_dataset(trainee, train, "training");
    if (options.validation) check_dataset(trainee, options.validation->get(), "validation");
    FitLoop loop(trainee, train, options, callbacks);
    return loop.run();
}

}  // namespace tn::detail
