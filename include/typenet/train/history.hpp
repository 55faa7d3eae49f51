// What fit() records, one row per epoch, and its CSV form.
#pragma once
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "typenet/config.hpp"

namespace tn {

struct EpochRecord {
    std::size_t epoch = 0;  // 1-based
    float loss = 0;
    float accuracy = std::numeric_limits<float>::quiet_NaN();  // NaN when the loss has none
    float val_loss = std::numeric_limits<float>::quiet_NaN();
    float val_accuracy = std::numeric_limits<float>::quiet_NaN();
    // exp(loss) and exp(val_loss) for a cross-entropy loss (NaN for the others): a
    // language model's perplexity per token.
    float perplexity = std::numeric_limits<float>::quiet_NaN();
    float val_perplexity = std::numeric_limits<float>::quiet_NaN();
    float learning_rate = 0;
    double seconds = 0;  // wall time of the epoch, validation included
    double samples_per_second = 0;
};

// The metrics of a record by the names the CSV and the callbacks use ("loss",
// "accuracy", "val_loss", "val_accuracy", "learning_rate"); null for any other name.
inline float EpochRecord::* metric_field(std::string_view name) {
    if (name == "loss") return &EpochRecord::loss;
    if (name == "accuracy") return &EpochRecord::accuracy;
    if (name == "val_loss") return &EpochRecord::val_loss;
    if (name == "val_accuracy") return &EpochRecord::val_accuracy;
    if (name == "perplexity") return &EpochRecord::perplexity;
    if (name == "val_perplexity") return &EpochRecord::val_perplexity;
    if (name == "learning_rate") return &EpochRecord::learning_rate;
    return nullptr;
}
inline constexpr const char* metric_names =
    "loss, accuracy, val_loss, val_accuracy, perplexity, val_perplexity, learning_rate";

struct History {
    std::vector<EpochRecord> epochs;

    std::vector<float> column(float EpochRecord::*field) const {
        std::vector<float> out;
        for (const auto& e : epochs) out.push_back(e.*field);
        return out;
    }

    // One row per epoch: epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds,
    // then perplexity,val_perplexity (an empty field where a metric does not exist).
    TYPENET_INLINE void write_csv(const std::string& path) const;
};

}  // namespace tn

#if TYPENET_DEFINE_BODIES
#include "typenet/train/history.ipp"
#endif
