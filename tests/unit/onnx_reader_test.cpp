// The ONNX reader: real files from Debian's libonnx-testdata (checked against what
// the operator computes, not against the reader's own output), messages built byte
// by byte in each encoding protobuf allows, and each way bytes can be malformed.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <typenet/io/onnx.hpp>
#include <vector>

namespace onnx = tn::io::onnx;
namespace fs = std::filesystem;

namespace {

const fs::path test_data = "/usr/share/libonnx-testdata/data/node";

// A protobuf message written by hand.
struct Bytes {
    std::vector<std::byte> b;
    Bytes& raw(std::initializer_list<int> values) {
        for (int v : values) b.push_back(std::byte(v));
        return *this;
    }
    Bytes& varint(std::uint64_t v) {
        do {
            b.push_back(std::byte((v & 0x7F) | (v >= 0x80 ? 0x80 : 0)));
            v >>= 7;
        } while (v);
        return *this;
    }
    Bytes& tag(std::uint32_t field, std::uint32_t wire) { return varint(std::uint64_t(field) << 3 | wire); }
    Bytes& field_varint(std::uint32_t field, std::uint64_t v) { return tag(field, 0).varint(v); }
    Bytes& field_float(std::uint32_t field, float f) {
        tag(field, 5);
        const auto w = std::bit_cast<std::uint32_t>(f);
        for (int k = 0; k < 4; ++k) b.push_back(std::byte(w >> (8 * k)));
        return *this;
    }
    Bytes& field_bytes(std::uint32_t field, const std::vector<std::byte>& payload) {
        tag(field, 2).varint(payload.size());
        b.insert(b.end(), payload.begin(), payload.end());
        return *this;
    }
    Bytes& field_string(std::uint32_t field, const std::string& s) {
        std::vector<std::byte> p(s.size());
        std::memcpy(p.data(), s.data(), s.size());
        return field_bytes(field, p);
    }
    Bytes& field_message(std::uint32_t field, const Bytes& m) { return field_bytes(field, m.b); }
};

std::vector<std::byte> floats_as_bytes(std::vector<float> v) {
    std::vector<std::byte> out(v.size() * 4);
    std::memcpy(out.data(), v.data(), out.size());
    return out;
}

std::string tensor_error(const Bytes& m) {
    try {
        onnx::parse_tensor(m.b, "t.pb");
    } catch (const tn::io::FormatError& e) {
        return e.what();
    }
    return "no error";
}
std::string model_error(const Bytes& m) {
    try {
        onnx::parse_model(m.b, "m.onnx");
    } catch (const tn::io::FormatError& e) {
        return e.what();
    }
    return "no error";
}

std::vector<std::byte> file_bytes(const fs::path& p) {
    std::vector<std::byte> out(fs::file_size(p));
    std::FILE* f = std::fopen(p.c_str(), "rb");
    REQUIRE(f);
    REQUIRE(std::fread(out.data(), 1, out.size(), f) == out.size());
    std::fclose(f);
    return out;
}

}  // namespace

TEST_CASE("onnx: a real operator test from libonnx-testdata (Relu) reads whole and agrees with the operator") {
    const fs::path dir = test_data / "test_relu";
    if (!fs::exists(dir)) {
        WARN_MESSAGE(false, "libonnx-testdata is not installed (scripts/setup.sh installs it): skipped");
        return;
    }
    const onnx::Model m = onnx::read_model(dir / "model.onnx");
    CHECK(m.opset_version() >= 6);
    REQUIRE(m.graph.nodes.size() == 1);
    const onnx::Node& relu = m.graph.nodes[0];
    CHECK(relu.op_type == "Relu");
    CHECK(relu.inputs == std::vector<std::string>{"x"});
    CHECK(relu.outputs == std::vector<std::string>{"y"});
    CHECK(relu.attributes.empty());
    CHECK(m.graph.inputs == std::vector<std::string>{"x"});
    CHECK(m.graph.initializers.empty());

    const onnx::Tensor x = onnx::read_tensor(dir / "test_data_set_0/input_0.pb");
    const onnx::Tensor y = onnx::read_tensor(dir / "test_data_set_0/output_0.pb");
    CHECK(x.data_type == onnx::DataType::FLOAT);
    CHECK(x.dims == std::vector<std::int64_t>{3, 4, 5});
    REQUIRE(x.floats.size() == 60);
    REQUIRE(y.floats.size() == 60);
    // ReLU's definition, applied to the input we read, gives the output we read.
    std::size_t negatives = 0;
    for (std::size_t i = 0; i < 60; ++i) {
        CHECK(y.floats[i] == std::max(x.floats[i], 0.f));
        negatives += x.floats[i] < 0;
    }
    CHECK(negatives > 0);  // the data exercises both branches
}

