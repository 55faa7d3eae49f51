// The safetensors format (Hugging Face's), which PyTorch, JAX and the Hub read:
//
//   [8 bytes: N, little-endian u64] [N bytes: UTF-8 JSON header] [data buffer]
//   header: {"__metadata__": {"key": "value", ...},            (optional, strings only)
//            "0.weight": {"dtype": "F32", "shape": [16, 2], "data_offsets": [0, 128]}, ...}
//
// Offsets count from the start of the data buffer; tensors are row-major and
// little-endian. Unlike pickle, loading runs no code, so a file from anywhere can be
// opened safely, provided the reader trusts nothing: parse() checks every field and
// every offset, as the reference implementation does (tensors must tile the buffer
// exactly: no overlap, no gap, nothing after the last one), and says what is wrong
// in a FormatError that names the file.
//
//   auto file = io::safetensors::read("model.safetensors");
//   std::vector<float> w = file.at("0.weight").to_floats();
//   io::safetensors::write("out.safetensors", {io::safetensors::view("w", {2, 3}, values)});
//
// The header is JSON, read with nlohmann-json (Debian's nlohmann-json3-dev). Including
// this header costs a few seconds of compile time, so typenet.hpp leaves it out:
// include it (or train/checkpoint.hpp) where checkpoints are used.
#pragma once
#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <new>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "typenet/io/atomic_file.hpp"
#include "typenet/io/format_error.hpp"

namespace tn::io {

namespace safetensors {

static_assert(std::endian::native == std::endian::little,
              "typenet's safetensors reader copies little-endian bytes as they are");

// The element types of the format. Every one can be read and written as bytes;
// Tensor::to_floats converts the floating ones, Tensor::to_int64s the integer ones.
enum class Dtype { BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64 };

struct DtypeInfo {
    Dtype dtype;
    std::string_view name;
    std::size_t size;
};
inline constexpr DtypeInfo dtypes[] = {
    {Dtype::BOOL, "BOOL", 1}, {Dtype::U8, "U8", 1},   {Dtype::I8, "I8", 1},           {Dtype::F8_E5M2, "F8_E5M2", 1},
    {Dtype::F8_E4M3, "F8_E4M3", 1}, {Dtype::I16, "I16", 2}, {Dtype::U16, "U16", 2}, {Dtype::F16, "F16", 2},
    {Dtype::BF16, "BF16", 2}, {Dtype::I32, "I32", 4}, {Dtype::U32, "U32", 4},       {Dtype::F32, "F32", 4},
    {Dtype::F64, "F64", 8},   {Dtype::I64, "I64", 8}, {Dtype::U64, "U64", 8},
};
constexpr std::string_view name_of(Dtype d) { return dtypes[std::size_t(d)].name; }
constexpr std::size_t size_of(Dtype d) { return dtypes[std::size_t(d)].size; }
inline std::optional<Dtype> dtype_named(std::string_view name) {
    for (const auto& d : dtypes)
        if (d.name == name) return d.dtype;
    return std::nullopt;
}

// The reference implementation's limit: a larger header is a corrupt length field,
// not a real file, and must not make the reader allocate gigabytes.
inline constexpr std::uint64_t max_header_size = 100'000'000;

using Metadata = std::map<std::string, std::string>;

namespace detail {
// Joins message pieces by appending: `"literal" + std::string&&` trips g++ 12's bogus
// -Wrestrict warning (GCC bug 105329) at -O3.
template <class... Parts>
std::string join(const Parts&... parts) {
    std::string s;
    (s.append(parts), ...);
    return s;
}
}  // namespace detail

inline std::string shape_string(const std::vector<std::size_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s.append(i ? ", " : "").append(std::to_string(shape[i]));
    return s + "]";
}

namespace detail {
// IEEE half to float; exact (every half is a float).
inline float half_to_float(std::uint16_t h) {
    const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1Fu, mantissa = h & 0x3FFu;
    if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24
        const float magnitude = float(mantissa) * 0x1p-24f;
        return sign ? -magnitude : magnitude;
    }
    const std::uint32_t bits = exponent == 0x1F ? sign | 0x7F800000u | (mantissa << 13)  // inf, NaN
                                                : sign | ((exponent + 112) << 23) | (mantissa << 13);
    return std::bit_cast<float>(bits);
}

template <class T>
T load(const std::byte* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
}  // namespace detail

// A tensor read from a file: its bytes as stored, and conversions.
struct Tensor {
    std::string name;
    Dtype dtype = Dtype::F32;
    std::vector<std::size_t> shape;  // [] is a scalar (one element)
    std::vector<std::byte> bytes;

