// Image data sets: a folder of class subfolders, the seeded split, and (when
// scripts/fetch-data.sh emoji has run) the emoji sets on the real files.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <unistd.h>

#include <typenet/data/emoji.hpp>
#include <typenet/data/image_folder.hpp>
#include <typenet/data/split.hpp>
#include <typenet/image/io.hpp>

using namespace tn;
using namespace tn::data;
namespace fs = std::filesystem;

namespace {
fs::path fresh_folder(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("typenet_data_test_" + std::to_string(::getpid())) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}
image::Image solid(std::size_t w, std::size_t h, std::size_t c, std::initializer_list<std::uint8_t> px) {
    image::Image img(w, h, c);
    for (std::size_t i = 0; i < w * h; ++i) std::copy(px.begin(), px.end(), img.pixels.begin() + std::ptrdiff_t(i * c));
    return img;
}
}  // namespace

TEST_CASE("image_folder: sorted class folders, images converted and resized, CHW bytes") {
    const auto root = fresh_folder("shapes");
    fs::create_directories(root / "zebra");
    fs::create_directories(root / "apple");
    image::write_png(root / "apple" / "a1.png", solid(8, 6, 3, {255, 0, 0}));           // red RGB, 8x6
    image::write_png(root / "apple" / "a2.PNG", solid(3, 3, 4, {0, 0, 255, 0}));        // transparent: white
    image::write_png(root / "zebra" / "z1.png", solid(2, 2, 1, {100}));                  // grey
    std::ofstream(root / "zebra" / "notes.txt") << "not an image, not read";
    const LabelledImages d = image_folder(root, {.height = 4, .width = 5, .channels = 3, .verbose = false});
    CHECK(d.class_names == std::vector<std::string>{"apple", "zebra"});
    CHECK(d.data.size() == 3);
    CHECK(d.data.input_width == 3 * 4 * 5);
    CHECK(d.data.byte_scale == doctest::Approx(1.f / 255.f));
    CHECK(d.class_counts() == std::vector<std::size_t>{2, 1});
    CHECK(d.data.targets == std::vector<float>{0, 0, 1});
    CHECK(d.skipped.empty());
    // Sample 0 is red: the first plane (R) all 255, then G and B all 0.
    std::vector<float> x(d.data.input_width);
    d.data.copy_input(0, x.data());
    CHECK(x[0] == 1.f);
    CHECK(x[19] == 1.f);
    CHECK(x[20] == 0.f);
    CHECK(x[59] == 0.f);
    d.data.copy_input(1, x.data());  // transparent over white
    CHECK(std::all_of(x.begin(), x.end(), [](float v) { return v == 1.f; }));
    d.data.copy_input(2, x.data());  // grey 100 in every channel
    CHECK(x[45] == doctest::Approx(100.f / 255.f));

    CHECK(is_image_file("x/photo.JPEG"));
    CHECK(is_image_file("photo.jpg"));
    CHECK_FALSE(is_image_file("notes.txt"));
    CHECK_FALSE(is_image_file("png"));

    const LabelledImages grey = image_folder(root, {.height = 2, .width = 2, .channels = 1, .verbose = false});
    CHECK(grey.data.input_width == 4);
}

TEST_CASE("image_folder: unreadable images are skipped and counted, or an error under .strict") {
    const auto root = fresh_folder("broken");
    fs::create_directories(root / "a");
    image::write_png(root / "a" / "good.png", solid(2, 2, 1, {7}));
    std::ofstream(root / "a" / "broken.png") << "truncated";
    const LabelledImages d = image_folder(root, {.height = 2, .width = 2, .channels = 1, .verbose = false});
    CHECK(d.data.size() == 1);
    REQUIRE(d.skipped.size() == 1);
    CHECK(d.skipped[0].find("broken.png") != std::string::npos);
    try {
        (void)image_folder(root, {.height = 2, .width = 2, .channels = 1, .strict = true, .verbose = false});
        FAIL("no error");
    } catch (const image::ImageError& e) {
        CHECK(std::string(e.what()).find("broken.png") != std::string::npos);
        CHECK(std::string(e.what()).find("strict") != std::string::npos);
    }
}