TEST_CASE("onnx: attributes of each kind from real models (FLOAT, INTS, STRING, INT)") {
    if (!fs::exists(test_data / "test_conv_with_autopad_same")) {
        WARN_MESSAGE(false, "libonnx-testdata is not installed: skipped");
        return;
    }
    const auto leaky = onnx::read_model(test_data / "test_leakyrelu/model.onnx").graph.nodes.at(0);
    CHECK(leaky.op_type == "LeakyRelu");
    CHECK(leaky.float_or("alpha", 0.01f) == 0.1f);
    CHECK(leaky.find("alpha")->type == onnx::AttributeType::FLOAT);

    const auto conv = onnx::read_model(test_data / "test_conv_with_autopad_same/model.onnx").graph.nodes.at(0);
    CHECK(conv.op_type == "Conv");
    CHECK(conv.inputs.size() == 2);
    CHECK(conv.ints_or("kernel_shape", {}) == std::vector<std::int64_t>{3, 3});
    CHECK(conv.ints_or("strides", {}) == std::vector<std::int64_t>{2, 2});
    CHECK(conv.string_or("auto_pad", "NOTSET") == "SAME_LOWER");
    CHECK(conv.int_or("group", 1) == 1);  // absent: the default
    CHECK_THROWS_WITH_AS(conv.int_or("kernel_shape", 0), doctest::Contains("attribute 'kernel_shape' is INTS, expected INT"),
                         tn::io::FormatError);

    const auto flatten = onnx::read_model(test_data / "test_flatten_negative_axis1/model.onnx").graph.nodes.at(0);
    CHECK(flatten.int_or("axis", 1) == -1);  // a negative int64 is a ten-byte varint

    // A Conv weight is the second input: [F, C, kh, kw].
    const auto w = onnx::read_tensor(test_data / "test_conv_with_autopad_same/test_data_set_0/input_1.pb");
    CHECK(w.dims == std::vector<std::int64_t>{1, 1, 3, 3});
    CHECK(w.count() == 9);
}

TEST_CASE("onnx: an INT64 tensor (a Reshape's shape input)") {
    const fs::path p = test_data / "test_reshape_reduced_dims/test_data_set_0/input_1.pb";
    if (!fs::exists(p)) {
        WARN_MESSAGE(false, "libonnx-testdata is not installed: skipped");
        return;
    }
    const auto shape = onnx::read_tensor(p);
    CHECK(shape.data_type == onnx::DataType::INT64);
    CHECK(shape.dims == std::vector<std::int64_t>{2});
    // The case reshapes [2, 3, 4] to [2, 12]: the shape it names keeps every element.
    const auto data = onnx::read_tensor(test_data / "test_reshape_reduced_dims/test_data_set_0/input_0.pb");
    REQUIRE(shape.int64s.size() == 2);
    CHECK(std::size_t(shape.int64s[0] * shape.int64s[1]) == data.count());
    CHECK(shape.to_floats() == std::vector<float>{float(shape.int64s[0]), float(shape.int64s[1])});
}