    std::size_t count() const { return bytes.size() / size_of(dtype); }

    // The values as floats: F32 as stored, F64 rounded, F16 and BF16 widened exactly.
    std::vector<float> to_floats() const {
        std::vector<float> out(count());
        const std::byte* p = bytes.data();
        const std::size_t n = out.size();
        switch (dtype) {
            case Dtype::F32:
                if (n) std::memcpy(out.data(), p, n * sizeof(float));
                break;
            case Dtype::F64:
                for (std::size_t i = 0; i < n; ++i) out[i] = float(detail::load<double>(p + 8 * i));
                break;
            case Dtype::F16:
                for (std::size_t i = 0; i < n; ++i) out[i] = detail::half_to_float(detail::load<std::uint16_t>(p + 2 * i));
                break;
            case Dtype::BF16:
                for (std::size_t i = 0; i < n; ++i)
                    out[i] = std::bit_cast<float>(std::uint32_t(detail::load<std::uint16_t>(p + 2 * i)) << 16);
                break;
            default:
                throw std::invalid_argument("tensor '" + name + "' has dtype " + std::string(name_of(dtype)) +
                                            ", which typenet does not convert to float (F32, F64, F16 and BF16 it does)");
        }
        return out;
    }

    // The values as 64-bit integers: BOOL (0/1), U8, I8, I16, U16, I32, U32 and I64.
    // U64 is refused: its upper half does not fit.
    std::vector<std::int64_t> to_int64s() const {
        std::vector<std::int64_t> out(count());
        const std::byte* p = bytes.data();
        for (std::size_t i = 0; i < out.size(); ++i) switch (dtype) {
                case Dtype::BOOL: out[i] = detail::load<std::uint8_t>(p + i) != 0; break;
                case Dtype::U8: out[i] = detail::load<std::uint8_t>(p + i); break;
                case Dtype::I8: out[i] = detail::load<std::int8_t>(p + i); break;
                case Dtype::I16: out[i] = detail::load<std::int16_t>(p + 2 * i); break;
                case Dtype::U16: out[i] = detail::load<std::uint16_t>(p + 2 * i); break;
                case Dtype::I32: out[i] = detail::load<std::int32_t>(p + 4 * i); break;
                case Dtype::U32: out[i] = detail::load<std::uint32_t>(p + 4 * i); break;
                case Dtype::I64: out[i] = detail::load<std::int64_t>(p + 8 * i); break;
                default:
                    throw std::invalid_argument("tensor '" + name + "' has dtype " + std::string(name_of(dtype)) +
                                                ", which typenet does not convert to integers");
            }
        return out;
    }
};

// A whole file: its metadata and its tensors, in the order of their data.
struct File {
    std::string source;
    Metadata metadata;
    std::vector<Tensor> tensors;

