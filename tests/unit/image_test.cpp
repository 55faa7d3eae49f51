// Image files and pixel conversions: what goes into a PNG comes back bit for bit,
// layouts and colour conversions match hand-computed values, errors name the file.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <cstdlib>
#include <string>
#include <unistd.h>

// The test writes a JPEG with stb's own encoder (typenet writes only PNG); static, as
// image/io.ipp does, so it cannot clash with the library's copy.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

#include <typenet/image/color.hpp>
#include <typenet/image/io.hpp>
#include <typenet/image/resize.hpp>

using namespace tn::image;
namespace fs = std::filesystem;

namespace {
fs::path scratch(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("typenet_image_test_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir / name;
}
Image pattern(std::size_t w, std::size_t h, std::size_t c) {
    Image img(w, h, c);
    for (std::size_t i = 0; i < img.size(); ++i) img.pixels[i] = std::uint8_t((i * 37 + 11) % 256);
    return img;
}
}  // namespace

TEST_CASE("write_png then read_image gives back the same pixels, for 1 to 4 channels") {
    for (std::size_t c = 1; c <= 4; ++c) {
        const Image img = pattern(7, 5, c);
        const auto path = scratch("roundtrip" + std::to_string(c) + ".png");
        write_png(path, img);
        const Image back = read_image(path);
        CHECK(back.width == 7);
        CHECK(back.height == 5);
        CHECK(back.channels == c);
        CHECK(back.pixels == img.pixels);
    }
}

TEST_CASE("read_image converts channels on request, and a FloatImage is written clamped and rounded") {
    FloatImage f(2, 1, 1);
    f.pixels = {-0.5f, 0.5f};
    const auto path = scratch("float.png");
    write_png(path, f);
    const Image back = read_image(path, 3);
    CHECK(back.channels == 3);
    CHECK(back.pixels == std::vector<std::uint8_t>{0, 0, 0, 128, 128, 128});  // 0.5 * 255 = 127.5 -> 128
}

TEST_CASE("read_image reads JPEG") {
    std::vector<std::uint8_t> px(16 * 8 * 3);
    for (std::size_t i = 0; i < px.size(); i += 3) px[i] = 200, px[i + 1] = 40, px[i + 2] = 90;
    const auto path = scratch("flat.jpg");
    REQUIRE(stbi_write_jpg(path.c_str(), 16, 8, 3, px.data(), 95) != 0);
    const Image back = read_image(path);
    CHECK(back.width == 16);
    CHECK(back.height == 8);
    CHECK(back.channels == 3);
    // JPEG is lossy; a flat colour survives within a few levels.
    CHECK(std::abs(int(back.at(4, 7, 0)) - 200) <= 4);
    CHECK(std::abs(int(back.at(4, 7, 1)) - 40) <= 4);
    CHECK(std::abs(int(back.at(4, 7, 2)) - 90) <= 4);
}

TEST_CASE("read_image errors name the file and the reason") {
    const auto missing = scratch("no_such_image.png");
    try {
        (void)read_image(missing);
        FAIL("no error");
    } catch (const ImageError& e) {
        CHECK(std::string(e.what()).find("no_such_image.png") != std::string::npos);
        CHECK(std::string(e.what()).find("cannot open") != std::string::npos);
    }
    const auto text = scratch("not_an_image.png");
    std::ofstream(text) << "hello, this is not a PNG";
    try {
        (void)read_image(text);
        FAIL("no error");
    } catch (const ImageError& e) {
        const std::string what = e.what();
        CHECK(what.find("not_an_image.png") != std::string::npos);
        CHECK(what.find("cannot read image") != std::string::npos);
    }
    CHECK_THROWS_AS(write_png(scratch("bad.png"), Image(2, 2, 5)), ImageError);
}

TEST_CASE("to_chw and from_chw move between HWC and CHW") {
    Image img(2, 1, 3);
    img.pixels = {10, 20, 30, 40, 50, 60};  // pixel 0 = (10, 20, 30), pixel 1 = (40, 50, 60)
    const auto chw = to_chw(img);
    REQUIRE(chw.size() == 6);
    const float expected[] = {10, 40, 20, 50, 30, 60};
    for (std::size_t i = 0; i < 6; ++i) CHECK(chw[i] == doctest::Approx(expected[i] / 255.f));
    const FloatImage back = from_chw(chw.data(), 3, 1, 2);
    CHECK(to_bytes(back).pixels == img.pixels);
}

TEST_CASE("channel conversions composite alpha over the background") {
    Image rgba(3, 1, 4);
    rgba.pixels = {255, 0, 0, 255,    // opaque red
                   0, 0, 255, 0,      // fully transparent blue
                   0, 0, 0, 102};     // 40 % black
    const Image rgb = to_rgb(rgba);
    CHECK(rgb.channels == 3);
    CHECK(rgb.pixels == std::vector<std::uint8_t>{255, 0, 0, 255, 255, 255, 153, 153, 153});  // 0.6 * 255 = 153
    const Image on_black = to_rgb(rgba, {0, 0, 0});
    CHECK(on_black.at(0, 1, 2) == 0);
    const Image grey = to_grey(rgba);
    CHECK(grey.channels == 1);
    CHECK(grey.pixels == std::vector<std::uint8_t>{76, 255, 153});  // 0.299 * 255 = 76.2
    const Image back = to_rgba(to_grey(rgb));
    CHECK(back.channels == 4);
    CHECK(back.at(0, 0, 0) == 76);
    CHECK(back.at(0, 0, 3) == 255);
    CHECK_THROWS_AS(to_channels(rgb, 5), ImageError);
}

TEST_CASE("bilinear resize samples at pixel centres") {
    Image img(2, 1, 1);
    img.pixels = {0, 255};
    const Image wide = resize(img, 4, 1);
    // Output x samples input (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 (clamped to 0 and 1).
    CHECK(wide.pixels == std::vector<std::uint8_t>{0, 64, 191, 255});
    CHECK(resize(img, 2, 1).pixels == img.pixels);  // the same size is a copy

    Image flat(9, 7, 3, 200);
    for (Filter f : {Filter::bilinear, Filter::stb}) {
        const Image small = resize(flat, 4, 3, f);
        CHECK(small.width == 4);
        CHECK(small.height == 3);
        CHECK(small.channels == 3);
        for (auto v : small.pixels) CHECK(int(v) == doctest::Approx(200).epsilon(0.01));
    }
    CHECK_THROWS_AS(resize(flat, 0, 3), ImageError);
}

TEST_CASE("upscale_nearest repeats each pixel") {
    Image img(2, 1, 1);
    img.pixels = {1, 2};
    const Image big = upscale_nearest(img, 3);
    CHECK(big.width == 6);
    CHECK(big.height == 3);
    CHECK(big.at(2, 2, 0) == 1);
    CHECK(big.at(2, 3, 0) == 2);
}
