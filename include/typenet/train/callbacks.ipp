// The bodies of train/callbacks.hpp's FitState: inline in a header-only build,
// compiled once into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include "typenet/train/callbacks.hpp"
#include "typenet/train/trainee.hpp"

namespace tn {

TYPENET_INLINE FitState::FitState(History& history, detail::Trainee& trainee)
    : history_(&history), parameters_(trainee.parameters()), buffers_(trainee.buffers()), trainee_(&trainee) {}

TYPENET_INLINE float FitState::learning_rate() const { return trainee_->learning_rate(); }
TYPENET_INLINE void FitState::set_learning_rate(float lr) { trainee_->set_learning_rate(lr); }

TYPENET_INLINE TrainingPosition FitState::position() const {
    if (!at_boundary_)
        throw std::logic_error("FitState::position: epoch " + std::to_string(epoch) +
                               (partial_epoch_ ? " was cut short by a stop, so training is not at an epoch "
                                                 "boundary"
                                               : " is under way; a position is taken at an epoch boundary "
                                                 "(on_epoch_begin, on_epoch_end)"));
    TrainingPosition p;
    p.epoch = completed_epochs_;
    p.step = step;
    p.rng = trainee_->rng().state();
    p.learning_rate = learning_rate();
    p.schedule_step = schedule_step_;
    if (plateau_) {
        p.plateau_best = plateau_->best;
        p.plateau_bad_epochs = plateau_->bad_epochs;
    }
    return p;
}

}  // namespace tn