    const Tensor* find(std::string_view name) const {
        for (const auto& t : tensors)
            if (t.name == name) return &t;
        return nullptr;
    }
    const Tensor& at(std::string_view name) const {
        if (const Tensor* t = find(name)) return *t;
        throw FormatError(source, detail::join("no tensor named '", name, "'"));
    }
};

namespace detail {
using Json = nlohmann::json;

inline bool is_size(const Json& j) { return j.is_number_unsigned(); }

// A JSON value as an error message quotes it: short, whatever the file holds.
inline std::string shown(const Json& j) {
    std::string s = j.dump();
    if (s.size() > 40) {
        std::size_t cut = 37;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
        s = s.substr(0, cut) + "...";
    }
    return s;
}

inline std::vector<std::size_t> read_sizes(const Json& j, const std::string& source, const std::string& where) {
    if (!j.is_array()) throw FormatError(source, where + " is not an array");
    std::vector<std::size_t> out;
    for (const auto& v : j) {
        if (!is_size(v)) throw FormatError(source, where + " holds " + shown(v) + ", not a non-negative integer");
        out.push_back(v.get<std::size_t>());
    }
    return out;
}

struct Entry {
    Tensor tensor;
    std::size_t begin = 0, end = 0;
};

// One tensor's header entry, checked on its own (offsets against each other later).
inline Entry read_entry(const std::string& name, const Json& info, const std::string& source,
                        std::size_t data_size) {
    const std::string where = "tensor '" + name + "'";
    if (!info.is_object()) throw FormatError(source, where + ": its entry is " + shown(info) + ", not an object");
    for (const char* field : {"dtype", "shape", "data_offsets"})
        if (!info.contains(field)) throw FormatError(source, where + ": the field \"" + field + "\" is missing");
    const Json& dtype = info["dtype"];
    if (!dtype.is_string()) throw FormatError(source, where + ": \"dtype\" is " + shown(dtype) + ", not a string");
    const auto known = dtype_named(dtype.get<std::string>());
    if (!known) throw FormatError(source, where + ": unknown dtype " + shown(dtype));
    Entry e;
    e.tensor.name = name;
    e.tensor.dtype = *known;
    e.tensor.shape = read_sizes(info["shape"], source, where + ": \"shape\"");
    const auto offsets = read_sizes(info["data_offsets"], source, where + ": \"data_offsets\"");
    if (offsets.size() != 2)
        throw FormatError(source, where + ": \"data_offsets\" has " + std::to_string(offsets.size()) +
                                      " numbers, not two [begin, end]");
    e.begin = offsets[0];
    e.end = offsets[1];
    const std::string span = join("[", std::to_string(e.begin), ", ", std::to_string(e.end), "]");
    if (e.begin > e.end) throw FormatError(source, where + ": data_offsets " + span + " end before they begin");
    if (e.end > data_size)
        throw FormatError(source, where + ": data_offsets " + span + " run past the end of the data (" +
                                      std::to_string(data_size) + " bytes)");
    // Element count times element size, guarded against overflow (a zero anywhere
    // makes the tensor empty, however large the other dimensions).
    const auto& shape = e.tensor.shape;
    std::size_t bytes = size_of(*known);
    if (std::find(shape.begin(), shape.end(), std::size_t{0}) != shape.end()) bytes = 0;
    for (auto d : shape) {
        if (bytes != 0 && bytes > std::numeric_limits<std::size_t>::max() / d)
            throw FormatError(source, where + ": shape " + shape_string(shape) + " of " + std::string(name_of(*known)) +
                                          " has more bytes than a 64-bit size can count");
        bytes *= d;
    }
    if (bytes != e.end - e.begin)
        throw FormatError(source, where + ": shape " + shape_string(e.tensor.shape) + " of " +
                                      std::string(name_of(*known)) + " needs " + std::to_string(bytes) +
                                      " bytes, but data_offsets " + span + " hold " + std::to_string(e.end - e.begin));
    return e;
}
}  // namespace detail

namespace detail {
// The length field against the file's size: plausible, and not past the end.
inline void check_header_length(std::uint64_t header_size, std::uint64_t file_size, const std::string& source) {
    if (file_size < 8)
        throw FormatError(source, join("too short for a safetensors header (", std::to_string(file_size),
                                       " bytes, the length field alone takes 8)"));
    if (header_size > max_header_size)
        throw FormatError(source, join("the header length ", std::to_string(header_size),
                                       " is implausible (more than 100 MB): not a safetensors file, or corrupt"));
    if (header_size > file_size - 8)
        throw FormatError(source, join("the header length ", std::to_string(header_size),
                                       " runs past the end of the file (", std::to_string(file_size), " bytes)"));
}

// What the header says: the metadata and the tensors (without their bytes), sorted
// by offset and checked to tile a data buffer of `data_size` bytes exactly.
struct Header {
    Metadata metadata;
    std::vector<Entry> entries;
};

inline Header parse_header(std::string_view text, std::uint64_t data_size, const std::string& source) {
    // Duplicate names are not an error to JSON parsers (the last one wins), but a
    // file with two tensors of one name is ambiguous: collect the top-level keys.
    std::set<std::string> names;
    std::string duplicate;
    Json header;
    try {
        header = Json::parse(text.begin(), text.end(), [&](int depth, Json::parse_event_t event, Json& parsed) {
            if (depth == 1 && event == Json::parse_event_t::key && !names.insert(parsed.get<std::string>()).second &&
                duplicate.empty())
                duplicate = parsed.get<std::string>();
            return true;
        });
    } catch (const Json::exception& e) {
        std::string why = e.what();
        if (const auto end = why.find("] "); why.starts_with("[json.exception") && end != std::string::npos)
            why.erase(0, end + 2);
        throw FormatError(source, "the header is not valid JSON: " + why);
    }
    if (!header.is_object()) throw FormatError(source, join("the header is a JSON ", header.type_name(), ", not an object"));
    if (!duplicate.empty()) throw FormatError(source, "the header names '" + duplicate + "' twice");

    Header out;
    for (const auto& [name, info] : header.items()) {
        if (name == "__metadata__") {
            if (!info.is_object()) throw FormatError(source, "__metadata__ is " + shown(info) + ", not an object");
            for (const auto& [key, value] : info.items()) {
                if (!value.is_string())
                    throw FormatError(source, "__metadata__ \"" + key + "\" is " + shown(value) +
                                                  ", but metadata values must be strings");
                out.metadata[key] = value.get<std::string>();
            }
            continue;
        }
        out.entries.push_back(read_entry(name, info, source, std::size_t(data_size)));
    }

    // The tensors must tile the data buffer: sorted by offset, each begins where the
    // previous one ends, and the last ends with the file.
    auto& entries = out.entries;
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return std::pair(a.begin, a.end) < std::pair(b.begin, b.end); });
    std::size_t covered = 0;
    const Entry* previous = nullptr;
    for (const auto& e : entries) {
        if (e.begin < covered)
            throw FormatError(source, join("tensors '", previous->tensor.name, "' [", std::to_string(previous->begin),
                                           ", ", std::to_string(previous->end), "] and '", e.tensor.name, "' [",
                                           std::to_string(e.begin), ", ", std::to_string(e.end), "] overlap"));
        if (e.begin > covered)
            throw FormatError(source, join("bytes [", std::to_string(covered), ", ", std::to_string(e.begin),
                                           ") of the data belong to no tensor"));
        covered = e.end;
        previous = &e;
    }
    if (covered != data_size)
        throw FormatError(source, join("the data holds ", std::to_string(data_size - covered),
                                       " bytes after the last tensor's end (", std::to_string(covered), ")"));
    return out;
}

// Room for one tensor's bytes; a size the machine cannot allocate is the file's
// fault (a header that tiles a huge sparse file), said with the file's name.
inline void allocate(Tensor& t, std::size_t bytes, const std::string& source) {
    try {
        t.bytes.resize(bytes);
    } catch (const std::bad_alloc&) {
        throw FormatError(source, join("tensor '", t.name, "' holds ", std::to_string(bytes),
                                       " bytes, more than this process can allocate"));
    } catch (const std::length_error&) {
        throw FormatError(source, join("tensor '", t.name, "' holds ", std::to_string(bytes),
                                       " bytes, more than this process can allocate"));
    }
}

// An open file descriptor, closed on every path out.
struct ReadOnlyFile {
    int fd = -1;
    ReadOnlyFile() = default;
    ReadOnlyFile(const ReadOnlyFile&) = delete;
    ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;
    ~ReadOnlyFile() {
        if (fd >= 0) ::close(fd);
    }
};

// Reads exactly `n` bytes at `offset` (pread: no seek, no buffer of the whole file).
inline void read_at(int fd, void* out, std::size_t n, std::uint64_t offset, const std::string& source,
                    const std::string& what) {
    auto* p = static_cast<char*>(out);
    std::size_t done = 0;
    while (done < n) {
        const std::size_t chunk = std::min<std::size_t>(n - done, std::size_t(1) << 30);
        const ::ssize_t got = ::pread(fd, p + done, chunk, ::off_t(offset + done));
        if (got < 0) {
            if (errno == EINTR) continue;
            throw FormatError(source, join("cannot read ", what, " at byte ", std::to_string(offset + done), ": ",
                                           std::strerror(errno)));
        }
        if (got == 0)
            throw FormatError(source, join("the file ended at byte ", std::to_string(offset + done), " while reading ",
                                           what, " (it shrank while being read?)"));
        done += std::size_t(got);
    }
}
}  // namespace detail

