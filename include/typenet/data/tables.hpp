// scikit-learn's small tables as typenet data sets: iris, wine, breast cancer,
// 8x8 digits (classification) and diabetes (regression). scripts/fetch-data.sh puts
// them in data/sklearn/ from Debian's python3-sklearn.
//
//   auto iris = tn::data::iris({.classes = {"setosa", "versicolor"},
//                               .features = {"sepal length", "petal length"},
//                               .test_fraction = 0.3f, .seed = tn::Seed{1}});
//   iris.train, iris.test         // tn::Dataset: inputs, and one target per sample
//   iris.feature_names, iris.class_names
//
// Targets: a classification table gives the class index (0, 1, ...) as one float,
// which SoftmaxCrossEntropy, BinaryCrossEntropy and Hinge all read; diabetes gives
// the disease-progression value. Selected classes are relabelled 0, 1, ... in the
// order asked for, so {"versicolor", "setosa"} makes versicolor class 0.
//
// Bad files stop with a CsvError naming the file, the line and what was expected.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/core/rng.hpp"
#include "typenet/io/csv.hpp"
#include "typenet/train/dataset.hpp"

namespace tn::data {

struct TableOptions {
    // Keep only these classes, relabelled 0, 1, ... in this order (empty: all).
    std::vector<std::string> classes{};
    // Keep only these features, in this order (empty: all). Names match as in
    // feature_names, ignoring case, '_' for ' ' and a unit in parentheses, so
    // "petal_length" finds "petal length (cm)".
    std::vector<std::string> features{};
    // The share of samples held out as the test set (stratified by class), 0 for none.
    float test_fraction = 0.f;
    // Drives which samples the split holds out.
    Seed seed{0};
    // Z-score every input feature with the training set's mean and standard
    // deviation (applied to both sets; the statistics are kept in the result).
    bool standardize = false;
    // The folder holding the tables; empty: data::find("sklearn").
    std::filesystem::path folder{};
};

struct TableData {
    std::string name;
    std::vector<std::string> feature_names;  // one per input column, after selection
    std::vector<std::string> class_names;    // one per class label; empty for regression
    std::string target_name;                 // "class", or what a regression target measures
    Dataset train, test;                     // test is empty when test_fraction is 0
    // When standardized: input = (raw - feature_mean) / feature_std, per feature.
    std::vector<float> feature_mean, feature_std;

    std::size_t classes() const { return class_names.size(); }
    std::size_t features() const { return feature_names.size(); }
};

// Iris: 150 flowers, 4 measurements in cm, 3 species (Fisher, 1936).
TYPENET_INLINE TableData iris(const TableOptions& o = {});

// Wine: 178 wines, 13 chemical measurements, 3 cultivars.
TYPENET_INLINE TableData wine(const TableOptions& o = {});

// Breast cancer (Wisconsin diagnostic): 569 tumours, 30 features, malignant or benign.
TYPENET_INLINE TableData breast_cancer(const TableOptions& o = {});

// 8x8 digits: 1,797 handwritten digits, 64 pixels of 0..16, row by row.
TYPENET_INLINE TableData digits(const TableOptions& o = {});

// Diabetes: 442 patients, 10 baseline measurements (age, sex, body mass index,
// blood pressure, six blood serum values s1-s6), and a measure of disease
// progression one year later (25 to 346). These are the raw values, not sklearn's
// pre-scaled ones: pass .standardize = true to centre and scale them.
TYPENET_INLINE TableData diabetes(const TableOptions& o = {});

}  // namespace tn::data

#if TYPENET_DEFINE_BODIES
#include "typenet/data/tables.ipp"
#endif
