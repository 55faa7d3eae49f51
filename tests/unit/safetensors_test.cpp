// The safetensors reader and writer: every dtype round trip, the reference
// implementation's own byte-exact examples, each way a file can be malformed, and
// atomic writes that leave the old file when the disk fails half-way.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <typenet/io/safetensors.hpp>
#include <vector>

#include "support/file_size_limit.hpp"

using namespace tn;
namespace st = tn::io::safetensors;
namespace fs = std::filesystem;

namespace {
fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / "typenet-safetensors-test";
    fs::create_directories(dir);
    return dir / name;
}

std::vector<std::byte> file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> out(chars.size());
    std::memcpy(out.data(), chars.data(), chars.size());
    return out;
}

// A file from its parts: the header text as given (length field computed), then
// `data` bytes of value 0xAB.
std::vector<std::byte> raw_file(const std::string& header, std::size_t data) {
    std::vector<std::byte> b(8);
    const std::uint64_t n = header.size();
    std::memcpy(b.data(), &n, 8);
    for (char c : header) b.push_back(std::byte(c));
    b.resize(b.size() + data, std::byte{0xAB});
    return b;
}

std::string error_of(const std::vector<std::byte>& bytes) {
    try {
        st::parse(bytes, "x.safetensors");
    } catch (const io::FormatError& e) {
        CHECK(e.source == "x.safetensors");
        return e.what();
    }
    return "no error";
}
std::string error_of(const std::string& header, std::size_t data) { return error_of(raw_file(header, data)); }

std::string entry(const std::string& name, const std::string& dtype, const std::string& shape, std::size_t begin,
                  std::size_t end) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" +
           std::to_string(begin) + "," + std::to_string(end) + "]}";
}

// {"a":...,"b":...} from entries (appended: `"{" + std::string&&` trips g++ 12's bogus
// -Wrestrict warning, GCC bug 105329).
template <class... Entries>
std::string object(const Entries&... entries) {
    std::string s = "{";
    ((s.append(entries).append(",")), ...);
    if constexpr (sizeof...(Entries) == 0) s += '}';
    else s.back() = '}';
    return s;
}

std::string as_text(const std::vector<std::byte>& b, std::size_t from, std::size_t n) {
    return {reinterpret_cast<const char*>(b.data()) + from, n};
}
}  // namespace

TEST_CASE("safetensors: every dtype survives a write and a read, byte for byte") {
    std::vector<std::vector<std::byte>> payloads;
    std::vector<st::TensorView> views;
    for (const auto& d : st::dtypes) {
        std::vector<std::byte> bytes(3 * 2 * d.size);
        for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = std::byte(i * 37 + d.size);
        payloads.push_back(std::move(bytes));
        views.push_back({std::string("t.").append(d.name), d.dtype, {3, 2}, payloads.back()});
    }
    const fs::path p = scratch("dtypes.safetensors");
    st::write(p, views, {{"note", "every dtype"}});
    const auto file = st::read(p);
    CHECK(file.metadata == st::Metadata{{"note", "every dtype"}});
    REQUIRE(file.tensors.size() == std::size(st::dtypes));
    for (std::size_t i = 0; i < views.size(); ++i) {
        CAPTURE(views[i].name);
        const st::Tensor& t = file.at(views[i].name);
        CHECK(t.dtype == views[i].dtype);
        CHECK(t.shape == std::vector<std::size_t>{3, 2});
        CHECK(t.count() == 6);
        CHECK(t.bytes == payloads[i]);
    }
    // Larger elements first, as the reference writer orders them: every tensor's data
    // then starts at a multiple of its element size.
    const auto bytes = file_bytes(p);
    std::uint64_t header = 0;
    std::memcpy(&header, bytes.data(), 8);
    CHECK(header % 8 == 0);
    for (std::size_t i = 1; i < file.tensors.size(); ++i)
        CHECK(st::size_of(file.tensors[i - 1].dtype) >= st::size_of(file.tensors[i].dtype));
}

