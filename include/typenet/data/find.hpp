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

// What to run to get a data set: fetch-data.sh names each set after its folder
// below the data root ("sklearn", "mnist", "fashion-mnist").
inline std::string fetch_hint(const std::string& set) {
    return "\n  run scripts/fetch-data.sh " + set + " (or set TYPENET_DATA to the folder that holds it)";
}

// The path of a data file or folder below the data root, e.g. find("sklearn/iris.csv").
// A missing one is an error that says how to get it.
inline std::filesystem::path find(const std::string& relative) {
    const auto path = root() / relative;
    if (!std::filesystem::exists(path))
        throw MissingData("data set not found: " + path.string() +
                          fetch_hint(relative.substr(0, relative.find('/'))));
    return path;
}

}  // namespace tn::data
