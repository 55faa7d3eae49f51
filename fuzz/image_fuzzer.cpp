// libFuzzer target for PNG and JPEG decoding through stb_image (image/io.hpp's
// decode_image, from memory): any bytes that start as a PNG or a JPEG does must
// either decode or throw ImageError; never crash, hang or read out of bounds (ASan
// and UBSan watch, over stb's code too, which is compiled into this target). The
// limits are smaller than the library's defaults so that what a hostile header may
// ask for (1 Mpixel, about 40 MB of stb's working memory) stays far below
// libFuzzer's 2 GB memory limit: a decode that tried to take more would be reported.
// What decodes holds exactly width x height x channels bytes. stb's other decoders
// (BMP, GIF, TGA, PSD, PNM, HDR), which read_image also reaches, are not fuzzed:
// docs/reliability.md says so.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <typenet/image/io.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // The first byte picks the channels asked for (0 = the file's own, 1 to 4).
    const std::size_t channels = data[0] % 5;
    const std::span<const unsigned char> bytes(data + 1, size - 1);
    static constexpr unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    const bool is_png = bytes.size() >= 8 && std::equal(png, png + 8, bytes.begin());
    const bool is_jpeg = bytes.size() >= 2 && bytes[0] == 0xFF;  // stb: FF (any number of them), then D8
    if (!is_png && !is_jpeg) return 0;
    const tn::image::DecodeLimits limits{.max_pixels = std::size_t(1) << 20, .working_bytes_per_pixel = 40};
    try {
        const auto img = tn::image::decode_image(bytes, "fuzz-input", channels, limits);
        if (img.width == 0 || img.height == 0 || img.channels < 1 || img.channels > 4) std::abort();
        if (channels && img.channels != channels) std::abort();
        if (img.width * img.height > limits.max_pixels) std::abort();
        if (img.pixels.size() != img.width * img.height * img.channels) std::abort();
    } catch (const tn::image::ImageError&) {
    }
    return 0;
}