// Parses a whole safetensors file held in memory; `source` names it in errors.
inline File parse(std::span<const std::byte> bytes, const std::string& source) {
    detail::check_header_length(bytes.size() < 8 ? 0 : detail::load<std::uint64_t>(bytes.data()), bytes.size(), source);
    const std::uint64_t header_size = detail::load<std::uint64_t>(bytes.data());
    const std::string_view text(reinterpret_cast<const char*>(bytes.data() + 8), std::size_t(header_size));
    const std::span<const std::byte> data = bytes.subspan(8 + std::size_t(header_size));
    detail::Header header = detail::parse_header(text, data.size(), source);

    File file;
    file.source = source;
    file.metadata = std::move(header.metadata);
    file.tensors.reserve(header.entries.size());
    for (auto& e : header.entries) {
        e.tensor.bytes.assign(data.begin() + std::ptrdiff_t(e.begin), data.begin() + std::ptrdiff_t(e.end));
        file.tensors.push_back(std::move(e.tensor));
    }
    return file;
}

// Reads and parses a file; every error is a FormatError naming its path. The size
// and the 8-byte length are checked before anything else is read, then the header
// (at most max_header_size bytes), and only then each tensor's bytes, straight into
// the tensor: memory is the header plus the tensors, never a copy of the file.
inline File read(const std::filesystem::path& path) {
    const std::string source = path.string();
    detail::ReadOnlyFile f;
    // O_NONBLOCK: a FIFO must not block the open; it is refused below as not a file.
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (f.fd < 0) {
        const int error = errno;
        throw FormatError(source, error == ENOENT ? std::string("no such file")
                                                  : detail::join("cannot be opened: ", std::strerror(error)));
    }
    struct ::stat info {};
    if (::fstat(f.fd, &info) != 0)
        throw FormatError(source, detail::join("cannot read its size: ", std::strerror(errno)));
    if (!S_ISREG(info.st_mode)) throw FormatError(source, "is not a regular file");
    const std::uint64_t file_size = std::uint64_t(info.st_size);

    std::uint64_t header_size = 0;
    if (file_size >= 8) {
        std::byte length[8];
        detail::read_at(f.fd, length, 8, 0, source, "the header length");
        header_size = detail::load<std::uint64_t>(length);
    }
    detail::check_header_length(header_size, file_size, source);
    std::string text(std::size_t(header_size), '\0');
    detail::read_at(f.fd, text.data(), text.size(), 8, source, "the header");
    const std::uint64_t data_start = 8 + header_size;
    detail::Header header = detail::parse_header(text, file_size - data_start, source);

    File file;
    file.source = source;
    file.metadata = std::move(header.metadata);
    file.tensors.reserve(header.entries.size());
    for (auto& e : header.entries) {
        detail::allocate(e.tensor, e.end - e.begin, source);
        detail::read_at(f.fd, e.tensor.bytes.data(), e.tensor.bytes.size(), data_start + e.begin, source,
                        "tensor '" + e.tensor.name + "'");
        file.tensors.push_back(std::move(e.tensor));
    }
    return file;
}

