// The bodies of io/onnx.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <bit>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "typenet/io/onnx.hpp"

namespace tn::io::onnx {

static_assert(std::endian::native == std::endian::little,
              "typenet's ONNX reader copies little-endian raw_data as it is");

namespace detail {

// Appends message pieces: `"literal" + std::string&&` trips g++ 12's bogus
// -Wrestrict warning (GCC bug 105329) at -O3.
template <class... Parts>
std::string join(const Parts&... parts) {
    std::string s;
    (s.append(parts), ...);
    return s;
}
inline std::string str(std::uint64_t v) { return std::to_string(v); }

// Protobuf's wire types. 3 and 4 (groups) are deprecated and unused by ONNX.
enum Wire : std::uint32_t { varint = 0, fixed64 = 1, length_delimited = 2, fixed32 = 5 };

inline std::string wire_name(std::uint32_t wire) {
    switch (wire) {
        case varint: return "0 (varint)";
        case fixed64: return "1 (64-bit)";
        case length_delimited: return "2 (length-delimited)";
        case 3: return "3 (start group)";
        case 4: return "4 (end group)";
        case fixed32: return "5 (32-bit)";
        default: return str(wire) + " (no such wire type)";
    }
}

struct Tag {
    std::uint32_t field = 0, wire = 0;
    std::size_t offset = 0;  // of the tag, from the start of the file
};

// Reads one message's fields from its bytes. `base` is the offset of those bytes in
// the file and `message` the message's name ("TensorProto"), both for errors; each
// read checks that what it reads lies within the message.
class WireReader {
public:
    WireReader(std::span<const std::byte> bytes, std::size_t base, const std::string& source, std::string message)
        : bytes_(bytes), base_(base), source_(source), message_(std::move(message)) {}

    bool done() const { return pos_ == bytes_.size(); }

    Tag tag() {
        const std::size_t at = offset();
        const std::uint64_t t = varint_at("a field tag");
        const std::uint64_t field = t >> 3;
        const auto wire = static_cast<std::uint32_t>(t & 7);
        if (field == 0 || field > 536'870'911)
            fail(join("field number ", str(field), " in the tag at byte ", str(at), " (valid: 1 to 2^29 - 1)"));
        if (wire != Wire::varint && wire != Wire::fixed64 && wire != Wire::length_delimited && wire != Wire::fixed32)
            fail(join("field ", str(field), " at byte ", str(at), " has wire type ", wire_name(wire),
                      ", which ONNX files do not use"));
        return {static_cast<std::uint32_t>(field), wire, at};
    }

    // A field's payload, after its tag. `name` is the field's name for messages.
    std::uint64_t varint(const Tag& t, std::string_view name) {
        expect(t, Wire::varint, name);
        return varint_at(name);
    }
    std::int64_t int64(const Tag& t, std::string_view name) {
        return static_cast<std::int64_t>(varint(t, name));
    }
    // An int32 or enum field: ten bytes when negative, so it is read as an int64 and
    // must fit.
    std::int32_t int32(const Tag& t, std::string_view name) {
        const std::int64_t v = int64(t, name);
        if (v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max())
            fail(join(std::string(name), " at byte ", str(t.offset), ": ", std::to_string(v),
                      " does not fit an int32"));
        return static_cast<std::int32_t>(v);
    }
    float float32(const Tag& t, std::string_view name) {
        expect(t, Wire::fixed32, name);
        return std::bit_cast<float>(word<std::uint32_t>(name));
    }
    std::span<const std::byte> bytes(const Tag& t, std::string_view name) {
        expect(t, Wire::length_delimited, name);
        return payload(name);
    }
    std::string string(const Tag& t, std::string_view name) {
        const auto b = bytes(t, name);
        return {reinterpret_cast<const char*>(b.data()), b.size()};
    }
    // A nested message: a reader over its bytes, whose errors name it as
    // `<this message>.<name>` (ModelProto.graph.node[2].attribute[0]).
    WireReader message(const Tag& t, const std::string& name) {
        expect(t, Wire::length_delimited, name);
        const auto b = payload(name);
        return {b, base_ + static_cast<std::size_t>(b.data() - bytes_.data()), source_, join(message_, ".", name)};
    }

