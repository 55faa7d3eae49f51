// The bodies of data/emoji.hpp (see include/typenet/config.hpp). emoji.json is read
// with nlohmann::json here only, so its compile cost is paid once in
// typenet::precompiled (or only by header-only programs that use the emoji sets).
#pragma once
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "typenet/data/emoji.hpp"
#include "typenet/image/color.hpp"
#include "typenet/image/io.hpp"
#include "typenet/image/resize.hpp"

namespace tn::data {
namespace detail {

struct EmojiEntry {
    std::string name;                      // "CAT FACE"
    std::vector<std::string> short_names;  // {"cat"}
    std::string category;                  // "Animals & Nature"
    std::string image;                     // "1f431.png"
    long sort_order = 0;
};

inline std::vector<EmojiEntry> read_emoji_json(const std::filesystem::path& folder) {
    const auto path = folder / "emoji.json";
    std::ifstream file(path);
    if (!file) throw MissingData("cannot open " + path.string() + fetch_hint("emoji"));
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(file);
    } catch (const nlohmann::json::exception& e) {
        throw MissingData(path.string() + " is not valid JSON (" + e.what() + "); fetch it again" +
                          fetch_hint("emoji"));
    }
    if (!json.is_array()) throw MissingData(path.string() + ": expected a JSON array of emoji" + fetch_hint("emoji"));
    std::vector<EmojiEntry> out;
    for (const auto& e : json) {
        if (!e.is_object() || !e.contains("image") || !e.contains("category")) continue;
        if (e.contains("has_img_google") && !e.value("has_img_google", false)) continue;
        EmojiEntry entry;
        if (e.contains("name") && e["name"].is_string()) entry.name = e["name"].get<std::string>();
        if (e.contains("short_names") && e["short_names"].is_array())
            for (const auto& s : e["short_names"])
                if (s.is_string()) entry.short_names.push_back(s.get<std::string>());
        entry.category = e["category"].is_string() ? e["category"].get<std::string>() : "";
        entry.image = e["image"].is_string() ? e["image"].get<std::string>() : "";
        entry.sort_order = e.value("sort_order", 0L);
        if (!entry.image.empty() && !entry.category.empty()) out.push_back(std::move(entry));
    }
    if (out.empty()) throw MissingData(path.string() + " lists no emoji with Google images" + fetch_hint("emoji"));
    // Unicode's order (sort_order), which groups categories as the standard does.
    std::stable_sort(out.begin(), out.end(),
                     [](const EmojiEntry& a, const EmojiEntry& b) { return a.sort_order < b.sort_order; });
    return out;
}

// Lower-case words of a name or short name: "CAT FACE" -> cat, face; "smiley_cat" -> smiley, cat.
inline std::set<std::string> words_of(const EmojiEntry& e) {
    std::set<std::string> words;
    const auto add = [&](const std::string& text) {
        std::string word;
        for (char ch : text + " ") {
            const auto u = static_cast<unsigned char>(ch);
            if (std::isalpha(u)) {
                word += char(std::tolower(u));
            } else if (!word.empty()) {
                words.insert(word);
                word.clear();
            }
        }
    };
    add(e.name);
    for (const auto& s : e.short_names) add(s);
    return words;
}

// Reads the emoji images into `out` (classes already named), class `labels[i]` for entries[i].
inline void load_emoji_images(LabelledImages& out, const std::filesystem::path& folder,
                              const std::vector<const EmojiEntry*>& entries, const std::vector<std::size_t>& labels,
                              std::size_t size) {
    const auto images = folder / "img" / "google" / "64";
    if (!std::filesystem::is_directory(images))
        throw MissingData("no folder " + images.string() + " (the emoji images)" + fetch_hint("emoji"));
    out.channels = 3;
    out.height = out.width = size;
    const std::size_t plane = size * size, width = 3 * plane;
    out.data = Dataset(out.name, width, 1);
    out.data.byte_scale = 1.f / 255.f;
    out.data.bytes.reserve(entries.size() * width);
    for (std::size_t k = 0; k < entries.size(); ++k) {
        const auto path = images / entries[k]->image;
        if (!std::filesystem::exists(path))
            throw MissingData("emoji image " + path.string() + " (" + entries[k]->name + ") is missing; fetch again" +
                              fetch_hint("emoji"));
        image::Image img = image::to_rgb(image::read_image(path));  // RGBA over white
        if (img.width != size || img.height != size) img = image::resize(img, size, size);
        const std::size_t base = out.data.bytes.size();
        out.data.bytes.resize(base + width);
        for (std::size_t i = 0; i < plane; ++i)
            for (std::size_t c = 0; c < 3; ++c) out.data.bytes[base + c * plane + i] = img.pixels[i * 3 + c];
        out.data.targets.push_back(float(labels[k]));
        out.sources.push_back(entries[k]->name);
    }
    out.data.validate();
}

inline void check_emoji_size(std::size_t size) {
    if (size == 0 || size > 1024)
        throw std::invalid_argument("emoji: image size must be 1 to 1024 pixels, got " + std::to_string(size));
}

}  // namespace detail

