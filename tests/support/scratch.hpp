// What several test files need from the process around them: a fresh scratch folder
// per test, and what a piece of code writes to standard error (fit's epoch lines,
// warnings).
#pragma once
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace support {

// An empty folder <tmp>/typenet-<suite>-<pid>/<name>, made anew.
inline std::filesystem::path scratch_dir(const std::string& suite, const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("typenet-" + suite + "-" + std::to_string(::getpid())) / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// Everything written to stderr while `f` runs; an exception from `f` is passed on
// after stderr is restored.
template <class F>
std::string capture_stderr(F&& f) {
    const auto path = std::filesystem::temp_directory_path() / ("typenet-stderr-" + std::to_string(::getpid()));
    std::fflush(stderr);
    const int saved = ::dup(STDERR_FILENO);
    std::FILE* file = std::fopen(path.c_str(), "w");
    REQUIRE(file != nullptr);
    ::dup2(::fileno(file), STDERR_FILENO);
    const auto restore = [&] {
        std::fflush(stderr);
        ::dup2(saved, STDERR_FILENO);
        ::close(saved);
        std::fclose(file);
    };
    try {
        f();
    } catch (...) {
        restore();
        throw;
    }
    restore();
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::filesystem::remove(path);
    return text.str();
}

}  // namespace support