TEST_CASE("safetensors: scalars, empty tensors and no tensors at all") {
    const float pi = 3.25f;
    const std::vector<float> none;
    const auto bytes = st::serialize(std::vector<st::TensorView>{st::view("scalar", {}, std::span(&pi, 1)),
                                                                 st::view("empty", {0, 5}, std::span(none))});
    const auto file = st::parse(bytes, "mem");
    CHECK(file.at("scalar").shape.empty());
    CHECK(file.at("scalar").to_floats() == std::vector<float>{3.25f});
    CHECK(file.at("empty").shape == std::vector<std::size_t>{0, 5});
    CHECK(file.at("empty").count() == 0);
    CHECK(st::parse(st::serialize({}), "mem").tensors.empty());
    CHECK_THROWS_WITH_AS(file.at("nope"), "mem: no tensor named 'nope'", io::FormatError);
}

TEST_CASE("safetensors: byte-exact against the reference implementation's own examples") {
    // From huggingface/safetensors' tests (test_serialization, ..._forced_alignement,
    // test_empty): the header is compact JSON padded with spaces to 8 bytes.
    const std::vector<float> values{0, 1, 2, 3, 4, 5};
    auto a = st::serialize(std::vector{st::view("attn.0", {1, 2, 3}, std::span(values))});
    REQUIRE(a.size() == 8 + 64 + 24);
    CHECK(a[0] == std::byte{64});
    CHECK(as_text(a, 8, 64) == R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})");
    CHECK(std::memcmp(a.data() + 72, values.data(), 24) == 0);

    auto b = st::serialize(std::vector{st::view("attn0", {1, 1, 2, 3}, std::span(values))});
    REQUIRE(b.size() == 104);
    CHECK(b[0] == std::byte{72});
    CHECK(as_text(b, 8, 72) == R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       )");

    auto c = st::serialize({}, {{"framework", "pt"}});
    REQUIRE(c.size() == 48);
    CHECK(c[0] == std::byte{40});
    CHECK(as_text(c, 8, 40) == R"({"__metadata__":{"framework":"pt"}}     )");
    CHECK(as_text(st::serialize({}), 8, 8) == "{}      ");
}

