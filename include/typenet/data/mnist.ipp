// The bodies of data/mnist.hpp: inline in a header-only build, compiled once into
// typenet::precompiled otherwise (include/typenet/config.hpp).
#pragma once
#include "typenet/data/mnist.hpp"

namespace tn::data {

namespace detail {
// The first of the candidate names that exists in `folder` (raw or .gz); `set` is
// the fetch-data.sh name that fetches them.
inline std::filesystem::path first_existing(const std::filesystem::path& folder,
                                            std::initializer_list<const char*> names, const std::string& set) {
    for (const char* n : names) {
        if (std::filesystem::exists(folder / n)) return folder / n;
        if (std::filesystem::exists(folder / (std::string(n) + ".gz"))) return folder / (std::string(n) + ".gz");
    }
    throw MissingData("no " + std::string(*names.begin()) + "[.gz] in " + folder.string() + fetch_hint(set));
}

inline Dataset idx_dataset(const std::string& name, const std::filesystem::path& images_path,
                           const std::filesystem::path& labels_path, std::size_t classes, std::size_t& h,
                           std::size_t& w) {
    io::IdxArray images = io::read_idx(images_path);
    const io::IdxArray labels = io::read_idx(labels_path);
    if (images.dims.size() != 3)
        throw io::IdxError(images_path.string() + ": expected images [count, rows, columns], got rank " +
                           std::to_string(images.dims.size()));
    if (labels.dims.size() != 1)
        throw io::IdxError(labels_path.string() + ": expected labels [count], got rank " +
                           std::to_string(labels.dims.size()));
    if (labels.dims[0] != images.dims[0])
        throw io::IdxError(labels_path.string() + ": " + std::to_string(labels.dims[0]) + " labels for " +
                           std::to_string(images.dims[0]) + " images in " + images_path.string());
    h = images.dims[1];
    w = images.dims[2];
    Dataset d(name, h * w, 1);
    d.bytes = std::move(images.values);
    d.targets.resize(labels.values.size());
    for (std::size_t i = 0; i < labels.values.size(); ++i) {
        if (labels.values[i] >= classes)
            throw io::IdxError(labels_path.string() + ": label " + std::to_string(labels.values[i]) + " of sample " +
                               std::to_string(i) + " is out of range (0 to " + std::to_string(classes - 1) + ")");
        d.targets[i] = float(labels.values[i]);
    }
    d.validate();
    return d;
}

inline ImageData idx_pair(std::string name, const std::filesystem::path& folder, std::vector<std::string> classes,
                          const std::string& set) {
    ImageData out;
    out.name = std::move(name);
    out.class_names = std::move(classes);
    std::size_t h = 0, w = 0, h2 = 0, w2 = 0;
    out.train = idx_dataset(out.name + " train", first_existing(folder, {"train-images-idx3-ubyte"}, set),
                            first_existing(folder, {"train-labels-idx1-ubyte"}, set), out.class_names.size(), h, w);
    out.test = idx_dataset(out.name + " test", first_existing(folder, {"t10k-images-idx3-ubyte"}, set),
                           first_existing(folder, {"t10k-labels-idx1-ubyte"}, set), out.class_names.size(), h2, w2);
    if (h != h2 || w != w2)
        throw io::IdxError(folder.string() + ": training images are " + std::to_string(h) + "x" + std::to_string(w) +
                           " but test images are " + std::to_string(h2) + "x" + std::to_string(w2));
    out.height = h;
    out.width = w;
    return out;
}
}  // namespace detail

TYPENET_INLINE ImageData mnist(const std::filesystem::path& folder) {
    return detail::idx_pair("MNIST", folder, {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, "mnist");
}

TYPENET_INLINE ImageData fashion_mnist(const std::filesystem::path& folder) {
    return detail::idx_pair("Fashion-MNIST", folder,
                            {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                             "Bag", "Ankle boot"},
                            "fashion-mnist");
}

}  // namespace tn::data