    // A repeated scalar field, in either of protobuf's encodings: one tagged value per
    // element, or packed (one length-delimited run of values). Readers must accept both.
    template <class Push>
    void repeated_varint(const Tag& t, std::string_view name, Push push) {
        if (t.wire == Wire::varint) return push(varint_at(name));
        expect_packed(t, Wire::varint, name);
        WireReader packed = sub(name);
        while (!packed.done()) push(packed.varint_at(name));
    }
    template <class Push>
    void repeated_float(const Tag& t, std::string_view name, Push push) {
        if (t.wire == Wire::fixed32) return push(std::bit_cast<float>(word<std::uint32_t>(name)));
        expect_packed(t, Wire::fixed32, name);
        WireReader packed = sub(name);
        if (packed.bytes_.size() % 4 != 0)
            fail(join("packed ", std::string(name), " at byte ", str(t.offset), " holds ", str(packed.bytes_.size()),
                      " bytes, not a whole number of 4-byte floats"));
        while (!packed.done()) push(std::bit_cast<float>(packed.word<std::uint32_t>(name)));
    }

    // Skips a field this reader does not use.
    void skip(const Tag& t) {
        switch (t.wire) {
            case Wire::varint: varint_at("an unused field"); break;
            case Wire::fixed64: word<std::uint64_t>("an unused field"); break;
            case Wire::fixed32: word<std::uint32_t>("an unused field"); break;
            default: payload("an unused field"); break;
        }
    }

    [[noreturn]] void fail(const std::string& problem) const {
        throw FormatError(source_, join(message_, ": ", problem));
    }

private:
    std::size_t offset() const { return base_ + pos_; }

    void expect(const Tag& t, Wire wire, std::string_view name) const {
        if (t.wire != wire)
            fail(join(std::string(name), " (field ", str(t.field), ") at byte ", str(t.offset), " has wire type ",
                      wire_name(t.wire), ", expected ", wire_name(wire)));
    }

    void expect_packed(const Tag& t, Wire element, std::string_view name) const {
        if (t.wire != Wire::length_delimited)
            fail(join(std::string(name), " (field ", str(t.field), ") at byte ", str(t.offset), " has wire type ",
                      wire_name(t.wire), ", expected ", wire_name(element), " or 2 (packed)"));
    }

    std::uint64_t varint_at(std::string_view what) {
        const std::size_t at = offset();
        std::uint64_t v = 0;
        for (unsigned i = 0; i < 10; ++i) {
            if (pos_ == bytes_.size())
                fail(join("truncated varint in ", std::string(what), " at byte ", str(at), ": the ", message_,
                          " ends after ", str(i), " of its bytes"));
            const auto b = static_cast<std::uint8_t>(bytes_[pos_++]);
            if (i == 9 && b > 1)
                fail(join("varint in ", std::string(what), " at byte ", str(at), " overflows 64 bits"));
            v |= std::uint64_t(b & 0x7F) << (7 * i);
            if (!(b & 0x80)) return v;
        }
        fail(join("varint in ", std::string(what), " at byte ", str(at), " is longer than 10 bytes"));
    }

    template <class Word>
    Word word(std::string_view what) {
        if (bytes_.size() - pos_ < sizeof(Word))
            fail(join(str(sizeof(Word)), "-byte value of ", std::string(what), " at byte ", str(offset()),
                      " runs past the end (", str(bytes_.size() - pos_), " bytes left)"));
        Word w;
        std::memcpy(&w, bytes_.data() + pos_, sizeof w);
        pos_ += sizeof w;
        return w;
    }

    std::span<const std::byte> payload(std::string_view what) {
        const std::size_t at = offset();
        const std::uint64_t length = varint_at(what);
        const std::size_t left = bytes_.size() - pos_;
        if (length > left)
            fail(join(std::string(what), ": length ", str(length), " at byte ", str(at), " runs past the end of the ",
                      message_, " (", str(left), " bytes left)"));
        const auto b = bytes_.subspan(pos_, static_cast<std::size_t>(length));
        pos_ += static_cast<std::size_t>(length);
        return b;
    }

    WireReader sub(std::string_view name) {
        const auto b = payload(name);
        return {b, base_ + static_cast<std::size_t>(b.data() - bytes_.data()), source_, message_};
    }