TEST_CASE("safetensors: floating dtypes convert to float exactly, integers to int64") {
    auto file_of = [](st::Dtype dtype, std::vector<std::byte> bytes, std::size_t n) {
        std::vector<st::TensorView> v{{"t", dtype, {n}, bytes}};
        return st::parse(st::serialize(v), "mem").at("t");
    };
    auto bytes_of = [](const auto& values) {
        std::vector<std::byte> b(sizeof values);
        std::memcpy(b.data(), &values, sizeof values);
        return b;
    };
    // F16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), +inf, 2^-14 (smallest normal)
    const std::uint16_t half[] = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x0400};
    const auto h = file_of(st::Dtype::F16, bytes_of(half), 6).to_floats();
    CHECK(h == std::vector<float>{1.f, -2.f, 65504.f, 0x1p-24f, std::numeric_limits<float>::infinity(), 0x1p-14f});
    CHECK(std::isnan(file_of(st::Dtype::F16, bytes_of(std::uint16_t{0x7E00}), 1).to_floats()[0]));
    // BF16 is a float's upper half: 0x4049 is 3.140625.
    const std::uint16_t bf[] = {0x3F80, 0x4049, 0xC000};
    CHECK(file_of(st::Dtype::BF16, bytes_of(bf), 3).to_floats() == std::vector<float>{1.f, 3.140625f, -2.f});
    const double wide[] = {0.1, -1e300};
    const auto f = file_of(st::Dtype::F64, bytes_of(wide), 2).to_floats();
    CHECK(f[0] == 0.1f);
    CHECK(f[1] == -std::numeric_limits<float>::infinity());

    const std::int32_t i32[] = {-5, 7};
    CHECK(file_of(st::Dtype::I32, bytes_of(i32), 2).to_int64s() == std::vector<std::int64_t>{-5, 7});
    const std::uint32_t u32[] = {4'000'000'000u};
    CHECK(file_of(st::Dtype::U32, bytes_of(u32), 1).to_int64s() == std::vector<std::int64_t>{4'000'000'000});
    const std::uint8_t u8[] = {255, 0, 2};
    CHECK(file_of(st::Dtype::U8, bytes_of(u8), 3).to_int64s() == std::vector<std::int64_t>{255, 0, 2});
    CHECK(file_of(st::Dtype::BOOL, bytes_of(u8), 3).to_int64s() == std::vector<std::int64_t>{1, 0, 1});
    const std::int64_t i64[] = {std::numeric_limits<std::int64_t>::min()};
    CHECK(file_of(st::Dtype::I64, bytes_of(i64), 1).to_int64s()[0] == std::numeric_limits<std::int64_t>::min());

    CHECK_THROWS_WITH(file_of(st::Dtype::I32, bytes_of(i32), 2).to_floats(),
                      doctest::Contains("tensor 't' has dtype I32, which typenet does not convert to float"));
    CHECK_THROWS_WITH(file_of(st::Dtype::F8_E4M3, bytes_of(u8), 3).to_floats(),
                      doctest::Contains("dtype F8_E4M3, which typenet does not convert to float"));
    CHECK_THROWS_WITH(file_of(st::Dtype::F32, bytes_of(i32), 2).to_int64s(),
                      doctest::Contains("dtype F32, which typenet does not convert to integers"));
}

TEST_CASE("safetensors: each malformed file is a FormatError that says what is wrong") {
    const std::string ok = entry("w", "F32", "[2]", 0, 8);
    CHECK(error_of("{" + ok + "}", 8) == "no error");

    SUBCASE("the length field and the header's extent") {
        CHECK(error_of(std::vector<std::byte>(5)) ==
              "x.safetensors: too short for a safetensors header (5 bytes, the length field alone takes 8)");
        auto huge = raw_file("{}", 0);
        const std::uint64_t absurd = std::uint64_t(1) << 40;
        std::memcpy(huge.data(), &absurd, 8);
        CHECK(error_of(huge) == "x.safetensors: the header length 1099511627776 is implausible (more than 100 MB): "
                                "not a safetensors file, or corrupt");
        auto past = raw_file("{}", 0);
        past[0] = std::byte{200};
        CHECK(error_of(past) == "x.safetensors: the header length 200 runs past the end of the file (10 bytes)");
    }
    SUBCASE("the header's JSON") {
        CHECK(error_of("{\"w\":", 0).starts_with("x.safetensors: the header is not valid JSON: parse error at line 1"));
        CHECK(error_of("{\"w\xff\":1}", 0).starts_with("x.safetensors: the header is not valid JSON:"));
        CHECK(error_of("[1, 2]", 0) == "x.safetensors: the header is a JSON array, not an object");
        CHECK(error_of("{" + ok + "," + ok + "}", 8) == "x.safetensors: the header names 'w' twice");
        CHECK(error_of(R"({"__metadata__":[1]})", 0) == "x.safetensors: __metadata__ is [1], not an object");
        CHECK(error_of(R"({"__metadata__":{"epoch":3}})", 0) ==
              "x.safetensors: __metadata__ \"epoch\" is 3, but metadata values must be strings");
    }
    SUBCASE("a tensor's fields") {
        CHECK(error_of(R"({"w":[0,8]})", 8) == "x.safetensors: tensor 'w': its entry is [0,8], not an object");
        CHECK(error_of(R"({"w":{"shape":[2],"data_offsets":[0,8]}})", 8) ==
              "x.safetensors: tensor 'w': the field \"dtype\" is missing");
        CHECK(error_of(R"({"w":{"dtype":"F32","data_offsets":[0,8]}})", 8) ==
              "x.safetensors: tensor 'w': the field \"shape\" is missing");
        CHECK(error_of(R"({"w":{"dtype":"F32","shape":[2]}})", 8) ==
              "x.safetensors: tensor 'w': the field \"data_offsets\" is missing");
        CHECK(error_of(R"({"w":{"dtype":4,"shape":[2],"data_offsets":[0,8]}})", 8) ==
              "x.safetensors: tensor 'w': \"dtype\" is 4, not a string");
        CHECK(error_of(object(entry("w", "F128", "[2]", 0, 8)), 8) ==
              "x.safetensors: tensor 'w': unknown dtype \"F128\"");
        CHECK(error_of(object(entry("w", "F32", "2", 0, 8)), 8) ==
              "x.safetensors: tensor 'w': \"shape\" is not an array");
        CHECK(error_of(object(entry("w", "F32", "[-2]", 0, 8)), 8) ==
              "x.safetensors: tensor 'w': \"shape\" holds -2, not a non-negative integer");
        CHECK(error_of(object(entry("w", "F32", "[2.0]", 0, 8)), 8) ==
              "x.safetensors: tensor 'w': \"shape\" holds 2.0, not a non-negative integer");
        CHECK(error_of(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}})", 8) ==
              "x.safetensors: tensor 'w': \"data_offsets\" has 3 numbers, not two [begin, end]");
    }
    SUBCASE("sizes and offsets") {
        CHECK(error_of(object(entry("w", "F32", "[3]", 0, 8)), 8) ==
              "x.safetensors: tensor 'w': shape [3] of F32 needs 12 bytes, but data_offsets [0, 8] hold 8");
        CHECK(error_of(object(entry("w", "F32", "[2]", 8, 0)), 8) ==
              "x.safetensors: tensor 'w': data_offsets [8, 0] end before they begin");
        CHECK(error_of(object(entry("w", "F32", "[2]", 0, 8)), 4) ==
              "x.safetensors: tensor 'w': data_offsets [0, 8] run past the end of the data (4 bytes)");
        CHECK(error_of(object(entry("w", "F32", "[4294967296,4294967296,4]", 0, 8)), 8) ==
              "x.safetensors: tensor 'w': shape [4294967296, 4294967296, 4] of F32 has more bytes than a 64-bit size "
              "can count");
        CHECK(error_of(object(entry("w", "F32", "[4294967296,4294967296,0]", 0, 0)), 0) == "no error");
        CHECK(error_of(object(entry("a", "F32", "[4]", 0, 16), entry("b", "F32", "[4]", 8, 24)), 24) ==
              "x.safetensors: tensors 'a' [0, 16] and 'b' [8, 24] overlap");
        CHECK(error_of(object(entry("a", "F32", "[2]", 0, 8), entry("b", "F32", "[2]", 16, 24)), 24) ==
              "x.safetensors: bytes [8, 16) of the data belong to no tensor");
        CHECK(error_of("{" + ok + "}", 12) ==
              "x.safetensors: the data holds 4 bytes after the last tensor's end (8)");
    }
}

