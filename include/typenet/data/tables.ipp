// The bodies of data/tables.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <numeric>
#include <span>
#include <stdexcept>

#include "typenet/data/find.hpp"
#include "typenet/data/tables.hpp"

namespace tn::data {

namespace detail {

// The raw table before selection and splitting.
struct RawTable {
    std::string name, target_name;
    std::vector<std::string> feature_names, class_names;
    std::size_t samples = 0;
    std::vector<float> inputs;   // [samples, features]
    std::vector<float> targets;  // [samples]
};

// Lower case, '_' as ' ', without a trailing "(unit)": how names are compared.
TYPENET_INLINE std::string name_key(std::string s) {
    if (auto open = s.rfind(" ("); open != std::string::npos && s.back() == ')') s.erase(open);
    for (char& c : s) c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

TYPENET_INLINE std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
}

// The index of each wanted name among `known`, with an error naming the choices.
TYPENET_INLINE std::vector<std::size_t> pick(const std::string& table, const char* what,
                                             const std::vector<std::string>& wanted,
                                             const std::vector<std::string>& known) {
    std::vector<std::size_t> out;
    for (const auto& w : wanted) {
        std::size_t i = 0;
        while (i < known.size() && name_key(known[i]) != name_key(w)) ++i;
        if (i == known.size())
            throw std::invalid_argument(table + ": no " + what + " named '" + w + "'; it has: " + joined(known));
        if (std::find(out.begin(), out.end(), i) != out.end())
            throw std::invalid_argument(table + ": the " + what + " '" + w + "' is selected twice");
        out.push_back(i);
    }
    return out;
}

TYPENET_INLINE std::size_t header_count(const io::CsvTable& t, std::size_t field, const char* what) {
    const auto& h = t.header.at(0);
    std::size_t value = 0;
    if (field >= h.size() || h[field].empty() ||
        std::from_chars(h[field].data(), h[field].data() + h[field].size(), value).ptr !=
            h[field].data() + h[field].size())
        throw io::CsvError(t.file, t.header_line_numbers.at(0), field + 1,
                           std::string("expected the ") + what + " (a whole number) in the header line");
    return value;
}

// Checks that column `c` of every row holds a class index below `classes`.
TYPENET_INLINE void check_labels(const io::CsvTable& t, std::size_t c, const std::vector<std::string>& class_names) {
    const auto n = class_names.size();
    for (std::size_t r = 0; r < t.rows; ++r) {
        const float v = t.at(r, c);
        if (!(v >= 0.f && v < float(n) && v == std::floor(v)))
            throw t.error_at(r, c,
                             "expected a class label from 0 to " + std::to_string(n - 1) + " (" +
                                 joined(class_names) + "), found " + std::to_string(v).substr(0, 12));
    }
}

// sklearn's counted layout: a header `samples,features,class names...`, then rows
// of the features followed by the class index.
TYPENET_INLINE RawTable read_counted(const std::filesystem::path& path, std::string name,
                                     std::vector<std::string> feature_names) {
    auto t = io::read_csv(path, {.header_lines = 1});
    const std::size_t samples = header_count(t, 0, "number of samples");
    const std::size_t features = header_count(t, 1, "number of features");
    const auto& h = t.header[0];
    if (features != feature_names.size())
        throw io::CsvError(t.file, t.header_line_numbers[0], 2,
                           "expected " + std::to_string(feature_names.size()) + " features for " + name +
                               ", the header says " + std::to_string(features));
    if (h.size() < 4)
        throw t.error_at_header(0, "expected at least two class names after the two counts");
    if (t.columns != features + 1)
        throw t.error_at(0, 0,
                         "expected " + std::to_string(features + 1) + " columns (" + std::to_string(features) +
                             " features and the class), found " + std::to_string(t.columns));
    if (t.rows != samples)
        throw t.error_at_header(0, "the header promises " + std::to_string(samples) + " samples, the file has " +
                                       std::to_string(t.rows));
    RawTable raw{std::move(name), "class", std::move(feature_names), {h.begin() + 2, h.end()}, t.rows, {}, {}};
    check_labels(t, features, raw.class_names);
    raw.inputs.reserve(t.rows * features);
    for (std::size_t r = 0; r < t.rows; ++r) {
        raw.inputs.insert(raw.inputs.end(), t.values.begin() + std::ptrdiff_t(r * t.columns),
                          t.values.begin() + std::ptrdiff_t(r * t.columns + features));
        raw.targets.push_back(t.at(r, features));
    }
    return raw;
}

TYPENET_INLINE std::filesystem::path table_path(const TableOptions& o, const char* file) {
    return o.folder.empty() ? find(std::string("sklearn/") + file) : o.folder / file;
}

// Selection, split and scaling, the same for every table.
TYPENET_INLINE TableData finish(RawTable raw, const TableOptions& o) {
    const bool classification = !raw.class_names.empty();
    if (!(o.test_fraction >= 0.f && o.test_fraction < 1.f))
        throw std::invalid_argument(raw.name + ": test_fraction must be in [0, 1), got " +
                                    std::to_string(o.test_fraction));
    if (!o.classes.empty() && !classification)
        throw std::invalid_argument(raw.name + " is a regression table: it has no classes to select");

    // Which features, and which classes under which new labels.
    const std::size_t width = raw.feature_names.size();
    std::vector<std::size_t> feature_index(width);
    std::iota(feature_index.begin(), feature_index.end(), std::size_t{0});
    if (!o.features.empty()) feature_index = pick(raw.name, "feature", o.features, raw.feature_names);
    std::vector<int> new_label(raw.class_names.size());
    std::iota(new_label.begin(), new_label.end(), 0);
    std::vector<std::string> class_names = raw.class_names;
    if (!o.classes.empty()) {
        std::fill(new_label.begin(), new_label.end(), -1);
        const auto chosen = pick(raw.name, "class", o.classes, raw.class_names);
        class_names.clear();
        for (std::size_t k = 0; k < chosen.size(); ++k) {
            new_label[chosen[k]] = int(k);
            class_names.push_back(raw.class_names[chosen[k]]);
        }
    }

    // The kept samples, grouped by class (one group for regression) for a stratified split.
    std::vector<std::vector<std::size_t>> groups(classification ? class_names.size() : 1);
    for (std::size_t i = 0; i < raw.samples; ++i) {
        const int label = classification ? new_label[std::size_t(raw.targets[i])] : 0;
        if (label >= 0) groups[std::size_t(label)].push_back(i);
    }
    std::vector<char> is_test(raw.samples, 0);
    Rng rng(o.seed);
    for (auto& g : groups) {
        for (std::size_t i = g.size(); i > 1; --i) std::swap(g[i - 1], g[rng.below(i)]);  // Fisher-Yates
        const auto n_test = static_cast<std::size_t>(std::lround(double(o.test_fraction) * double(g.size())));
        for (std::size_t k = 0; k < n_test; ++k) is_test[g[k]] = 1;
    }

    TableData out;
    out.name = raw.name;
    out.target_name = raw.target_name;
    out.class_names = class_names;
    for (auto f : feature_index) out.feature_names.push_back(raw.feature_names[f]);
    out.train = Dataset(raw.name + "/train", feature_index.size(), 1);
    out.test = Dataset(raw.name + "/test", feature_index.size(), 1);
    std::vector<float> x(feature_index.size());
    for (std::size_t i = 0; i < raw.samples; ++i) {  // file order within each set: easy to follow
        const float t = classification ? float(new_label[std::size_t(raw.targets[i])]) : raw.targets[i];
        if (t < 0) continue;
        for (std::size_t k = 0; k < feature_index.size(); ++k) x[k] = raw.inputs[i * width + feature_index[k]];
        (is_test[i] ? out.test : out.train).add(x, std::span<const float>(&t, 1));
    }

    if (o.standardize) {
        const std::size_t w = feature_index.size(), n = out.train.size();
        out.feature_mean.assign(w, 0.f);
        out.feature_std.assign(w, 1.f);
        for (std::size_t k = 0; k < w; ++k) {
            double sum = 0, sq = 0;
            for (std::size_t i = 0; i < n; ++i) sum += out.train.inputs[i * w + k];
            const double mean = sum / double(n);
            for (std::size_t i = 0; i < n; ++i) sq += std::pow(out.train.inputs[i * w + k] - mean, 2);
            const double sd = std::sqrt(sq / double(n));
            out.feature_mean[k] = float(mean);
            out.feature_std[k] = sd > 0 ? float(sd) : 1.f;  // a constant feature (a blank digit pixel) stays 0
        }
        for (Dataset* d : {&out.train, &out.test})
            for (std::size_t i = 0; i < d->inputs.size(); ++i)
                d->inputs[i] = (d->inputs[i] - out.feature_mean[i % w]) / out.feature_std[i % w];
    }
    out.train.validate();
    out.test.validate();
    return out;
}

}  // namespace detail

TYPENET_INLINE TableData iris(const TableOptions& o) {
    return detail::finish(detail::read_counted(detail::table_path(o, "iris.csv"), "iris",
                                               {"sepal length (cm)", "sepal width (cm)", "petal length (cm)",
                                                "petal width (cm)"}),
                          o);
}

TYPENET_INLINE TableData wine(const TableOptions& o) {
    return detail::finish(
        detail::read_counted(detail::table_path(o, "wine_data.csv"), "wine",
                             {"alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols",
                              "flavanoids", "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue",
                              "od280/od315_of_diluted_wines", "proline"}),
        o);
}

TYPENET_INLINE TableData breast_cancer(const TableOptions& o) {
    std::vector<std::string> names;
    for (const char* stat : {"mean", "error", "worst"})
        for (const char* f : {"radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
                              "concave points", "symmetry", "fractal dimension"})
            names.push_back(std::string(stat) == "error" ? std::string(f) + " error" : std::string(stat) + " " + f);
    return detail::finish(detail::read_counted(detail::table_path(o, "breast_cancer.csv"), "breast_cancer", names),
                          o);
}

TYPENET_INLINE TableData digits(const TableOptions& o) {
    const auto path = detail::table_path(o, "digits.csv");
    auto t = io::read_csv(path, {.columns = 65});
    detail::RawTable raw{"digits", "class", {}, {}, t.rows, {}, {}};
    for (int r = 0; r < 8; ++r)
        for (int c = 0; c < 8; ++c) raw.feature_names.push_back("pixel_" + std::to_string(r) + "_" + std::to_string(c));
    for (int d = 0; d < 10; ++d) raw.class_names.push_back(std::to_string(d));
    detail::check_labels(t, 64, raw.class_names);
    for (std::size_t r = 0; r < t.rows; ++r) {
        for (std::size_t c = 0; c < 64; ++c) raw.inputs.push_back(t.at(r, c));
        raw.targets.push_back(t.at(r, 64));
    }
    return detail::finish(std::move(raw), o);
}

TYPENET_INLINE TableData diabetes(const TableOptions& o) {
    const auto inputs = io::read_csv(detail::table_path(o, "diabetes_data_raw.csv"), {.delimiter = ' ', .columns = 10});
    const auto target = io::read_csv(detail::table_path(o, "diabetes_target.csv"), {.delimiter = ' ', .columns = 1});
    if (inputs.rows != target.rows)
        throw io::CsvError(target.file, 0, 0,
                           "expected one target per row of " + inputs.file + " (" + std::to_string(inputs.rows) +
                               "), found " + std::to_string(target.rows));
    detail::RawTable raw{"diabetes", "disease progression",
                         {"age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"},
                         {}, inputs.rows, inputs.values, target.values};
    return detail::finish(std::move(raw), o);
}

}  // namespace tn::data
