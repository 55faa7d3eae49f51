// The body of train/history.hpp's CSV writer: inline in a header-only build,
// compiled once into typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <fstream>

#include "typenet/train/history.hpp"

namespace tn {

TYPENET_INLINE void History::write_csv(const std::string& path) const {
    std::ofstream f(path);
    if (!f) throw std::runtime_error("History: cannot write " + path);
    f << "epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds,perplexity,val_perplexity\n";
    auto num = [](float v) { return std::isnan(v) ? std::string() : std::to_string(v); };
    for (const auto& e : epochs)
        f << e.epoch << ',' << num(e.loss) << ',' << num(e.accuracy) << ',' << num(e.val_loss) << ','
          << num(e.val_accuracy) << ',' << e.learning_rate << ',' << e.seconds << ',' << num(e.perplexity) << ','
          << num(e.val_perplexity) << '\n';
}

}  // namespace tn
