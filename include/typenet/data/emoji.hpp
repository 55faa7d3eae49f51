// Emoji as a small image-classification set: Google's Noto emoji (64x64 RGBA PNGs)
// with their Unicode metadata, from the npm package emoji-datasource-google 16.0.0
// (scripts/fetch-data.sh emoji fills data/emoji/: emoji.json and img/google/64/).
// Images are composited over white and kept as RGB bytes, CHW, scaled to [0, 1].
//
//   auto emoji = tn::data::emoji_categories();        // 9 classes, ~1,900 images
//   auto pets = tn::data::emoji_cats_vs_dogs();       // 2 classes, a few dozen images
//
// Skin-tone variations are not included: each emoji is one image, as emoji.json lists it.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/data/find.hpp"
#include "typenet/data/labelled_images.hpp"

namespace tn::data {

struct EmojiOptions {
    std::size_t size = 64;  // images are size x size (64 as stored; others are resized, bilinear)
    // A category with fewer images than this is left out (and the leaving-out printed):
    // "Component" (skin-tone and hair swatches) has 5 images, too few to learn from.
    std::size_t min_per_class = 20;
    bool verbose = true;  // print the classes and their counts (and, for cats vs dogs, the emoji)
};

// One class per emoji.json `category`, in the order Unicode lists them: Smileys &
// Emotion, People & Body, Animals & Nature, Food & Drink, Travel & Places, Activities,
// Objects, Symbols, Flags (Component dropped: too few).
TYPENET_INLINE LabelledImages emoji_categories(const std::filesystem::path& folder = find("emoji"),
                                               const EmojiOptions& options = {});

// Class 0 "cat" (name or short name has the word cat, kitten, lion, tiger, leopard,
// cheetah or panther), class 1 "dog" (dog, puppy, poodle, wolf, fox), from the
// Animals & Nature and Smileys & Emotion categories (so the hot dog stays food).
// Only a few dozen emoji qualify: a set for showing overfitting and augmentation.
TYPENET_INLINE LabelledImages emoji_cats_vs_dogs(const std::filesystem::path& folder = find("emoji"),
                                                 const EmojiOptions& options = {});

}  // namespace tn::data

#if TYPENET_DEFINE_BODIES
#include "typenet/data/emoji.ipp"
#endif
