// The bodies of data/image_folder.hpp (see include/typenet/config.hpp).
#pragma once
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "typenet/data/image_folder.hpp"
#include "typenet/image/color.hpp"
#include "typenet/image/io.hpp"

namespace tn::data {

TYPENET_INLINE bool is_image_file(const std::filesystem::path& path) {
    std::string ext = path.extension().string();
    for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

TYPENET_INLINE LabelledImages image_folder(const std::filesystem::path& folder, const ImageFolderOptions& options) {
    namespace fs = std::filesystem;
    if (options.height == 0 || options.width == 0)
        throw std::invalid_argument("image_folder(" + folder.string() +
                                    "): give the model's input size, e.g. {.height = 64, .width = 64}");
    if (options.channels != 1 && options.channels != 3)
        throw std::invalid_argument("image_folder(" + folder.string() +
                                    "): .channels must be 1 (grey) or 3 (RGB), got " +
                                    std::to_string(options.channels));
    if (!fs::is_directory(folder))
        throw MissingData("image_folder: " + folder.string() +
                          (fs::exists(folder) ? " is not a folder" : " does not exist") +
                          "; it should hold one subfolder of images per class");

    LabelledImages out;
    out.name = folder.filename().string();
    if (out.name.empty()) out.name = folder.parent_path().filename().string();
    out.channels = options.channels;
    out.height = options.height;
    out.width = options.width;
    for (const auto& entry : fs::directory_iterator(folder))
        if (entry.is_directory()) out.class_names.push_back(entry.path().filename().string());
    std::sort(out.class_names.begin(), out.class_names.end());
    if (out.class_names.empty())
        throw MissingData("image_folder: " + folder.string() +
                          " has no subfolders; put each class's images in a subfolder named after the class");

    const std::size_t width = options.channels * options.height * options.width;
    out.data = Dataset(out.name, width, 1);
    out.data.byte_scale = 1.f / 255.f;
    std::vector<float> chw(width);
    for (std::size_t k = 0; k < out.class_names.size(); ++k) {
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(folder / out.class_names[k]))
            if (entry.is_regular_file() && is_image_file(entry.path())) files.push_back(entry.path());
        std::sort(files.begin(), files.end());  // the order on disk differs between file systems
        for (const auto& file : files) {
            image::Image img;
            try {
                img = image::read_image(file);
            } catch (const image::ImageError& e) {
                if (options.strict)
                    throw image::ImageError(std::string(e.what()) +
                                            "\n  (image_folder is strict; without .strict = true it skips such files)");
                out.skipped.push_back(e.what());
                continue;
            }
            img =
                image::resize(image::to_channels(img, options.channels), options.width, options.height, options.filter);
            // HWC bytes to CHW bytes: the Dataset stores what the model reads, unscaled.
            const std::size_t plane = options.height * options.width;
            const std::size_t base = out.data.bytes.size();
            out.data.bytes.resize(base + width);
            for (std::size_t i = 0; i < plane; ++i)
                for (std::size_t c = 0; c < options.channels; ++c)
                    out.data.bytes[base + c * plane + i] = img.pixels[i * options.channels + c];
            out.data.targets.push_back(float(k));
            out.sources.push_back(file.string());
        }
    }
    if (options.verbose) {
        const auto counts = out.class_counts();
        std::fprintf(stderr, "image_folder: %zu images in %zu classes from %s (", out.data.size(),
                     out.class_names.size(), folder.string().c_str());
        for (std::size_t k = 0; k < counts.size(); ++k)
            std::fprintf(stderr, "%s%s %zu", k ? ", " : "", out.class_names[k].c_str(), counts[k]);
        std::fprintf(stderr, ")\n");
    }
    if (!out.skipped.empty())
        std::fprintf(stderr,
                     "image_folder: warning: skipped %zu unreadable files in %s (first: %s); "
                     ".strict = true stops at the first instead\n",
                     out.skipped.size(), folder.string().c_str(), out.skipped.front().c_str());
    out.data.validate();
    if (out.data.size() == 0)
        throw MissingData("image_folder: no readable .png/.jpg/.jpeg images in the class subfolders of " +
                          folder.string());
    return out;
}

}  // namespace tn::data
