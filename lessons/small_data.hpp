// Honest numbers from a few dozen images (lessons 16, 20, 22): predicted classes,
// subsets of a data set, stratified folds repeated with new seeds, and a mean with its
// spread.
//
// With 23 images a single 80/20 split tests on 5 of them, so one image more or less
// right moves the accuracy by 20 points. Cross-validation predicts every image once
// (each from a model that never saw it), and repeating it with other fold assignments
// and seeds shows how much of a difference between two methods is luck.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

#include <typenet/typenet.hpp>

namespace small_data {

using namespace tn;

// The predicted class (largest score; with one output, class 1 when the logit is
// positive) of every sample of `data`, in batches, in inference mode.
template <class Net>
std::vector<std::size_t> predicted_classes(Model<Net>& model, const Dataset& data, std::size_t batch = 128) {
    constexpr std::size_t outputs = Model<Net>::output_size;
    std::vector<std::size_t> predicted;
    predicted.reserve(data.size());
    for (std::size_t begin = 0; begin < data.size(); begin += batch) {
        const std::size_t n = std::min(batch, data.size() - begin);
        model.reserve(n);
        float* x = model.input(n);
        for (std::size_t i = 0; i < n; ++i) data.copy_input(begin + i, x + i * Model<Net>::input_size);
        const auto scores = model.forward(n);
        for (std::size_t i = 0; i < n; ++i) {
            if constexpr (outputs == 1) {
                predicted.push_back(scores[i] > 0.f ? 1 : 0);
            } else {
                const float* row = scores.data() + i * outputs;
                predicted.push_back(std::size_t(std::max_element(row, row + outputs) - row));
            }
        }
    }
    return predicted;
}

// The class index of every sample of a classification data set.
inline std::vector<std::size_t> labels_of(const Dataset& data) {
    std::vector<std::size_t> labels(data.size());
    for (std::size_t i = 0; i < data.size(); ++i) labels[i] = std::size_t(data.target(i)[0]);
    return labels;
}

inline double accuracy(const std::vector<std::size_t>& predicted, const std::vector<std::size_t>& labels) {
    std::size_t hits = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) hits += predicted[i] == labels[i];
    return labels.empty() ? 0.0 : double(hits) / double(labels.size());
}

// The samples at `indices`, in that order, as a new data set (bytes stay bytes).
inline Dataset subset(const Dataset& d, const std::vector<std::size_t>& indices, const std::string& name) {
    Dataset out(name, d.input_width, d.target_width);
    out.byte_scale = d.byte_scale;
    for (std::size_t i : indices) {
        if (d.bytes.empty())
            out.inputs.insert(out.inputs.end(), d.inputs.begin() + std::ptrdiff_t(i * d.input_width),
                              d.inputs.begin() + std::ptrdiff_t((i + 1) * d.input_width));
        else
            out.bytes.insert(out.bytes.end(), d.bytes.begin() + std::ptrdiff_t(i * d.input_width),
                             d.bytes.begin() + std::ptrdiff_t((i + 1) * d.input_width));
        const auto t = d.target(i);
        out.targets.insert(out.targets.end(), t.begin(), t.end());
    }
    return out;
}

// Fold of each sample (0 .. k-1) for stratified k-fold cross-validation: each class is
// shuffled (seeded) and dealt round the folds, so every fold holds about the same share
// of cats as the whole set, and a fold never lacks the rare class by bad luck. Dealing
// continues across classes, so the folds' sizes differ by at most one.
inline std::vector<std::size_t> stratified_folds(const std::vector<std::size_t>& labels, std::size_t k, Seed seed) {
    Rng rng{seed};
    const std::size_t classes = labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
    std::vector<std::size_t> fold(labels.size());
    std::size_t next = 0;
    for (std::size_t c = 0; c < classes; ++c) {
        std::vector<std::size_t> members;
        for (std::size_t i = 0; i < labels.size(); ++i)
            if (labels[i] == c) members.push_back(i);
        for (std::size_t i = members.size(); i > 1; --i) std::swap(members[i - 1], members[rng.below(i)]);
        for (std::size_t i : members) fold[i] = next++ % k;
    }
    return fold;
}

// The samples in fold `f` (held out) and the rest (training).
struct FoldSplit {
    std::vector<std::size_t> train, held_out;
};
inline FoldSplit fold_split(const std::vector<std::size_t>& fold, std::size_t f) {
    FoldSplit s;
    for (std::size_t i = 0; i < fold.size(); ++i) (fold[i] == f ? s.held_out : s.train).push_back(i);
    return s;
}

// Mean and sample standard deviation (n - 1) of a few numbers, and their range.
struct Spread {
    double mean = 0, stddev = 0, min = 0, max = 0;
};
inline Spread spread(const std::vector<double>& v) {
    Spread s;
    if (v.empty()) return s;
    s.mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.stddev = v.size() > 1 ? std::sqrt(ss / double(v.size() - 1)) : 0.0;
    s.min = *std::min_element(v.begin(), v.end());
    s.max = *std::max_element(v.begin(), v.end());
    return s;
}

// The share of the largest class: what always answering that class scores.
inline double majority_share(const std::vector<std::size_t>& labels) {
    if (labels.empty()) return 0;
    std::vector<std::size_t> counts(*std::max_element(labels.begin(), labels.end()) + 1);
    for (std::size_t l : labels) ++counts[l];
    return double(*std::max_element(counts.begin(), counts.end())) / double(labels.size());
}

}  // namespace small_data
