// Pictures: image grids, confusion matrices (SVG and PNG) and saliency maps: their
// sizes, value ranges, and files that read back.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include <typenet/image/grid.hpp>
#include <typenet/image/io.hpp>
#include <typenet/image/saliency.hpp>
#include <typenet/image/text.hpp>
#include <typenet/plot/confusion_matrix.hpp>
#include <typenet/typenet.hpp>

using namespace tn;
using namespace tn::image;
namespace fs = std::filesystem;

namespace {
fs::path scratch(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("typenet_pictures_test_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir / name;
}
}  // namespace

TEST_CASE("image_grid lays tiles out row by row with gaps, upscaled") {
    // 5 grey tiles of 2x3, tile t filled with t / 4.
    std::vector<float> tiles(5 * 6);
    for (std::size_t i = 0; i < tiles.size(); ++i) tiles[i] = float(i / 6) / 4.f;
    const FloatImage g = image_grid(tiles.data(), 5, 1, 2, 3, {.gap = 1, .background = 1.f});
    // ceil(sqrt(5)) = 3 columns, 2 rows: 3 * 3 + 2 gaps wide, 2 * 2 + 1 gap high.
    CHECK(g.width == 11);
    CHECK(g.height == 5);
    CHECK(g.at(0, 0, 0) == 0.f);
    CHECK(g.at(0, 4, 0) == 0.25f);   // tile 1 starts after 3 pixels and a gap
    CHECK(g.at(0, 3, 0) == 1.f);     // the gap
    CHECK(g.at(3, 4, 0) == 1.f);     // tile 4 (row 1, column 1)
    CHECK(g.at(4, 8, 0) == 1.f);     // no tile 5: background

    const FloatImage big = image_grid(tiles.data(), 5, 1, 2, 3, {.columns = 5, .upscale = 4, .gap = 2});
    CHECK(big.width == 5 * 12 + 4 * 2);
    CHECK(big.height == 8);
    const auto path = scratch("grid.png");
    write_png(path, big);
    const Image back = read_image(path);
    CHECK(back.width == big.width);
    CHECK(back.height == big.height);
    CHECK(back.channels == 1);
    CHECK_THROWS_AS(image_grid(tiles.data(), 5, 2, 1, 3), ImageError);
}

TEST_CASE("feature maps and filters are normalised per tile") {
    // Two maps of 2x2 with very different ranges: each is stretched to 0..1 on its own.
    const float maps[] = {-3, -1, 1, 3, 100, 100, 100, 200};
    const FloatImage g = feature_map_grid(maps, 2, 2, 2, {.columns = 2, .gap = 0, .normalize = Normalize::per_tile});
    CHECK(g.width == 4);
    CHECK(g.at(0, 0, 0) == 0.f);
    CHECK(g.at(1, 1, 0) == 1.f);
    CHECK(g.at(0, 1, 0) == doctest::Approx(1.f / 3));
    CHECK(g.at(1, 3, 0) == 1.f);
    CHECK(g.at(0, 2, 0) == 0.f);
    for (float v : g.pixels) CHECK((v >= 0.f && v <= 1.f));

    // Filters [F = 2, C = 2, 3, 3]: a row per filter, a column per input channel.
    std::vector<float> w(2 * 2 * 9);
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = float(i % 7) - 3.f;
    const FloatImage f = filter_grid(w.data(), 2, 2, 3, 3, {.upscale = 5, .gap = 1, .normalize = Normalize::per_tile});
    CHECK(f.width == 2 * 15 + 1);
    CHECK(f.height == 2 * 15 + 1);
    // RGB filters [4, 3, 2, 2]: one colour tile each.
    std::vector<float> rgb(4 * 3 * 4, 0.5f);
    const FloatImage c = filter_grid(rgb.data(), 4, 3, 2, 2);
    CHECK(c.channels == 3);
    CHECK(c.at(0, 0, 0) == 0.5f);  // a constant tile is mid-grey
}

TEST_CASE("confusion matrix counts, SVG with counts and names, PNG that reads back") {
    const std::vector<std::size_t> labels = {0, 0, 0, 1, 1, 2, 2, 2, 2};
    const std::vector<std::size_t> predicted = {0, 0, 1, 1, 1, 2, 2, 0, 2};
    const auto m = plot::confusion_matrix(predicted, labels, 3);
    CHECK(m.at(0, 0) == 2);
    CHECK(m.at(0, 1) == 1);
    CHECK(m.at(1, 1) == 2);
    CHECK(m.at(2, 0) == 1);
    CHECK(m.at(2, 2) == 3);
    CHECK(m.total() == 9);
    CHECK(m.accuracy() == doctest::Approx(7.0 / 9));
    CHECK_THROWS_AS(plot::confusion_matrix(predicted, {labels.data(), 3}, 3), std::invalid_argument);
    CHECK_THROWS_AS(plot::confusion_matrix(std::vector<std::size_t>{3}, std::vector<std::size_t>{0}, 3),
                    std::invalid_argument);

    const plot::ConfusionOptions o{.title = "test", .class_names = {"cat", "dog", "fish & chips"}};
    const std::string svg = plot::confusion_matrix_svg_string(m, o);
    CHECK(svg.find(">3</text>") != std::string::npos);
    CHECK(svg.find(">dog</text>") != std::string::npos);
    CHECK(svg.find("fish &amp; chips") != std::string::npos);
    CHECK(svg.find("predicted class") != std::string::npos);
    const auto svg_path = scratch("confusion.svg");
    plot::confusion_matrix_svg(svg_path, m, o);
    CHECK(fs::file_size(svg_path) == svg.size());

    const auto png_path = scratch("confusion.png");
    plot::confusion_matrix_png(png_path, m, o);
    const Image back = read_image(png_path);
    const Image drawn = plot::confusion_matrix_image(m, o);
    CHECK(back.pixels == drawn.pixels);
    CHECK(back.width > 3 * 24);
    CHECK(back.height > 3 * 24);
    // Some pixels are dark: the counts and names are written.
    std::size_t dark = 0;
    for (std::size_t i = 0; i < back.pixels.size(); i += 3) dark += back.pixels[i] < 60 && back.pixels[i + 2] < 60;
    CHECK(dark > 50);
}

TEST_CASE("saliency is |d score / d input|, drawn as a heat map over the image") {
    using Net = Sequential<Input<1, 2, 2>, Flatten, Dense<2>>;
    Model<Net> model{Seed{1}};
    // Class 1's score is 0.5 x0 - 2 x1 + 0 x2 + 1 x3 (weights [out, in]).
    auto w = model.parameter("1.weight").values;
    const float weights[] = {1, 1, 1, 1, 0.5f, -2, 0, 1};
    std::copy(std::begin(weights), std::end(weights), w.begin());
    const std::vector<float> sample = {0.2f, 0.4f, 0.6f, 0.8f};
    const auto s = saliency(model, sample, 1);
    REQUIRE(s.size() == 4);
    CHECK(s[0] == doctest::Approx(0.5f));
    CHECK(s[1] == doctest::Approx(2.f));
    CHECK(s[2] == 0.f);
    CHECK(s[3] == doctest::Approx(1.f));
    CHECK_THROWS_AS(saliency(model, sample, 2), std::invalid_argument);

    const FloatImage over = saliency_overlay(sample.data(), 1, 2, 2, s.data(), {.opacity = 1.f, .upscale = 3});
    CHECK(over.width == 6);
    CHECK(over.height == 6);
    CHECK(over.channels == 3);
    for (float v : over.pixels) CHECK((v >= 0.f && v <= 1.f));
    // No saliency: the image's own grey; the most salient pixel: the full heat colour (yellow).
    CHECK(over.at(3, 0, 0) == doctest::Approx(0.6f));
    CHECK(over.at(3, 0, 2) == doctest::Approx(0.6f));
    CHECK(over.at(0, 3, 0) == doctest::Approx(1.f));
    CHECK(over.at(0, 3, 1) == doctest::Approx(1.f));
    CHECK(over.at(0, 3, 2) == doctest::Approx(0.f));
    const auto path = scratch("saliency.png");
    write_png(path, over);
    const Image back = read_image(path);
    CHECK(back.width == 6);
    CHECK(back.channels == 3);
}

TEST_CASE("draw_text draws every glyph of a long number (the vertex buffer holds the widest glyphs)") {
    // Ink of "8" and of "88888888": the second is eight 8s side by side, so eight times the ink.
    const auto ink = [](const std::string& text) {
        tn::image::Image img(120, 12, 1, 255);
        tn::image::draw_text(img, 1, 1, text, {.r = 0, .g = 0, .b = 0});
        return std::count(img.pixels.begin(), img.pixels.end(), std::uint8_t(0));
    };
    const auto one = ink("8");
    REQUIRE(one > 0);
    CHECK(ink("88888888") == 8 * one);
    CHECK(ink("883") > ink("88"));
}
