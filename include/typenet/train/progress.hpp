// The progress line of fit(): a bar with samples/s and ETA, redrawn in place at
// most ten times a second, only when stderr is a terminal. When it is not (CI, a
// pipe), fit() prints one line per epoch instead.
#pragma once
#include <chrono>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace tn {

enum class Verbosity { Auto, Quiet, EpochLines, Bar };

class ProgressBar {
public:
    ProgressBar(std::size_t epoch, std::size_t epochs, std::size_t total, bool enabled)
        : epoch_(epoch), epochs_(epochs), total_(total), enabled_(enabled), start_(clock::now()), last_(start_) {}

    static bool terminal() { return ::isatty(STDERR_FILENO) == 1; }

    void update(std::size_t done, float loss) {
        if (!enabled_) return;
        const auto now = clock::now();
        if (done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        const double seconds = std::chrono::duration<double>(now - start_).count();
        const double rate = seconds > 0 ? double(done) / seconds : 0;
        const double eta = rate > 0 ? double(total_ - done) / rate : 0;
        constexpr int width = 24;
        const int filled = total_ ? int(width * double(done) / double(total_)) : width;
        std::string bar(std::size_t(filled), '=');
        if (filled < width) bar += '>' + std::string(std::size_t(width - filled - 1), ' ');
        std::fprintf(stderr, "\repoch %zu/%zu [%s] %zu/%zu  %.0f samples/s  ETA %02d:%02d  loss %.4f\033[K", epoch_,
                     epochs_, bar.c_str(), done, total_, rate, int(eta) / 60, int(eta) % 60, double(loss));
        if (done >= total_) std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
    }

private:
    using clock = std::chrono::steady_clock;
    std::size_t epoch_, epochs_, total_;
    bool enabled_;
    clock::time_point start_, last_;
};

}  // namespace tn
