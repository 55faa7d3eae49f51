// A classification data set of images read from files (image_folder, the emoji sets):
// the samples as a tn::Dataset, plus what a reader of results needs beside it.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "typenet/train/dataset.hpp"

namespace tn::data {

struct LabelledImages {
    std::string name;
    std::vector<std::string> class_names;  // class i is class_names[i]
    std::size_t channels = 0, height = 0, width = 0;
    // Inputs [channels, height, width] per sample (CHW, what a model's Input reads),
    // kept as bytes and scaled by 1/255 into [0, 1] when a batch is made; the target
    // is the class index.
    Dataset data;
    std::vector<std::string> sources;  // where each sample came from (file, or emoji name)
    std::vector<std::string> skipped;  // "file: reason" for each image left out
    std::vector<std::size_t> class_counts() const {
        std::vector<std::size_t> counts(class_names.size());
        for (float t : data.targets) ++counts[std::size_t(t)];
        return counts;
    }
};

}  // namespace tn::data
