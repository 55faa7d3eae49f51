// libFuzzer target for the server's request parser (serve/request.hpp's
// parse_predict_body): whatever bytes a client sends as the body of POST /predict,
// with whatever Content-Type, the parser either returns exactly the model's input
// size of finite values inside the model's range, or throws RequestError with a 4xx
// status and a message, which error_json must be able to write (the message may
// quote the client's bytes, which need not be UTF-8). Never a crash, a hang, an
// out-of-bounds read or another exception. The first byte picks the Content-Type
// (bits 0-1) and the model (bit 2: a 1 x 28 x 28 digit in [0, 1], or a 3 x 4 x 4
// image in [-1, 1], so PNG colour conversion and a shifted range are reached too).
// The PNG path runs stb_image, compiled into this target as for image_fuzzer.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <typenet/serve/request.hpp>
#include <typenet/serve/response.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static constexpr std::string_view types[] = {"application/json", "image/png", "", "application/octet-stream"};
    const std::string_view type = types[data[0] & 3];
    const tn::serve::PixelSpec digit{.dims = {1, 28, 28}}, small{.dims = {3, 4, 4}, .min_value = -1.f, .max_value = 1.f};
    const tn::serve::PixelSpec& spec = (data[0] & 4) ? small : digit;
    const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        const auto pixels = tn::serve::parse_predict_body(type, body, spec);
        if (pixels.size() != spec.size()) std::abort();
        for (float p : pixels)
            if (!std::isfinite(p) || p < spec.min_value || p > spec.max_value) std::abort();
    } catch (const tn::serve::RequestError& e) {
        if (e.status < 400 || e.status > 499 || std::string_view(e.what()).empty()) std::abort();
        if (tn::serve::error_json(e.status, e.what()).empty()) std::abort();
    }
    return 0;
}
