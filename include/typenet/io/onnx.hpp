// A reader for the parts of ONNX files that describe one operator and its data:
// TensorProto files (`input_0.pb`, ...) and the graph of a ModelProto (`model.onnx`):
// its nodes (op_type, inputs, outputs, attributes) and initializers. It serves the
// conformance test against ONNX's operator test data (tests/conformance/), not
// general model import: no subgraphs, sparse tensors or external data.
//
//   io::onnx::Tensor x = io::onnx::read_tensor(dir / "test_data_set_0/input_0.pb");
//   std::vector<float> values = x.to_floats();         // FLOAT (or INT64 as floats)
//   io::onnx::Model m = io::onnx::read_model(dir / "model.onnx");
//   const io::onnx::Node& node = m.graph.nodes.at(0);  // node.op_type == "Conv"
//   std::int64_t group = node.int_or("group", 1);
//
// The files are protocol buffers. The wire format is small (varints, fixed 32/64-bit
// words and length-delimited fields, each behind a tag: field number << 3 | wire
// type), so it is read by hand here rather than through libprotobuf and a protoc
// step (docs/dependencies.md). Like the safetensors reader it trusts nothing: every
// varint, length and offset is checked against the bytes that remain, wire types
// against the schema, and element counts against the dims, and each failure is a
// FormatError naming the file, the message and field, and the byte offset. Fields
// this reader does not use are skipped, as protobuf requires of every reader.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/io/format_error.hpp"

namespace tn::io::onnx {

// TensorProto.DataType (onnx.proto); the reader converts FLOAT and INT64 (and INT32,
// widened) and keeps the others as raw bytes it does not interpret.
enum class DataType : std::int32_t {
    UNDEFINED = 0, FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, STRING = 8,
    BOOL = 9, FLOAT16 = 10, DOUBLE = 11, UINT32 = 12, UINT64 = 13, COMPLEX64 = 14, COMPLEX128 = 15, BFLOAT16 = 16,
};
TYPENET_INLINE std::string data_type_name(DataType t);

struct Tensor {
    std::string name;
    DataType data_type = DataType::UNDEFINED;
    std::vector<std::int64_t> dims;     // [] is a scalar (one element)
    std::vector<float> floats;          // FLOAT: the values, from raw_data or float_data
    std::vector<std::int64_t> int64s;   // INT64 / INT32: the values, from raw_data, int64_data or int32_data

    // Number of elements: the product of dims (checked against the data when read).
    TYPENET_INLINE std::size_t count() const;
    // The values as floats: FLOAT as stored, INT64 converted. Another type is a
    // FormatError naming `name` and the type.
    TYPENET_INLINE std::vector<float> to_floats() const;
};

// AttributeProto.AttributeType. Attributes of the other kinds (TENSOR, GRAPH, ...)
// are listed with their kind, their values skipped.
enum class AttributeType : std::int32_t {
    UNDEFINED = 0, FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, GRAPH = 5, FLOATS = 6, INTS = 7, STRINGS = 8,
    TENSORS = 9, GRAPHS = 10, SPARSE_TENSOR = 11, SPARSE_TENSORS = 12, TYPE_PROTO = 13, TYPE_PROTOS = 14,
};
TYPENET_INLINE std::string attribute_type_name(AttributeType t);

struct Attribute {
    std::string name;
    AttributeType type = AttributeType::UNDEFINED;
    float f = 0;
    std::int64_t i = 0;
    std::string s;
    std::vector<float> floats;
    std::vector<std::int64_t> ints;

    // The value as text ("0.1", "[1, 1]", "SAME_UPPER"), for messages.
    TYPENET_INLINE std::string to_string() const;
};

struct Node {
    std::string name, op_type, domain;
    std::vector<std::string> inputs, outputs;  // an empty name is an omitted optional input
    std::vector<Attribute> attributes;

    // The attribute named so, or null.
    TYPENET_INLINE const Attribute* find(std::string_view attribute) const;
    // An attribute's value, or `fallback` (ONNX's default) when the node omits it. An
    // attribute of another type is a FormatError naming the node and attribute.
    TYPENET_INLINE std::int64_t int_or(std::string_view attribute, std::int64_t fallback) const;
    TYPENET_INLINE float float_or(std::string_view attribute, float fallback) const;
    TYPENET_INLINE std::string string_or(std::string_view attribute, std::string fallback) const;
    TYPENET_INLINE std::vector<std::int64_t> ints_or(std::string_view attribute, std::vector<std::int64_t> fallback) const;
};

struct Graph {
    std::string name;
    std::vector<Node> nodes;
    std::vector<Tensor> initializers;
    std::vector<std::string> inputs, outputs;  // the names of the graph's inputs and outputs
};

struct OperatorSet {
    std::string domain;  // "" is the default domain, ai.onnx
    std::int64_t version = 0;
};

struct Model {
    std::int64_t ir_version = 0;
    std::vector<OperatorSet> opsets;
    Graph graph;
    // The version of the default operator set (ai.onnx), 0 if none is imported.
    TYPENET_INLINE std::int64_t opset_version(std::string_view domain = "") const;
};

// Parses bytes; `source` names them in errors (a path, or a description).
TYPENET_INLINE Tensor parse_tensor(std::span<const std::byte> bytes, const std::string& source);
TYPENET_INLINE Model parse_model(std::span<const std::byte> bytes, const std::string& source);

// Reads a file whole and parses it. A missing or unreadable file is a FormatError too.
TYPENET_INLINE Tensor read_tensor(const std::filesystem::path& path);
TYPENET_INLINE Model read_model(const std::filesystem::path& path);

}  // namespace tn::io::onnx

#if TYPENET_DEFINE_BODIES
#include "typenet/io/onnx.ipp"
#endif