TEST_CASE("onnx: hand-written tensors in each encoding protobuf allows") {
    SUBCASE("packed float_data, packed dims") {
        Bytes dims;
        dims.varint(2).varint(3);
        Bytes m;
        m.field_bytes(1, dims.b).field_varint(2, 1).field_bytes(4, floats_as_bytes({1, 2, 3, 4, 5, 6})).field_string(8, "w");
        const auto t = onnx::parse_tensor(m.b, "t.pb");
        CHECK(t.name == "w");
        CHECK(t.dims == std::vector<std::int64_t>{2, 3});
        CHECK(t.floats == std::vector<float>{1, 2, 3, 4, 5, 6});
    }
    SUBCASE("unpacked dims and float_data, fields in any order, unknown fields skipped") {
        Bytes m;
        m.field_float(4, 1.5f).field_varint(1, 2).field_string(12, "a doc string").field_float(4, -2.f);
        m.field_varint(2, 1).tag(99, 1).raw({1, 2, 3, 4, 5, 6, 7, 8});
        const auto t = onnx::parse_tensor(m.b, "t.pb");
        CHECK(t.dims == std::vector<std::int64_t>{2});
        CHECK(t.floats == std::vector<float>{1.5f, -2.f});
    }
    SUBCASE("INT64 from raw_data and from int64_data; a scalar has no dims") {
        std::vector<std::byte> raw(16);
        const std::int64_t v[2] = {-7, 1'000'000'000'000};
        std::memcpy(raw.data(), v, 16);
        Bytes a;
        a.field_varint(1, 2).field_varint(2, 7).field_bytes(9, raw);
        CHECK(onnx::parse_tensor(a.b, "t.pb").int64s == std::vector<std::int64_t>{-7, 1'000'000'000'000});
        Bytes b;
        b.field_varint(2, 7).field_varint(7, std::uint64_t(std::int64_t{-3}));
        const auto s = onnx::parse_tensor(b.b, "t.pb");
        CHECK(s.dims.empty());
        CHECK(s.count() == 1);
        CHECK(s.int64s == std::vector<std::int64_t>{-3});
    }
    SUBCASE("another type is kept unread, and to_floats says so") {
        Bytes m;
        m.field_varint(1, 2).field_varint(2, 2).field_string(8, "u").field_bytes(9, {std::byte(1), std::byte(2)});
        const auto t = onnx::parse_tensor(m.b, "t.pb");
        CHECK(t.data_type == onnx::DataType::UINT8);
        CHECK_THROWS_WITH_AS(t.to_floats(), doctest::Contains("tensor 'u': its type is UINT8"), tn::io::FormatError);
    }
}