TEST_CASE("safetensors: read names the path; write refuses what it cannot store") {
    CHECK_THROWS_WITH_AS(st::read(scratch("missing.safetensors")), doctest::Contains("missing.safetensors: no such file"),
                         io::FormatError);
    const fs::path bad = scratch("truncated.safetensors");
    const auto bytes = raw_file(object(entry("w", "F32", "[2]", 0, 8)), 4);
    std::ofstream(bad, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    CHECK_THROWS_WITH_AS(st::read(bad), doctest::Contains("truncated.safetensors: tensor 'w': data_offsets [0, 8] run past"),
                         io::FormatError);

    const float v[2] = {1, 2};
    CHECK_THROWS_WITH_AS(st::serialize(std::vector{st::view("w", {3}, std::span(v))}),
                         "safetensors: tensor 'w' has shape [3] of F32 but 8 bytes", std::invalid_argument);
    CHECK_THROWS_WITH_AS(st::serialize(std::vector{st::view("w", {2}, std::span(v)), st::view("w", {2}, std::span(v))}),
                         doctest::Contains("cannot write two tensors named 'w'"), std::invalid_argument);
}

TEST_CASE("safetensors: a write that fails half-way leaves the previous file and no temporary") {
    const fs::path p = scratch("atomic.safetensors");
    const std::vector<float> old_values(16, 1.f), new_values(1 << 16, 2.f);
    st::write(p, {st::view("w", {16}, std::span(old_values))});
    const auto before = file_bytes(p);

    SUBCASE("the disk refuses more bytes mid-write (EFBIG)") {
        bool failed = false;
        {
            test::FileSizeLimit limit(4096);  // the new file is 256 KiB
            try {
                st::write(p, {st::view("w", {new_values.size()}, std::span(new_values))});
            } catch (const fs::filesystem_error& e) {
                failed = true;
                CHECK(std::string(e.what()).find("atomic.safetensors: cannot write") != std::string::npos);
            }
        }
        CHECK(failed);
    }
    SUBCASE("the tensors are refused before the disk is touched") {
        CHECK_THROWS_AS(st::write(p, {st::view("w", {7}, std::span(new_values))}), std::invalid_argument);
    }
    CHECK(file_bytes(p) == before);
    CHECK(st::read(p).at("w").to_floats() == old_values);
    for (const auto& f : fs::directory_iterator(p.parent_path()))
        CHECK_MESSAGE(f.path().filename().string().find(".tmp.") == std::string::npos, f.path());

    st::write(p, {st::view("w", {new_values.size()}, std::span(new_values))});  // and with room it succeeds
    CHECK(st::read(p).at("w").count() == new_values.size());
}
