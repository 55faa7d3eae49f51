// Where the course's data sets live. scripts/fetch-data.sh fills a `data/` folder;
// programs look for it in $TYPENET_DATA, then ./data, then the source tree's data/.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace tn::data {

struct MissingData : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline std::filesystem::path root() {
    if (const char* env = std::getenv("TYPENET_DATA"); env && *env) return env;
    if (std::filesystem::is_directory("data")) return "data";
#ifdef TYPENET_SOURCE_DIR
    if (std::filesystem::is_directory(std::filesystem::path(TYPENET_SOURCE_DIR) / "data"))
        return std::filesystem::path(TYPENET_SOURCE_DIR) / "data";
#endif
    return "data";
}

// The path of a data file or folder below the data root, e.g. find("sklearn/iris.csv").
// A missing one is an error that says how to get it.
inline std::filesystem::path find(const std::string& relative) {
    const auto path = root() / relative;
    if (!std::filesystem::exists(path))
        throw MissingData("data set not found: " + path.string() +
                          "\n  run scripts/fetch-data.sh (or set TYPENET_DATA to the folder that holds it)");
    return path;
}

}  // namespace tn::data