TEST_CASE("onnx: each malformed message is a FormatError naming the file, the field and the byte") {
    CHECK(tensor_error(Bytes{}.raw({0x08, 0x80})) ==
          "t.pb: TensorProto: truncated varint in dims at byte 1: the TensorProto ends after 1 of its bytes");
    CHECK(tensor_error(Bytes{}.raw({0x4A, 0x05, 0x01})) ==
          "t.pb: TensorProto: raw_data: length 5 at byte 1 runs past the end of the TensorProto (1 bytes left)");
    CHECK(tensor_error(Bytes{}.raw({0x0D, 1, 0, 0, 0})) ==
          "t.pb: TensorProto: dims (field 1) at byte 0 has wire type 5 (32-bit), expected 0 (varint) or 2 (packed)");
    CHECK(tensor_error(Bytes{}.field_varint(1, 2).raw({0x10, 0x01, 0x35, 0, 0})) ==
          "t.pb: TensorProto: 4-byte value of an unused field at byte 5 runs past the end (2 bytes left)");
    CHECK(tensor_error(Bytes{}.field_varint(2, 1).tag(8, 0).varint(3)) ==
          "t.pb: TensorProto: name (field 8) at byte 2 has wire type 0 (varint), expected 2 (length-delimited)");
    CHECK(tensor_error(Bytes{}.raw({0x0B})) ==
          "t.pb: TensorProto: field 1 at byte 0 has wire type 3 (start group), which ONNX files do not use");
    CHECK(tensor_error(Bytes{}.raw({0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F})) ==
          "t.pb: TensorProto: varint in dims at byte 1 overflows 64 bits");
    CHECK(tensor_error(Bytes{}.raw({0x00})) == "t.pb: TensorProto: field number 0 in the tag at byte 0 (valid: 1 to 2^29 - 1)");

    // Well-formed protobuf that is not a valid tensor.
    CHECK(tensor_error(Bytes{}.field_varint(1, 3)) == "t.pb: TensorProto: tensor '' has no data_type");
    CHECK(tensor_error(Bytes{}.field_varint(1, 3).field_varint(2, 1).field_float(4, 1).field_float(4, 2)) ==
          "t.pb: TensorProto: tensor '' has 3 elements by its dims but 2 in float_data");
    CHECK(tensor_error(Bytes{}.field_varint(1, 2).field_varint(2, 1).field_bytes(9, floats_as_bytes({1, 2, 3}))) ==
          "t.pb: TensorProto: tensor '' of type FLOAT has 2 elements by its dims, so raw_data should hold 8 bytes, "
          "not 12");
    CHECK(tensor_error(Bytes{}.field_varint(1, std::uint64_t(std::int64_t{-2})).field_varint(2, 1)) ==
          "t.pb: TensorProto: tensor '' has a negative dimension (-2)");
    CHECK(tensor_error(Bytes{}.field_varint(1, std::uint64_t(1) << 40).field_varint(1, std::uint64_t(1) << 40)
                           .field_varint(2, 1)) == "t.pb: TensorProto: tensor '': the product of its dims overflows");
    CHECK(tensor_error(Bytes{}.field_varint(2, 1).field_varint(14, 1)) ==
          "t.pb: TensorProto: tensor '' keeps its data in an external file, which this reader does not follow");

    // Errors inside nested messages name the path to them.
    Bytes attribute;
    attribute.field_string(1, "alpha").raw({0xA0, 0x01});  // the tag of type (field 20), then nothing
    Bytes node;
    node.field_string(4, "Elu").field_message(5, attribute);
    Bytes graph;
    graph.field_message(1, node);
    Bytes model;
    model.field_varint(1, 8).field_message(7, graph);
    CHECK(model_error(model) == "m.onnx: ModelProto.graph.node[0].attribute[0]: truncated varint in type at byte 22: "
                                "the ModelProto.graph.node[0].attribute[0] ends after 0 of its bytes");
    CHECK(model_error(Bytes{}.field_varint(1, 8)) == "m.onnx: ModelProto: no graph");
    Bytes untyped;
    untyped.field_message(7, Bytes{}.field_message(1, Bytes{}.field_string(4, "Elu").field_message(
                                                           5, Bytes{}.field_string(1, "alpha").field_float(2, 1))));
    CHECK(model_error(untyped) == "m.onnx: ModelProto.graph.node[0].attribute[0]: attribute 'alpha' has no type");

    CHECK_THROWS_WITH_AS(onnx::read_tensor("/nonexistent/input_0.pb"), "/nonexistent/input_0.pb: no such file",
                         tn::io::FormatError);
}

TEST_CASE("onnx: every truncation and byte flip of real files is parsed or refused, never a crash") {
    const fs::path dir = test_data / "test_conv_with_strides_padding";
    if (!fs::exists(dir)) {
        WARN_MESSAGE(false, "libonnx-testdata is not installed: skipped");
        return;
    }
    // A tensor file ends with its data, so every strict prefix lacks some of it.
    const auto tensor = file_bytes(dir / "test_data_set_0/input_0.pb");
    std::size_t refused = 0;
    for (std::size_t n = 0; n < tensor.size(); ++n) {
        try {
            onnx::parse_tensor(std::span(tensor).first(n), "prefix");
        } catch (const tn::io::FormatError&) {
            ++refused;
        }
    }
    CHECK(refused == tensor.size());

    // A model's prefixes and flips may still parse (protobuf has no end marker); the
    // point is that nothing else happens (ASan and UBSan watch in the sanitizer build).
    const auto model = file_bytes(dir / "model.onnx");
    std::size_t outcomes = 0;
    auto attempt = [&](std::span<const std::byte> bytes) {
        try {
            onnx::parse_model(bytes, "mutated");
        } catch (const tn::io::FormatError&) {
        }
        ++outcomes;
    };
    for (std::size_t n = 0; n < model.size(); ++n) attempt(std::span(model).first(n));
    for (std::size_t i = 0; i < model.size(); ++i)
        for (int bit : {0x01, 0x80, 0xFF}) {
            auto flipped = model;
            flipped[i] ^= std::byte(bit);
            attempt(flipped);
        }
    CHECK(outcomes == 4 * model.size());
}
