// decode_image's limits (image/io.hpp): a header asking for more pixels than
// DecodeLimits::max_pixels fails before a pixel is decoded, a small PNG that
// inflates to hundreds of megabytes fails at stb's working-memory budget, and the
// two corrupt files the image fuzzer found (a JPEG Huffman table of more than 256
// codes, on which Debian's stb 2.27 writes past its arrays; a scan using a table
// that was never defined, on which it reads through garbage; a PNM that decodes to
// 0 x 0) are refused with an ImageError naming the source.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include <zlib.h>

#include <typenet/image/io.hpp>

using namespace tn;

namespace {
void put32(std::vector<unsigned char>& b, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back((unsigned char)(v >> s));
}
void chunk(std::vector<unsigned char>& png, const char* kind, const std::vector<unsigned char>& data) {
    put32(png, std::uint32_t(data.size()));
    std::vector<unsigned char> body(kind, kind + 4);
    body.insert(body.end(), data.begin(), data.end());
    png.insert(png.end(), body.begin(), body.end());
    put32(png, std::uint32_t(crc32(0, body.data(), unsigned(body.size()))));
}
// A grey 8-bit PNG of width x height whose IDAT holds `raw` zero bytes, deflated.
std::vector<unsigned char> grey_png(std::uint32_t width, std::uint32_t height, std::size_t raw) {
    std::vector<unsigned char> png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, ihdr;
    put32(ihdr, width);
    put32(ihdr, height);
    ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});
    chunk(png, "IHDR", ihdr);
    z_stream z{};
    REQUIRE(deflateInit(&z, 9) == Z_OK);
    std::vector<unsigned char> zeros(1 << 20), out(1 << 16), idat;
    for (std::size_t left = raw;;) {
        const std::size_t n = std::min(left, zeros.size());
        z.next_in = zeros.data();
        z.avail_in = unsigned(n);
        left -= n;
        const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
        int status = Z_OK;
        do {
            z.next_out = out.data();
            z.avail_out = unsigned(out.size());
            status = deflate(&z, flush);
            idat.insert(idat.end(), out.data(), out.data() + (out.size() - z.avail_out));
        } while (z.avail_out == 0);
        if (flush == Z_FINISH) {
            REQUIRE(status == Z_STREAM_END);
            break;
        }
    }
    deflateEnd(&z);
    chunk(png, "IDAT", idat);
    chunk(png, "IEND", {});
    return png;
}
std::string decode_error(const std::vector<unsigned char>& bytes, const image::DecodeLimits& limits = {}) {
    try {
        image::decode_image(bytes, "x.png", 0, limits);
    } catch (const image::ImageError& e) {
        return e.what();
    }
    return "no error";
}
}  // namespace

TEST_CASE("decode_image: a good PNG decodes; a header past max_pixels fails before decoding") {
    const auto small = grey_png(4, 3, 3 * (1 + 4));
    const auto img = image::decode_image(small, "small.png");
    CHECK(img.width == 4);
    CHECK(img.height == 3);
    CHECK(img.channels == 1);
    CHECK(decode_error(grey_png(30000, 30000, 1000)) ==
          "cannot read image x.png: its header says 30000 x 30000 = 900000000 pixels, more than the limit of "
          "67108864 (DecodeLimits::max_pixels)");
    CHECK(decode_error(small, {.max_pixels = 11}) ==
          "cannot read image x.png: its header says 4 x 3 = 12 pixels, more than the limit of 11 "
          "(DecodeLimits::max_pixels)");
}

TEST_CASE("decode_image: a PNG that inflates far past its header's size fails at the working-memory budget") {
    const auto bomb = grey_png(1000, 1000, std::size_t(256) << 20);  // 1 MB of pixels, 256 MiB of inflated data
    CHECK(bomb.size() < 1 << 20);
    const std::string e = decode_error(bomb);
    CHECK(e.starts_with("cannot read image x.png: decoding it needs more than "));
    CHECK(e.find("the limit for a 1000 x 1000 image of") != std::string::npos);
}

TEST_CASE("decode_image: a JPEG Huffman table of more than 256 codes is refused before stb reads it") {
    std::vector<unsigned char> jpeg(7 + 16, 0xFF);  // the 16 code counts: 16 x 255 = 4080 codes
    const unsigned char head[] = {0xFF, 0xD8, 0xFF, 0xC4, 0x00, 0x13, 0x00};  // SOI, DHT of 19 bytes, table 0
    std::copy(std::begin(head), std::end(head), jpeg.begin());
    CHECK(decode_error(jpeg) == "cannot read image x.png: corrupt JPEG: the Huffman table at byte 6 defines 4080 codes, "
                                "and a table holds at most 256");
}

TEST_CASE("decode_image: a JPEG scan that uses a Huffman table no DHT segment defined is refused") {
    // SOI; SOS of one component using DC table 1 and AC table 0, Ss 0, Se 63: a
    // baseline scan, which needs both tables.
    const std::vector<unsigned char> jpeg{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x10, 0x00, 0x3F, 0x00};
    CHECK(decode_error(jpeg) == "cannot read image x.png: corrupt JPEG: the scan at byte 2 uses DC Huffman table 1, "
                                "which no DHT segment before it defines");
}

TEST_CASE("decode_image: a PNM that decodes to 0 x 0 is an error, not an empty image") {
    const std::string text = "P6\x89PNG\r\n";
    const std::vector<unsigned char> pnm(text.begin(), text.end());
    CHECK(decode_error(pnm).starts_with("cannot read image x.png: "));
}