TEST_CASE("image_folder: clear errors for a missing folder, no classes, no size") {
    const auto root = fresh_folder("empty");
    try {
        (void)image_folder(root / "nowhere", {.height = 2, .width = 2});
        FAIL("no error");
    } catch (const MissingData& e) {
        CHECK(std::string(e.what()).find("nowhere") != std::string::npos);
        CHECK(std::string(e.what()).find("does not exist") != std::string::npos);
    }
    try {
        (void)image_folder(root, {.height = 2, .width = 2});
        FAIL("no error");
    } catch (const MissingData& e) {
        CHECK(std::string(e.what()).find("no subfolders") != std::string::npos);
    }
    CHECK_THROWS_AS(image_folder(root, {}), std::invalid_argument);
    CHECK_THROWS_AS(image_folder(root, {.height = 2, .width = 2, .channels = 4}), std::invalid_argument);
}

TEST_CASE("split: a seeded shuffle into disjoint parts of the asked sizes") {
    Dataset d("numbers", 1, 1);
    d.bytes.resize(50);
    for (std::size_t i = 0; i < 50; ++i) d.bytes[i] = std::uint8_t(i), d.targets.push_back(float(i));
    const auto a = split(d, 0.2, Seed{5});
    const auto b = split(d, 0.2, Seed{5});
    const auto c = split(d, 0.2, Seed{6});
    CHECK(a.train.size() == 40);
    CHECK(a.validation.size() == 10);
    CHECK(a.validation.bytes == b.validation.bytes);
    CHECK(a.validation.bytes != c.validation.bytes);
    std::set<std::uint8_t> all(a.train.bytes.begin(), a.train.bytes.end());
    all.insert(a.validation.bytes.begin(), a.validation.bytes.end());
    CHECK(all.size() == 50);  // every sample once
    for (std::size_t i = 0; i < a.train.size(); ++i) CHECK(a.train.targets[i] == float(a.train.bytes[i]));
    CHECK_THROWS_AS(split(d, 1.0, Seed{1}), std::invalid_argument);
}

// On the real files, when they are there (scripts/fetch-data.sh emoji).
TEST_CASE("emoji data sets read from emoji-datasource-google") {
    fs::path folder;
    try {
        folder = find("emoji");
    } catch (const MissingData&) {
        MESSAGE("data/emoji not fetched; skipping (scripts/fetch-data.sh emoji)");
        return;
    }
    const LabelledImages cats = emoji_categories(folder, {.verbose = false});
    CHECK(cats.class_names.size() == 9);
    CHECK(std::find(cats.class_names.begin(), cats.class_names.end(), "Component") == cats.class_names.end());
    CHECK(cats.class_names.front() == "Smileys & Emotion");
    CHECK(cats.data.input_width == 3 * 64 * 64);
    const auto counts = cats.class_counts();
    CHECK(std::all_of(counts.begin(), counts.end(), [](std::size_t n) { return n >= 20; }));
    // Emoji have transparent corners: composited over white.
    std::vector<float> x(cats.data.input_width);
    cats.data.copy_input(0, x.data());
    CHECK(x[0] == 1.f);

    const LabelledImages pets = emoji_cats_vs_dogs(folder, {.size = 32, .verbose = false});
    CHECK(pets.class_names == std::vector<std::string>{"cat", "dog"});
    CHECK(pets.data.input_width == 3 * 32 * 32);
    const auto has = [&](const std::string& name, float label) {
        for (std::size_t i = 0; i < pets.sources.size(); ++i)
            if (pets.sources[i] == name) return pets.data.targets[i] == label;
        return false;
    };
    CHECK(has("CAT FACE", 0));
    CHECK(has("LION FACE", 0));
    CHECK(has("POODLE", 1));
    CHECK(has("FOX FACE", 1));
    CHECK(std::find(pets.sources.begin(), pets.sources.end(), "HOT DOG") == pets.sources.end());

    try {
        (void)emoji_categories(folder / "img", {.verbose = false});
        FAIL("no error");
    } catch (const MissingData& e) {
        CHECK(std::string(e.what()).find("fetch-data.sh emoji") != std::string::npos);
    }
}
