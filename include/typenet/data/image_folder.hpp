// A classification data set from a folder of images, one subfolder per class, as
// Keras' image_dataset_from_directory reads it:
//   flowers/daisy/*.jpg  flowers/rose/*.png  ...
//   auto images = tn::data::image_folder("flowers", {.height = 64, .width = 64, .channels = 3});
//   auto [train, validation] = tn::data::split(images.data, 0.2, tn::Seed{1});
// Class indices follow the sorted subfolder names (0 .. n-1). Every PNG or JPEG is
// converted to the channels asked (alpha composited over white) and resized to the
// model's input (bilinear by default). An image that cannot be read is skipped with
// a warning that counts them, or stops the load with .strict = true.
#pragma once
#include <cstddef>
#include <filesystem>

#include "typenet/config.hpp"
#include "typenet/data/find.hpp"
#include "typenet/data/labelled_images.hpp"
#include "typenet/image/resize.hpp"

namespace tn::data {

struct ImageFolderOptions {
    std::size_t height = 0, width = 0;  // the model's input size (required)
    std::size_t channels = 3;           // 1 grey or 3 RGB
    image::Filter filter = image::Filter::bilinear;
    bool strict = false;   // an unreadable image is an error, rather than skipped
    bool verbose = true;   // print what was read (classes, counts, skipped files) to stderr
};

// Throws MissingData for a missing folder or one without class subfolders, and
// image::ImageError (naming the file) for an unreadable image under .strict.
TYPENET_INLINE LabelledImages image_folder(const std::filesystem::path& folder, const ImageFolderOptions& options);

// The file extensions image_folder reads (case-insensitive): .png .jpg .jpeg
TYPENET_INLINE bool is_image_file(const std::filesystem::path& path);

}  // namespace tn::data

#if TYPENET_DEFINE_BODIES
#include "typenet/data/image_folder.ipp"
#endif
