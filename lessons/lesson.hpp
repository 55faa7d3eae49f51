// What every lesson program shares: its command line, its output folder, and the
// honest report of whether it reached its target.
//
//   lesson-NN-name [--smoke] [--out DIR]
//     --smoke  a fast run for CI: less data, fewer epochs; the target is not judged
//     --out    where plots and images go (default: out/NN-name)
#pragma once
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>

namespace lesson {

struct Options {
    bool smoke = false;
    std::filesystem::path out;
};

inline Options parse(int argc, char** argv, std::string_view name) {
    Options o;
    o.out = std::filesystem::path("out") / std::string(name);
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--smoke") {
            o.smoke = true;
        } else if (arg == "--out" && i + 1 < argc) {
            o.out = std::filesystem::path(argv[++i]) / std::string(name);
        } else {
            std::fprintf(stderr, "usage: %s [--smoke] [--out DIR]\n", argv[0]);
            std::exit(2);
        }
    }
    std::filesystem::create_directories(o.out);
    return o;
}

// Prints where a file was written, so the learner can open it.
inline std::string wrote(const std::filesystem::path& p) {
    std::printf("  wrote %s\n", p.string().c_str());
    return p.string();
}

// The last line of a full run: did the lesson reach the target of the lesson map?
// Returns the process exit code (1 when a full run misses its target).
inline int report_target(const Options& o, bool reached, const std::string& what) {
    if (o.smoke) {
        std::printf("\nsmoke run done (target not judged: %s)\n", what.c_str());
        return 0;
    }
    std::printf("\ntarget %s: %s\n", reached ? "REACHED" : "NOT reached", what.c_str());
    return reached ? 0 : 1;
}

// Runs a lesson body, turning any error into one readable line and exit code 1.
template <class Body>
int run(Body&& body) {
    try {
        return body();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}

}  // namespace lesson
