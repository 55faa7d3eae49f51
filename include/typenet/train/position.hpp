// Where a training run stands, so that it can stop and later resume exactly as if it
// had never stopped. Saved next to the optimizer's state by save_training_state()
// (train/checkpoint.hpp); fit() fills it in and resumes from it.
//
// A position is taken at an epoch boundary: the shuffle of the next epoch is drawn
// from `rng` when that epoch starts, so nothing about the data order has to be stored.
#pragma once
#include <cstdint>
#include <limits>

#include "typenet/core/rng.hpp"

namespace tn {

struct TrainingPosition {
    std::uint64_t epoch = 0;  // epochs completed: training resumes with epoch + 1 (1-based, as fit counts)
    std::uint64_t step = 0;   // optimizer steps done over the whole run (Model::steps())
    RngState rng{};           // the model's generator (Model::rng()) after those epochs
    float learning_rate = 0;  // the optimizer's rate to use next (a schedule's last output)
    std::uint64_t schedule_step = 0;  // the t a learning-rate schedule is called with next
    // ReduceOnPlateau's memory (optim/schedule.hpp); left at these defaults without one.
    float plateau_best = std::numeric_limits<float>::infinity();
    std::uint64_t plateau_bad_epochs = 0;

    friend bool operator==(const TrainingPosition&, const TrainingPosition&) = default;
};

}  // namespace tn