TYPENET_INLINE LabelledImages emoji_categories(const std::filesystem::path& folder, const EmojiOptions& options) {
    detail::check_emoji_size(options.size);
    const auto entries = detail::read_emoji_json(folder);
    // Categories in order of first appearance, with their sizes.
    std::vector<std::string> order;
    std::map<std::string, std::size_t> count;
    for (const auto& e : entries)
        if (count[e.category]++ == 0) order.push_back(e.category);
    LabelledImages out;
    out.name = "emoji categories";
    std::string dropped;
    for (const auto& c : order) {
        if (count[c] >= options.min_per_class)
            out.class_names.push_back(c);
        else
            dropped += (dropped.empty() ? "" : ", ") + c + " (" + std::to_string(count[c]) + ")";
    }
    std::vector<const detail::EmojiEntry*> picked;
    std::vector<std::size_t> labels;
    for (const auto& e : entries) {
        const auto it = std::find(out.class_names.begin(), out.class_names.end(), e.category);
        if (it == out.class_names.end()) continue;
        picked.push_back(&e);
        labels.push_back(std::size_t(it - out.class_names.begin()));
    }
    detail::load_emoji_images(out, folder, picked, labels, options.size);
    if (options.verbose) {
        const auto counts = out.class_counts();
        std::fprintf(stderr, "emoji_categories: %zu images, %zux%zu RGB, %zu classes:", out.data.size(), options.size,
                     options.size, counts.size());
        for (std::size_t k = 0; k < counts.size(); ++k)
            std::fprintf(stderr, "%s %zu %s (%zu)", k ? "," : "", k, out.class_names[k].c_str(), counts[k]);
        std::fprintf(stderr, "\n");
        if (!dropped.empty())
            std::fprintf(stderr, "emoji_categories: left out, fewer than %zu images: %s\n", options.min_per_class,
                         dropped.c_str());
    }
    return out;
}

TYPENET_INLINE LabelledImages emoji_cats_vs_dogs(const std::filesystem::path& folder, const EmojiOptions& options) {
    detail::check_emoji_size(options.size);
    static const std::set<std::string> cat_words = {"cat", "kitten", "lion", "tiger", "leopard", "cheetah", "panther"};
    static const std::set<std::string> dog_words = {"dog", "puppy", "poodle", "wolf", "fox"};
    const auto entries = detail::read_emoji_json(folder);
    LabelledImages out;
    out.name = "emoji cats vs dogs";
    out.class_names = {"cat", "dog"};
    std::vector<const detail::EmojiEntry*> picked;
    std::vector<std::size_t> labels;
    std::string listed[2];
    for (const auto& e : entries) {
        if (e.category != "Animals & Nature" && e.category != "Smileys & Emotion") continue;
        const auto words = detail::words_of(e);
        const auto any_of = [&](const std::set<std::string>& wanted) {
            return std::any_of(words.begin(), words.end(), [&](const std::string& w) { return wanted.count(w) > 0; });
        };
        const bool cat = any_of(cat_words), dog = any_of(dog_words);
        if (cat == dog) continue;  // neither, or both (none today): not a clean example of either class
        const std::size_t label = cat ? 0 : 1;
        picked.push_back(&e);
        labels.push_back(label);
        listed[label] += (listed[label].empty() ? "" : ", ") + e.name;
    }
    detail::load_emoji_images(out, folder, picked, labels, options.size);
    if (options.verbose) {
        const auto counts = out.class_counts();
        for (std::size_t k = 0; k < 2; ++k)
            std::fprintf(stderr, "emoji_cats_vs_dogs: %s: %zu emoji: %s\n", out.class_names[k].c_str(), counts[k],
                         listed[k].c_str());
    }
    if (out.class_counts()[0] == 0 || out.class_counts()[1] == 0)
        throw MissingData((folder / "emoji.json").string() + " has no cat or no dog emoji; is it the emoji-datasource "
                          "metadata?" + fetch_hint("emoji"));
    return out;
}

}  // namespace tn::data
