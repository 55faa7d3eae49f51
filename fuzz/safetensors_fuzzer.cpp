// libFuzzer target for the safetensors reader (io/safetensors.hpp): any bytes must
// either parse or throw FormatError; never crash, hang or read out of bounds (ASan
// and UBSan watch). What parses must also survive a round trip: serialized again
// and parsed back, it is the same file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <typenet/io/safetensors.hpp>
#include <vector>

namespace st = tn::io::safetensors;

namespace {
bool is_float(st::Dtype d) {
    return d == st::Dtype::F32 || d == st::Dtype::F64 || d == st::Dtype::F16 || d == st::Dtype::BF16;
}
bool is_integer(st::Dtype d) {
    return d != st::Dtype::U64 && d != st::Dtype::F8_E4M3 && d != st::Dtype::F8_E5M2 && !is_float(d);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    st::File file;
    try {
        file = st::parse(std::as_bytes(std::span(data, size)), "fuzz-input");
    } catch (const tn::io::FormatError&) {
        return 0;
    }
    std::vector<st::TensorView> views;
    for (const auto& t : file.tensors) {
        if (t.bytes.size() != t.count() * st::size_of(t.dtype)) std::abort();
        if (is_float(t.dtype) && t.to_floats().size() != t.count()) std::abort();
        if (is_integer(t.dtype) && t.to_int64s().size() != t.count()) std::abort();
        views.push_back({t.name, t.dtype, t.shape, t.bytes});
    }
    const auto again = st::parse(st::serialize(views, file.metadata), "round-trip");
    if (again.metadata != file.metadata || again.tensors.size() != file.tensors.size()) std::abort();
    for (const auto& t : file.tensors) {
        const st::Tensor& u = again.at(t.name);
        if (u.dtype != t.dtype || u.shape != t.shape || u.bytes != t.bytes) std::abort();
    }
    return 0;
}
