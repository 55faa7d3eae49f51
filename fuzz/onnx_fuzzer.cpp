// libFuzzer target for the ONNX reader (io/onnx.hpp): any bytes, read both as a
// TensorProto and as a ModelProto, must either parse or throw FormatError; never
// crash, hang or read out of bounds (ASan and UBSan watch). A tensor that parses
// holds exactly the values its dims promise.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <typenet/io/onnx.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    namespace onnx = tn::io::onnx;
    try {
        const auto t = onnx::parse_tensor(bytes, "fuzz-input");
        if (t.data_type == onnx::DataType::FLOAT && t.floats.size() != t.count()) std::abort();
        if (t.data_type == onnx::DataType::INT64 && t.int64s.size() != t.count()) std::abort();
    } catch (const tn::io::FormatError&) {
    }
    try {
        const auto m = onnx::parse_model(bytes, "fuzz-input");
        for (const auto& init : m.graph.initializers)
            if (init.data_type == onnx::DataType::FLOAT && init.floats.size() != init.count()) std::abort();
    } catch (const tn::io::FormatError&) {
    }
    return 0;
}
