// The bodies of io/idx.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <array>
#include <new>
#include <optional>
#include <system_error>
#include <zlib.h>

#include "typenet/io/idx.hpp"

namespace tn::io {

namespace detail {
// IDX bytes from memory.
struct MemoryBytes {
    const std::vector<std::uint8_t>& bytes;
    std::size_t at = 0;
    std::size_t read(std::uint8_t* out, std::size_t n) {
        n = std::min(n, bytes.size() - at);
        std::copy_n(bytes.data() + at, n, out);
        at += n;
        return n;
    }
    // How many bytes follow what was read (exact, from memory).
    std::optional<std::size_t> trailing() const { return bytes.size() - at; }
};

// IDX bytes from a file, gunzipped when it starts with the gzip magic (zlib reads
// plain files unchanged too). Never inflates more than it is asked for.
struct GzipBytes {
    gzFile f = nullptr;
    std::string source;
    GzipBytes(const std::filesystem::path& path, std::string source_) : source(std::move(source_)) {
        std::error_code ec;
        // Checked first: gzopen on a FIFO would wait for a writer.
        const auto status = std::filesystem::status(path, ec);
        if (ec && ec != std::errc::no_such_file_or_directory)
            throw IdxError(source + ": cannot open (" + ec.message() + ")");
        if (!std::filesystem::exists(status)) throw IdxError(source + ": no such file");
        if (!std::filesystem::is_regular_file(status)) throw IdxError(source + ": is not a regular file");
        f = gzopen(path.c_str(), "rb");
        if (!f) throw IdxError(source + ": cannot open");
        gzbuffer(f, 1 << 16);
    }
    GzipBytes(const GzipBytes&) = delete;
    GzipBytes& operator=(const GzipBytes&) = delete;
    ~GzipBytes() { gzclose(f); }
    std::size_t read(std::uint8_t* out, std::size_t n) {
        std::size_t done = 0;
        while (done < n) {
            const unsigned chunk = unsigned(std::min<std::size_t>(n - done, 1u << 30));
            const int got = gzread(f, out + done, chunk);
            if (got < 0) {
                int code = 0;
                const std::string why = gzerror(f, &code);
                throw IdxError(source + ": the gzip stream is corrupt after " +
                               std::to_string(std::uint64_t(gztell(f))) + " bytes (" + why + ")");
            }
            if (got == 0) break;
            done += std::size_t(got);
        }
        return done;
    }
    // Whether anything follows: one byte is inflated to find out, not the rest.
    std::optional<std::size_t> trailing() {
        std::uint8_t one = 0;
        if (read(&one, 1) == 0) return 0;
        return std::nullopt;
    }
};

// Reads one IDX array from `in`: the header first, then exactly the values it
// promises, into a buffer that grows as they arrive (so a header promising a
// terabyte costs only what the file really holds), then checks nothing follows.
template <class Bytes>
IdxArray read_idx_from(Bytes& in, const std::string& source) {
    std::uint8_t head[4 + 4 * 4];
    const std::size_t got = in.read(head, 4);
    if (got < 4) throw IdxError(source + ": too short for an IDX header (" + std::to_string(got) + " bytes)");
    if (head[0] != 0 || head[1] != 0) throw IdxError(source + ": not an IDX file (the first two bytes must be 0)");
    if (head[2] != 0x08)
        throw IdxError(source + ": IDX element type 0x" + std::to_string(head[2]) +
                       " is not supported; only unsigned bytes (0x08) are");
    const std::size_t rank = head[3];
    if (rank == 0 || rank > 4) throw IdxError(source + ": IDX rank " + std::to_string(rank) + ", expected 1 to 4");
    const std::size_t header = 4 + 4 * rank;
    if (const std::size_t more = in.read(head + 4, 4 * rank); more < 4 * rank)
        throw IdxError(source + ": truncated in the header (" + std::to_string(4 + more) + " of " +
                       std::to_string(header) + " bytes)");
    IdxArray a;
    for (std::size_t d = 0; d < rank; ++d) {
        const std::uint8_t* p = head + 4 + 4 * d;
        const std::size_t dim = (std::size_t(p[0]) << 24) | (std::size_t(p[1]) << 16) | (std::size_t(p[2]) << 8) | p[3];
        if (dim == 0) throw IdxError(source + ": dimension " + std::to_string(d) + " is 0");
        a.dims.push_back(dim);
    }
    // Guard the product against overflow before trusting it.
    std::size_t expected = 1;
    for (auto d : a.dims) {
        if (expected > max_idx_values / d) throw IdxError(source + ": dimensions are implausibly large");
        expected *= d;
    }
    std::size_t have = 0;
    while (have < expected) {
        // Capacity doubles, capped at what the header promises: memory is at most the
        // promised size and at most twice what has arrived.
        const std::size_t want = std::min(expected, std::max(have * 2, have + (std::size_t(1) << 20)));
        try {
            a.values.resize(want);
        } catch (const std::bad_alloc&) {
            throw IdxError(source + ": the header promises " + std::to_string(expected) +
                           " values, more than this process can allocate");
        }
        const std::size_t n = in.read(a.values.data() + have, want - have);
        have += n;
        if (have < want) break;  // the data ended
    }
    if (have < expected)
        throw IdxError(source + ": the header promises " + std::to_string(expected) + " values, the file holds " +
                       std::to_string(have) + " (truncated)");
    if (const auto extra = in.trailing(); !extra || *extra > 0)
        throw IdxError(source + ": the header promises " + std::to_string(expected) + " values, the file holds " +
                       (extra ? std::to_string(expected + *extra) : "more") +
                       (extra ? " (trailing bytes)" : " (trailing bytes; reading stopped after the promised ones)"));
    return a;
}
}  // namespace detail

TYPENET_INLINE IdxArray parse_idx(const std::vector<std::uint8_t>& bytes, const std::string& source) {
    detail::MemoryBytes in{bytes};
    return detail::read_idx_from(in, source);
}

TYPENET_INLINE IdxArray read_idx(const std::filesystem::path& path) {
    detail::GzipBytes in(path, path.string());
    return detail::read_idx_from(in, path.string());
}

}  // namespace tn::io
