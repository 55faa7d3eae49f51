// The IDX format of MNIST and Fashion-MNIST (LeCun's): a 4-byte magic number
// (0, 0, element type, number of dimensions), the dimensions as big-endian 32-bit
// integers, then the values. Plain or gzipped (read through zlib, no shelling out).
// Everything is checked before it is trusted: the magic, the type, each dimension,
// and that the file holds exactly the bytes the header promises.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>
#include <zlib.h>

namespace tn::io {

struct IdxError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// An unsigned-byte IDX array, values as they come (pixels 0-255, labels 0-9).
struct IdxArray {
    std::vector<std::size_t> dims;
    std::vector<std::uint8_t> values;
    std::size_t count(std::size_t from_dim = 0) const {
        std::size_t n = 1;
        for (std::size_t i = from_dim; i < dims.size(); ++i) n *= dims[i];
        return n;
    }
};

namespace detail {
// All of a file's bytes, gunzipped when it starts with the gzip magic.
inline std::vector<std::uint8_t> read_maybe_gzipped(const std::filesystem::path& path) {
    if (!std::filesystem::is_regular_file(path)) throw IdxError(path.string() + ": no such file");
    gzFile f = gzopen(path.c_str(), "rb");  // reads plain files unchanged too
    if (!f) throw IdxError(path.string() + ": cannot open");
    std::vector<std::uint8_t> bytes;
    std::array<std::uint8_t, 1 << 16> chunk;
    for (;;) {
        const int n = gzread(f, chunk.data(), unsigned(chunk.size()));
        if (n < 0) {
            int code = 0;
            const std::string why = gzerror(f, &code);
            gzclose(f);
            throw IdxError(path.string() + ": the gzip stream is corrupt (" + why + ")");
        }
        if (n == 0) break;
        bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + n);
    }
    gzclose(f);
    return bytes;
}
}  // namespace detail

// Parses IDX bytes; `source` names them in errors.
inline IdxArray parse_idx(const std::vector<std::uint8_t>& bytes, const std::string& source) {
    if (bytes.size() < 4) throw IdxError(source + ": too short for an IDX header (" + std::to_string(bytes.size()) + " bytes)");
    if (bytes[0] != 0 || bytes[1] != 0)
        throw IdxError(source + ": not an IDX file (the first two bytes must be 0)");
    if (bytes[2] != 0x08)
        throw IdxError(source + ": IDX element type 0x" + std::to_string(bytes[2]) +
                       " is not supported; only unsigned bytes (0x08) are");
    const std::size_t rank = bytes[3];
    if (rank == 0 || rank > 4) throw IdxError(source + ": IDX rank " + std::to_string(rank) + ", expected 1 to 4");
    const std::size_t header = 4 + 4 * rank;
    if (bytes.size() < header)
        throw IdxError(source + ": truncated in the header (" + std::to_string(bytes.size()) + " of " +
                       std::to_string(header) + " bytes)");
    IdxArray a;
    for (std::size_t d = 0; d < rank; ++d) {
        const std::uint8_t* p = bytes.data() + 4 + 4 * d;
        const std::size_t dim = (std::size_t(p[0]) << 24) | (std::size_t(p[1]) << 16) | (std::size_t(p[2]) << 8) | p[3];
        if (dim == 0) throw IdxError(source + ": dimension " + std::to_string(d) + " is 0");
        a.dims.push_back(dim);
    }
    // Guard the product against overflow before comparing it with the file size.
    std::size_t expected = 1;
    for (auto d : a.dims) {
        if (expected > (std::size_t(1) << 40) / d) throw IdxError(source + ": dimensions are implausibly large");
        expected *= d;
    }
    const std::size_t have = bytes.size() - header;
    if (have != expected)
        throw IdxError(source + ": the header promises " + std::to_string(expected) + " values, the file holds " +
                       std::to_string(have) + (have < expected ? " (truncated)" : " (trailing bytes)"));
    a.values.assign(bytes.begin() + std::ptrdiff_t(header), bytes.end());
    return a;
}

inline IdxArray read_idx(const std::filesystem::path& path) {
    return parse_idx(detail::read_maybe_gzipped(path), path.string());
}

}  // namespace tn::io
