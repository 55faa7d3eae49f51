// The IDX reader on files it writes itself: good ones, plain and gzipped, and each
// way a file can be wrong.
#include <doctest/doctest.h>

#include <cstdio>
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
}
