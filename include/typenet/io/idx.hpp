// The IDX format of MNIST and Fashion-MNIST (LeCun's): a 4-byte magic number
// (0, 0, element type, number of dimensions), the dimensions as big-endian 32-bit
// integers, then the values. Plain or gzipped (read through zlib, no shelling out).
// Everything is checked before it is trusted: the magic, the type, each dimension,
// and that the file holds exactly the bytes the header promises; the values are read
// after the header, and never more of them than it promises.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "typenet/config.hpp"

namespace tn::io {

struct IdxError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The most values an IDX array may promise (1 TiB): a larger product of dimensions
// is a corrupt header.
inline constexpr std::size_t max_idx_values = std::size_t(1) << 40;

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

// Parses IDX bytes; `source` names them in errors.
TYPENET_INLINE IdxArray parse_idx(const std::vector<std::uint8_t>& bytes, const std::string& source);

// Reads an IDX file, plain or gzipped; every error is an IdxError naming it. A
// gzipped file is inflated only as far as its header promises (and one byte more,
// to tell a trailing-data error): a gzip bomb costs no more than the array it
// claims to be.
TYPENET_INLINE IdxArray read_idx(const std::filesystem::path& path);

}  // namespace tn::io

#if TYPENET_DEFINE_BODIES
#include "typenet/io/idx.ipp"
#endif
