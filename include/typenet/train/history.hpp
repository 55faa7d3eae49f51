// What fit() records, one row per epoch, and its CSV form.
#pragma once
#include <cmath>
#include <cstddef>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tn {

struct EpochRecord {
    std::size_t epoch = 0;  // 1-based
    float loss = 0;
    float accuracy = std::numeric_limits<float>::quiet_NaN();  // NaN when the loss has none
    float val_loss = std::numeric_limits<float>::quiet_NaN();
    float val_accuracy = std::numeric_limits<float>::quiet_NaN();
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
    if (name == "learning_rate") return &EpochRecord::learning_rate;
    return nullptr;
}
inline constexpr const char* metric_names = "loss, accuracy, val_loss, val_accuracy, learning_rate";

struct History {
    std::vector<EpochRecord> epochs;

    std::vector<float> column(float EpochRecord::*field) const {
        std::vector<float> out;
        for (const auto& e : epochs) out.push_back(e.*field);
        return out;
    }

    void write_csv(const std::string& path) const {
        std::ofstream f(path);
        if (!f) throw std::runtime_error("History: cannot write " + path);
        f << "epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds\n";
        auto num = [](float v) { return std::isnan(v) ? std::string() : std::to_string(v); };
        for (const auto& e : epochs)
            f << e.epoch << ',' << num(e.loss) << ',' << num(e.accuracy) << ',' << num(e.val_loss) << ','
              << num(e.val_accuracy) << ',' << e.learning_rate << ',' << e.seconds << '\n';
    }
};

}  // namespace tn