    std::span<const std::byte> bytes_;
    std::size_t pos_ = 0, base_;
    const std::string& source_;
    std::string message_;
};

// Dims' element count, with overflow and negative sizes refused.
inline std::size_t element_count(const Tensor& t, const WireReader& r) {
    std::size_t n = 1;
    for (auto d : t.dims) {
        if (d < 0) r.fail(join("tensor '", t.name, "' has a negative dimension (", std::to_string(d), ")"));
        if (d != 0 && n > std::numeric_limits<std::size_t>::max() / static_cast<std::size_t>(d))
            r.fail(join("tensor '", t.name, "': the product of its dims overflows"));
        n *= static_cast<std::size_t>(d);
    }
    return n;
}

template <class T>
std::vector<T> from_raw(std::span<const std::byte> raw, std::size_t count, const Tensor& t, const WireReader& r) {
    if (raw.size() / sizeof(T) != count || raw.size() % sizeof(T) != 0)
        r.fail(join("tensor '", t.name, "' of type ", data_type_name(t.data_type), " has ", str(count),
                    " elements by its dims, so raw_data should hold ", str(count * sizeof(T)), " bytes, not ",
                    str(raw.size())));
    std::vector<T> out(count);
    if (count) std::memcpy(out.data(), raw.data(), count * sizeof(T));
    return out;
}

inline Tensor parse_tensor(WireReader& r) {
    Tensor t;
    std::span<const std::byte> raw;
    bool has_raw = false, has_type = false, external = false;
    std::vector<std::int64_t> int32s;
    while (!r.done()) {
        const Tag tag = r.tag();
        switch (tag.field) {
            case 1:
                r.repeated_varint(tag, "dims", [&](std::uint64_t v) { t.dims.push_back(static_cast<std::int64_t>(v)); });
                break;
            case 2:
                t.data_type = static_cast<DataType>(r.int32(tag, "data_type"));
                has_type = true;
                break;
            case 4: r.repeated_float(tag, "float_data", [&](float v) { t.floats.push_back(v); }); break;
            case 5:
                r.repeated_varint(tag, "int32_data", [&](std::uint64_t v) {
                    int32s.push_back(static_cast<std::int32_t>(static_cast<std::uint32_t>(v)));
                });
                break;
            case 7:
                r.repeated_varint(tag, "int64_data", [&](std::uint64_t v) { t.int64s.push_back(static_cast<std::int64_t>(v)); });
                break;
            case 8: t.name = r.string(tag, "name"); break;
            case 9:
                raw = r.bytes(tag, "raw_data");
                has_raw = true;
                break;
            case 14: external = r.int32(tag, "data_location") == 1; break;
            case 3: r.fail(join("tensor '", t.name, "' is a segment of a larger tensor, which this reader does not join"));
            default: r.skip(tag); break;
        }
    }
    if (!has_type) r.fail(join("tensor '", t.name, "' has no data_type"));
    if (external) r.fail(join("tensor '", t.name, "' keeps its data in an external file, which this reader does not follow"));
    const std::size_t count = element_count(t, r);
    // Each type's values come from raw_data or from its own repeated field, never both.
    auto check_typed = [&](std::size_t typed, const char* field) {
        if (has_raw && typed)
            r.fail(join("tensor '", t.name, "' has both raw_data and ", field));
        if (!has_raw && typed != count)
            r.fail(join("tensor '", t.name, "' has ", str(count), " elements by its dims but ", str(typed), " in ", field));
    };
    switch (t.data_type) {
        case DataType::FLOAT:
            check_typed(t.floats.size(), "float_data");
            if (has_raw) t.floats = from_raw<float>(raw, count, t, r);
            break;
        case DataType::INT64:
            check_typed(t.int64s.size(), "int64_data");
            if (has_raw) t.int64s = from_raw<std::int64_t>(raw, count, t, r);
            break;
        case DataType::INT32:
            check_typed(int32s.size(), "int32_data");
            if (has_raw) {
                const auto v = from_raw<std::int32_t>(raw, count, t, r);
                t.int64s.assign(v.begin(), v.end());
            } else {
                t.int64s = std::move(int32s);
            }
            break;
        default:  // kept unread: to_floats() says so if asked
            t.floats.clear();
            t.int64s.clear();
            break;
    }
    return t;
}

inline Attribute parse_attribute(WireReader& r) {
    Attribute a;
    while (!r.done()) {
        const Tag tag = r.tag();
        switch (tag.field) {
            case 1: a.name = r.string(tag, "name"); break;
            case 20: a.type = static_cast<AttributeType>(r.int32(tag, "type")); break;
            case 2: a.f = r.float32(tag, "f"); break;
            case 3: a.i = r.int64(tag, "i"); break;
            case 4: a.s = r.string(tag, "s"); break;
            case 7: r.repeated_float(tag, "floats", [&](float v) { a.floats.push_back(v); }); break;
            case 8:
                r.repeated_varint(tag, "ints", [&](std::uint64_t v) { a.ints.push_back(static_cast<std::int64_t>(v)); });
                break;
            default: r.skip(tag); break;
        }
    }
    if (a.name.empty()) r.fail("an attribute has no name");
    if (a.type == AttributeType::UNDEFINED) r.fail(join("attribute '", a.name, "' has no type"));
    return a;
}

inline Node parse_node(WireReader& r) {
    Node n;
    while (!r.done()) {
        const Tag tag = r.tag();
        switch (tag.field) {
            case 1: n.inputs.push_back(r.string(tag, "input")); break;
            case 2: n.outputs.push_back(r.string(tag, "output")); break;
            case 3: n.name = r.string(tag, "name"); break;
            case 4: n.op_type = r.string(tag, "op_type"); break;
            case 7: n.domain = r.string(tag, "domain"); break;
            case 5: {
                WireReader sub = r.message(tag, join("attribute[", str(n.attributes.size()), "]"));
                n.attributes.push_back(parse_attribute(sub));
                break;
            }
            default: r.skip(tag); break;
        }
    }
    if (n.op_type.empty()) r.fail(join("node '", n.name, "' has no op_type"));
    return n;
}

// ValueInfoProto: only its name (field 1) is kept.
inline std::string parse_value_name(WireReader& r) {
    std::string name;
    while (!r.done()) {
        const Tag tag = r.tag();
        if (tag.field == 1) name = r.string(tag, "name");
        else r.skip(tag);
    }
    return name;
}

inline Graph parse_graph(WireReader& r) {
    Graph g;
    while (!r.done()) {
        const Tag tag = r.tag();
        switch (tag.field) {
            case 1: {
                WireReader sub = r.message(tag, join("node[", str(g.nodes.size()), "]"));
                g.nodes.push_back(parse_node(sub));
                break;
            }
            case 2: g.name = r.string(tag, "name"); break;
            case 5: {
                WireReader sub = r.message(tag, join("initializer[", str(g.initializers.size()), "]"));
                g.initializers.push_back(parse_tensor(sub));
                break;
            }
            case 11: {
                WireReader sub = r.message(tag, "input");
                g.inputs.push_back(parse_value_name(sub));
                break;
            }
            case 12: {
                WireReader sub = r.message(tag, "output");
                g.outputs.push_back(parse_value_name(sub));
                break;
            }
            default: r.skip(tag); break;
        }
    }
    return g;
}

inline OperatorSet parse_opset(WireReader& r) {
    OperatorSet o;
    while (!r.done()) {
        const Tag tag = r.tag();
        switch (tag.field) {
            case 1: o.domain = r.string(tag, "domain"); break;
            case 2: o.version = r.int64(tag, "version"); break;
            default: r.skip(tag); break;
        }
    }
    return o;
}

inline std::vector<std::byte> read_file(const std::filesystem::path& path) {
    const std::string source = path.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw FormatError(source, "no such file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw FormatError(source, "cannot read its size (" + ec.message() + ")");
    // Protobuf's own limit on a message: a larger file is not one we should load.
    if (size > 2'147'483'647u) throw FormatError(source, "larger than protobuf's 2 GiB message limit");
    std::vector<std::byte> bytes(static_cast<std::size_t>(size));
    std::ifstream in(path, std::ios::binary);
    if (!in || !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
        throw FormatError(source, "cannot be read");
    return bytes;
}

}  // namespace detail

TYPENET_INLINE std::string data_type_name(DataType t) {
    static constexpr const char* names[] = {"UNDEFINED", "FLOAT",  "UINT8",  "INT8",      "UINT16",     "INT16",
                                            "INT32",     "INT64",  "STRING", "BOOL",      "FLOAT16",    "DOUBLE",
                                            "UINT32",    "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
    const auto i = static_cast<std::int32_t>(t);
    return i >= 0 && i < std::int32_t(std::size(names)) ? names[i] : "data type " + std::to_string(i);
}

TYPENET_INLINE std::string attribute_type_name(AttributeType t) {
    static constexpr const char* names[] = {"UNDEFINED", "FLOAT",   "INT",           "STRING",         "TENSOR",
                                            "GRAPH",     "FLOATS",  "INTS",          "STRINGS",        "TENSORS",
                                            "GRAPHS",    "SPARSE_TENSOR", "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS"};
    const auto i = static_cast<std::int32_t>(t);
    return i >= 0 && i < std::int32_t(std::size(names)) ? names[i] : "attribute type " + std::to_string(i);
}

TYPENET_INLINE std::size_t Tensor::count() const {
    std::size_t n = 1;
    for (auto d : dims) n *= static_cast<std::size_t>(d);
    return n;
}

TYPENET_INLINE std::vector<float> Tensor::to_floats() const {
    switch (data_type) {
        case DataType::FLOAT: return floats;
        case DataType::INT64:
        case DataType::INT32: return {int64s.begin(), int64s.end()};
        default:
            throw FormatError(name.empty() ? "tensor" : "tensor '" + name + "'",
                              detail::join("its type is ", data_type_name(data_type),
                                           "; typenet's ONNX reader converts FLOAT, INT64 and INT32"));
    }
}

TYPENET_INLINE std::string Attribute::to_string() const {
    auto list = [](const auto& values) {
        std::ostringstream os;
        os << '[';
        for (std::size_t k = 0; k < values.size(); ++k) os << (k ? ", " : "") << values[k];
        os << ']';
        return os.str();
    };
    std::ostringstream os;
    switch (type) {
        case AttributeType::FLOAT: os << f; break;
        case AttributeType::INT: os << i; break;
        case AttributeType::STRING: os << '"' << s << '"'; break;
        case AttributeType::FLOATS: os << list(floats); break;
        case AttributeType::INTS: os << list(ints); break;
        default: os << '(' << attribute_type_name(type) << ')'; break;
    }
    return os.str();
}

TYPENET_INLINE const Attribute* Node::find(std::string_view attribute) const {
    for (const auto& a : attributes)
        if (a.name == attribute) return &a;
    return nullptr;
}

namespace detail {
inline const Attribute* typed(const Node& n, std::string_view attribute, AttributeType type) {
    const Attribute* a = n.find(attribute);
    if (a && a->type != type)
        throw FormatError(join("node '", n.name, "' (", n.op_type, ")"),
                          join("attribute '", std::string(attribute), "' is ", attribute_type_name(a->type),
                               ", expected ", attribute_type_name(type)));
    return a;
}
}  // namespace detail

TYPENET_INLINE std::int64_t Node::int_or(std::string_view attribute, std::int64_t fallback) const {
    const Attribute* a = detail::typed(*this, attribute, AttributeType::INT);
    return a ? a->i : fallback;
}
TYPENET_INLINE float Node::float_or(std::string_view attribute, float fallback) const {
    const Attribute* a = detail::typed(*this, attribute, AttributeType::FLOAT);
    return a ? a->f : fallback;
}
TYPENET_INLINE std::string Node::string_or(std::string_view attribute, std::string fallback) const {
    const Attribute* a = detail::typed(*this, attribute, AttributeType::STRING);
    return a ? a->s : fallback;
}
TYPENET_INLINE std::vector<std::int64_t> Node::ints_or(std::string_view attribute,
                                                       std::vector<std::int64_t> fallback) const {
    const Attribute* a = detail::typed(*this, attribute, AttributeType::INTS);
    return a ? a->ints : fallback;
}

TYPENET_INLINE std::int64_t Model::opset_version(std::string_view domain) const {
    for (const auto& o : opsets)
        if (o.domain == domain || (domain.empty() && o.domain == "ai.onnx")) return o.version;
    return 0;
}

TYPENET_INLINE Tensor parse_tensor(std::span<const std::byte> bytes, const std::string& source) {
    detail::WireReader r(bytes, 0, source, "TensorProto");
    return detail::parse_tensor(r);
}

TYPENET_INLINE Model parse_model(std::span<const std::byte> bytes, const std::string& source) {
    detail::WireReader r(bytes, 0, source, "ModelProto");
    Model m;
    bool has_graph = false;
    while (!r.done()) {
        const detail::Tag tag = r.tag();
        switch (tag.field) {
            case 1: m.ir_version = r.int64(tag, "ir_version"); break;
            case 7: {
                if (has_graph) r.fail("two graphs");
                detail::WireReader sub = r.message(tag, "graph");
                m.graph = detail::parse_graph(sub);
                has_graph = true;
                break;
            }
            case 8: {
                detail::WireReader sub = r.message(tag, "opset_import");
                m.opsets.push_back(detail::parse_opset(sub));
                break;
            }
            default: r.skip(tag); break;
        }
    }
    if (!has_graph) r.fail("no graph");
    return m;
}

TYPENET_INLINE Tensor read_tensor(const std::filesystem::path& path) {
    const auto bytes = detail::read_file(path);
    return parse_tensor(bytes, path.string());
}

TYPENET_INLINE Model read_model(const std::filesystem::path& path) {
    const auto bytes = detail::read_file(path);
    return parse_model(bytes, path.string());
}

}  // namespace tn::io::onnx