// --- Writing -----------------------------------------------------------------------

// A tensor to write; its bytes are borrowed until write() or serialize() returns.
struct TensorView {
    std::string name;
    Dtype dtype = Dtype::F32;
    std::vector<std::size_t> shape;
    std::span<const std::byte> bytes;
};
inline TensorView view(std::string name, std::vector<std::size_t> shape, std::span<const float> values) {
    return {std::move(name), Dtype::F32, std::move(shape), std::as_bytes(values)};
}
inline TensorView view(std::string name, std::vector<std::size_t> shape, std::span<const std::int64_t> values) {
    return {std::move(name), Dtype::I64, std::move(shape), std::as_bytes(values)};
}

namespace detail {
// What a writer sends, in order: the header, then each tensor's bytes.
struct Layout {
    std::string header;
    std::vector<const TensorView*> order;
};

// Checks the tensors and lays them out in the reference writer's order (larger
// elements first, so that after the 8-byte aligned header every tensor starts
// aligned to its element size), otherwise as given.
inline Layout layout(std::span<const TensorView> tensors, const Metadata& metadata) {
    Layout out;
    for (const auto& t : tensors) out.order.push_back(&t);
    std::stable_sort(out.order.begin(), out.order.end(),
                     [](const TensorView* a, const TensorView* b) { return size_of(a->dtype) > size_of(b->dtype); });
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::set<std::string_view> names;
    std::size_t offset = 0;
    for (const TensorView* t : out.order) {
        if (t->name == "__metadata__" || !names.insert(t->name).second)
            throw std::invalid_argument("safetensors: cannot write two tensors named '" + t->name +
                                        "' (nor one named __metadata__)");
        std::size_t bytes = size_of(t->dtype);
        for (auto d : t->shape) bytes = d != 0 && bytes > t->bytes.size() / d ? t->bytes.size() + 1 : bytes * d;
        if (bytes != t->bytes.size())
            throw std::invalid_argument("safetensors: tensor '" + t->name + "' has shape " + shape_string(t->shape) +
                                        " of " + std::string(name_of(t->dtype)) + " but " +
                                        std::to_string(t->bytes.size()) + " bytes");
        header[t->name] = {{"dtype", name_of(t->dtype)},
                           {"shape", t->shape},
                           {"data_offsets", {offset, offset + t->bytes.size()}}};
        offset += t->bytes.size();
    }
    try {
        out.header = header.dump();
    } catch (const nlohmann::ordered_json::exception& e) {  // a name or value that is not UTF-8
        throw std::invalid_argument(std::string("safetensors: cannot write the header: ") + e.what());
    }
    out.header.append((8 - out.header.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
    return out;
}

template <class Sink>
void emit(const Layout& layout, Sink&& sink) {
    std::byte length[8];
    const std::uint64_t n = layout.header.size();
    std::memcpy(length, &n, 8);
    sink(std::span<const std::byte>(length));
    sink(std::as_bytes(std::span(layout.header)));
    for (const TensorView* t : layout.order) sink(t->bytes);
}
}  // namespace detail

// The bytes of a file holding `tensors`.
inline std::vector<std::byte> serialize(std::span<const TensorView> tensors, const Metadata& metadata = {}) {
    std::vector<std::byte> out;
    detail::emit(detail::layout(tensors, metadata),
                 [&](std::span<const std::byte> b) { out.insert(out.end(), b.begin(), b.end()); });
    return out;
}

// Writes `tensors` to `path` atomically (io/atomic_file.hpp): the file is either the
// old one or the complete new one, never a mix. Throws std::invalid_argument for
// tensors that cannot be written (before touching the disk) and
// std::filesystem::filesystem_error when the disk refuses.
inline void write(const std::filesystem::path& path, std::span<const TensorView> tensors,
                  const Metadata& metadata = {}) {
    const detail::Layout layout = detail::layout(tensors, metadata);
    AtomicFile out(path);
    detail::emit(layout, [&](std::span<const std::byte> b) { out.write(b); });
    out.commit();
}
inline void write(const std::filesystem::path& path, std::initializer_list<TensorView> tensors,
                  const Metadata& metadata = {}) {
    write(path, std::span<const TensorView>(tensors.begin(), tensors.size()), metadata);
}

}  // namespace safetensors
}  // namespace tn::io
