// The CSV reader and the sklearn table loaders: good input parses, every kind of bad
// input names the file, the line and the column, and the real tables load as
// scikit-learn describes them (when scripts/fetch-data.sh has fetched them).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <unistd.h>  // getpid: one scratch folder per test process

#include <typenet/data/tables.hpp>
#include <typenet/io/csv.hpp>

namespace fs = std::filesystem;
using tn::io::CsvError;
using tn::io::read_csv;

namespace {

// A scratch folder per test case, removed at the end.
struct TempDir {
    fs::path path;
    TempDir() {
        static int counter = 0;
        path = fs::temp_directory_path() / ("typenet-csv-test-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(counter++));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name, std::ios::binary) << text;
        return path / name;
    }
};

// The error read_csv raises on `text`; fails the test when it raises none.
CsvError csv_error(const TempDir& dir, const std::string& text, const tn::io::CsvOptions& options = {}) {
    const auto file = dir.write("bad.csv", text);
    try {
        read_csv(file, options);
    } catch (const CsvError& e) {
        return e;
    }
    FAIL("no CsvError for: " << text);
    return CsvError("", 0, 0, "");
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// Where the real data sets are: $TYPENET_DATA, ./data, or the source tree's data/.
fs::path real_data_root() {
    if (const char* env = std::getenv("TYPENET_DATA"); env && *env) return env;
    if (fs::is_directory("data/sklearn")) return "data";
    return fs::path(__FILE__).parent_path().parent_path().parent_path() / "data";
}

// A four-feature, three-class table in sklearn's counted layout: 4 samples per class,
// feature 0 = 10 * class + i, so a sample tells where it came from.
std::string small_counted_table(int label_of_last = 2) {
    std::string s = "12,4,setosa,versicolor,virginica\n";
    for (int c = 0; c < 3; ++c)
        for (int i = 0; i < 4; ++i) {
            const int label = (c == 2 && i == 3) ? label_of_last : c;
            s += std::to_string(10 * c + i) + ",1.5," + std::to_string(c) + ",0.25," + std::to_string(label) + "\n";
        }
    return s;
}

}  // namespace

TEST_CASE("read_csv parses numbers, header lines, blank lines and CRLF endings") {
    TempDir dir;
    const auto file = dir.write("good.csv", "3,2,a,b\r\n1.5, -2,3e2\r\n\r\n+4,5.25,  0\n-1e-3,0,7\n");
    const auto t = read_csv(file, {.header_lines = 1});
    CHECK(t.header.size() == 1);
    CHECK(t.header[0] == std::vector<std::string>{"3", "2", "a", "b"});
    CHECK(t.header_line_numbers == std::vector<std::size_t>{1});
    CHECK(t.rows == 3);
    CHECK(t.columns == 3);
    CHECK(t.at(0, 0) == 1.5f);
    CHECK(t.at(0, 1) == -2.f);
    CHECK(t.at(0, 2) == 300.f);
    CHECK(t.at(1, 0) == 4.f);
    CHECK(t.at(1, 1) == 5.25f);
    CHECK(t.at(2, 0) == doctest::Approx(-0.001));
    CHECK(t.column(2) == std::vector<float>{300.f, 0.f, 7.f});
    // The blank line 3 is skipped, and each row remembers its line for later errors.
    CHECK(t.line_numbers == std::vector<std::size_t>{2, 4, 5});
}

TEST_CASE("read_csv splits on runs of blanks when the delimiter is a space") {
    TempDir dir;
    const auto t = read_csv(dir.write("ws.csv", "59 2  32.1\t101.0\n  48 1 21.6 87\n"), {.delimiter = ' '});
    CHECK(t.rows == 2);
    CHECK(t.columns == 4);
    CHECK(t.at(0, 3) == 101.f);
    CHECK(t.at(1, 0) == 48.f);
}

TEST_CASE("a cell that is not a number names the file, line, column and what was expected") {
    TempDir dir;
    const auto e = csv_error(dir, "1,2,3\n4,5,6\n7,x8,9\n");
    CHECK(e.line == 3);
    CHECK(e.column == 2);
    const std::string msg = e.what();
    CHECK(contains(msg, (dir.path / "bad.csv").string() + ":3: column 2:"));
    CHECK(contains(msg, "expected a number"));
    CHECK(contains(msg, "\"x8\""));

    const auto trailing = csv_error(dir, "1,2\n3,4.5.6\n");
    CHECK(trailing.line == 2);
    CHECK(trailing.column == 2);

    const auto empty_cell = csv_error(dir, "1,2,3\n4,,6\n");
    CHECK(empty_cell.line == 2);
    CHECK(empty_cell.column == 2);
    CHECK(contains(empty_cell.what(), "empty cell"));
}

TEST_CASE("NaN and infinity are refused unless allowed") {
    TempDir dir;
    const auto e = csv_error(dir, "1,2\nnan,4\n");
    CHECK(e.line == 2);
    CHECK(e.column == 1);
    CHECK(contains(e.what(), "expected a finite number"));
    CHECK(csv_error(dir, "1,inf\n").column == 2);
    const auto t = read_csv(dir.write("nan.csv", "1,nan\n"), {.allow_non_finite = true});
    CHECK(std::isnan(t.at(0, 1)));
}

TEST_CASE("a ragged row names its line and both column counts") {
    TempDir dir;
    const auto e = csv_error(dir, "h\n1,2,3\n4,5,6\n7,8\n", {.header_lines = 1});
    CHECK(e.line == 4);
    CHECK(e.column == 0);
    CHECK(contains(e.what(), ":4: expected 3 columns (as on line 2), found 2"));

    const auto fixed = csv_error(dir, "1,2,3\n", {.columns = 4});
    CHECK(fixed.line == 1);
    CHECK(contains(fixed.what(), "expected 4 columns"));
}

TEST_CASE("an empty file, a header without rows and a missing file are named") {
    TempDir dir;
    const auto empty = csv_error(dir, "  \n\n");
    CHECK(contains(empty.what(), "bad.csv: the file is empty"));

    const auto no_rows = csv_error(dir, "150,4,setosa,versicolor,virginica\n", {.header_lines = 1});
    CHECK(contains(no_rows.what(), "no rows of numbers after the 1 header line"));

    const fs::path missing = dir.path / "nowhere.csv";
    try {
        read_csv(missing);
        FAIL("no error for a missing file");
    } catch (const CsvError& e) {
        CHECK(contains(e.what(), missing.string()));
        CHECK(contains(e.what(), "no such file"));
        CHECK(contains(e.what(), "fetch-data.sh"));
    }
}

TEST_CASE("a label out of range is reported with its file and line") {
    TempDir dir;
    dir.write("iris.csv", small_counted_table(/*label_of_last=*/3));
    try {
        tn::data::iris({.folder = dir.path});
        FAIL("no error for label 3 of 3 classes");
    } catch (const CsvError& e) {
        CHECK(e.line == 13);  // the header, then 12 rows: the last one
        CHECK(e.column == 5);
        CHECK(contains(e.what(), "iris.csv:13: column 5: expected a class label from 0 to 2"));
        CHECK(contains(e.what(), "setosa, versicolor, virginica"));
    }
    dir.write("iris.csv", small_counted_table(/*label_of_last=*/-1));
    CHECK_THROWS_AS(tn::data::iris({.folder = dir.path}), CsvError);
}

TEST_CASE("a counted header that disagrees with the rows is reported on line 1") {
    TempDir dir;
    std::string text = small_counted_table();
    text.replace(0, 2, "13");  // promises 13 samples, has 12
    dir.write("iris.csv", text);
    try {
        tn::data::iris({.folder = dir.path});
        FAIL("no error for a wrong sample count");
    } catch (const CsvError& e) {
        CHECK(e.line == 1);
        CHECK(contains(e.what(), "promises 13 samples, the file has 12"));
    }
    dir.write("iris.csv", "many,4,a,b,c\n1,2,3,4,0\n");
    try {
        tn::data::iris({.folder = dir.path});
        FAIL("no error for a non-numeric count");
    } catch (const CsvError& e) {
        CHECK(e.line == 1);
        CHECK(e.column == 1);
        CHECK(contains(e.what(), "expected the number of samples"));
    }
}

TEST_CASE("table loaders select classes and features, relabel, split by seed and standardize") {
    TempDir dir;
    dir.write("iris.csv", small_counted_table());
    const tn::data::TableOptions base{.folder = dir.path};

    const auto all = tn::data::iris(base);
    CHECK(all.train.size() == 12);
    CHECK(all.test.size() == 0);
    CHECK(all.train.input_width == 4);
    CHECK(all.class_names == std::vector<std::string>{"setosa", "versicolor", "virginica"});

    auto picked = base;
    picked.classes = {"virginica", "setosa"};
    picked.features = {"petal_length", "Sepal Length"};  // names match loosely, kept in the asked order
    const auto two = tn::data::iris(picked);
    CHECK(two.class_names == std::vector<std::string>{"virginica", "setosa"});
    CHECK(two.feature_names == std::vector<std::string>{"petal length (cm)", "sepal length (cm)"});
    REQUIRE(two.train.size() == 8);
    for (std::size_t i = 0; i < two.train.size(); ++i) {
        const float original_class = two.train.input(i)[0];  // petal length was set to the class
        CHECK(two.train.target(i)[0] == (original_class == 2.f ? 0.f : 1.f));
        CHECK(two.train.input(i)[1] == doctest::Approx(10 * original_class + float(i % 4)));
    }

    auto split = base;
    split.test_fraction = 0.25f;
    split.seed = tn::Seed{7};
    const auto a = tn::data::iris(split);
    CHECK(a.train.size() == 9);
    CHECK(a.test.size() == 3);
    std::map<float, int> test_per_class;
    for (std::size_t i = 0; i < a.test.size(); ++i) ++test_per_class[a.test.target(i)[0]];
    CHECK(test_per_class == std::map<float, int>{{0.f, 1}, {1.f, 1}, {2.f, 1}});  // stratified
    CHECK(tn::data::iris(split).test.inputs == a.test.inputs);  // the same seed, the same split
    bool some_seed_differs = false;
    for (std::uint64_t s = 8; s < 16 && !some_seed_differs; ++s) {
        split.seed = tn::Seed{s};
        some_seed_differs = tn::data::iris(split).test.inputs != a.test.inputs;
    }
    CHECK(some_seed_differs);

    auto scaled = base;
    scaled.standardize = true;
    const auto z = tn::data::iris(scaled);
    for (std::size_t k = 0; k < 4; ++k) {
        double sum = 0, sq = 0;
        for (std::size_t i = 0; i < z.train.size(); ++i) {
            sum += z.train.input(i)[k];
            sq += std::pow(z.train.input(i)[k], 2);
        }
        CHECK(sum / 12 == doctest::Approx(0).epsilon(1e-6).scale(1));
        // Features 1 and 3 are constant: they become 0 rather than a division by zero.
        const bool constant = k == 1 || k == 3;
        CHECK(sq / 12 == doctest::Approx(constant ? 0.0 : 1.0).epsilon(1e-5));
    }
    CHECK(z.feature_mean[0] == doctest::Approx(11.5));
}

TEST_CASE("table loaders reject unknown names and bad options with the choices") {
    TempDir dir;
    dir.write("iris.csv", small_counted_table());
    try {
        tn::data::iris({.features = {"petal colour"}, .folder = dir.path});
        FAIL("no error for an unknown feature");
    } catch (const std::invalid_argument& e) {
        CHECK(contains(e.what(), "no feature named 'petal colour'"));
        CHECK(contains(e.what(), "sepal length (cm)"));
    }
    CHECK_THROWS_WITH_AS(tn::data::iris({.classes = {"setosa", "setosa"}, .folder = dir.path}),
                         doctest::Contains("selected twice"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(tn::data::iris({.test_fraction = 1.f, .folder = dir.path}),
                         doctest::Contains("test_fraction"), std::invalid_argument);
}

TEST_CASE("the real sklearn tables load as scikit-learn describes them") {
    const fs::path folder = real_data_root() / "sklearn";
    if (!fs::exists(folder / "iris.csv")) {
        MESSAGE("skipped: " << folder.string() << " is missing; run scripts/fetch-data.sh");
        return;
    }
    const tn::data::TableOptions o{.folder = folder};
    auto count_classes = [](const tn::Dataset& d, std::size_t k) {
        std::vector<int> n(k, 0);
        for (float t : d.targets) ++n.at(std::size_t(t));
        return n;
    };

    const auto iris = tn::data::iris(o);
    CHECK(iris.train.size() == 150);
    CHECK(iris.features() == 4);
    CHECK(count_classes(iris.train, 3) == std::vector<int>{50, 50, 50});
    CHECK(iris.train.input(0)[0] == 5.1f);  // the first flower, as in sklearn's iris.csv

    const auto wine = tn::data::wine(o);
    CHECK(wine.train.size() == 178);
    CHECK(count_classes(wine.train, 3) == std::vector<int>{59, 71, 48});

    const auto cancer = tn::data::breast_cancer(o);
    CHECK(cancer.train.size() == 569);
    CHECK(cancer.features() == 30);
    CHECK(count_classes(cancer.train, 2) == std::vector<int>{212, 357});

    const auto digits = tn::data::digits(o);
    CHECK(digits.train.size() == 1797);
    CHECK(digits.features() == 64);
    CHECK(std::all_of(digits.train.inputs.begin(), digits.train.inputs.end(),
                      [](float p) { return p >= 0.f && p <= 16.f; }));

    const auto diabetes = tn::data::diabetes(o);
    CHECK(diabetes.train.size() == 442);
    CHECK(diabetes.features() == 10);
    CHECK(diabetes.classes() == 0);
    const auto [lo, hi] = std::minmax_element(diabetes.train.targets.begin(), diabetes.train.targets.end());
    CHECK(*lo == 25.f);
    CHECK(*hi == 346.f);

    // Lesson 01's view: setosa vs versicolor on two features, split and scaled.
    const auto lesson01 = tn::data::iris({.classes = {"setosa", "versicolor"},
                                          .features = {"sepal length", "petal length"},
                                          .test_fraction = 0.2f,
                                          .seed = tn::Seed{1},
                                          .standardize = true,
                                          .folder = folder});
    CHECK(lesson01.train.size() == 80);
    CHECK(lesson01.test.size() == 20);
}
