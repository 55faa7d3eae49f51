// libFuzzer target for the IDX reader (io/idx.hpp): any bytes must either parse or
// throw IdxError; never crash or read out of bounds (ASan and UBSan watch). What
// parses must hold exactly the values its dimensions promise.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <typenet/io/idx.hpp>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::vector<std::uint8_t> bytes(data, data + size);
    try {
        const auto a = tn::io::parse_idx(bytes, "fuzz-input");
        if (a.values.size() != a.count() || a.dims.empty() || a.count() == 0) std::abort();
        if (4 + 4 * a.dims.size() + a.values.size() != size) std::abort();
    } catch (const tn::io::IdxError&) {
    }
    return 0;
}
