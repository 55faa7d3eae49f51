// Makes writes fail part-way, for real: while a FileSizeLimit is alive, the kernel
// refuses to grow any file of this process past `bytes` (RLIMIT_FSIZE), so write()
// stores what fits and then fails with EFBIG. That is a disk filling up mid-save,
// without a test hook in the code under test and without needing a non-root user
// (root ignores a read-only directory, but not its own resource limits).
#pragma once
#include <csignal>
#include <stdexcept>
#include <sys/resource.h>

namespace tn::test {

class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        if (::getrlimit(RLIMIT_FSIZE, &saved_) != 0) throw std::runtime_error("getrlimit failed");
        // Past the limit the kernel also sends SIGXFSZ, which would kill the test.
        saved_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit lowered = saved_;
        lowered.rlim_cur = bytes;
        if (::setrlimit(RLIMIT_FSIZE, &lowered) != 0) throw std::runtime_error("setrlimit failed");
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, saved_handler_);
    }

private:
    rlimit saved_{};
    void (*saved_handler_)(int) = nullptr;
};

}  // namespace tn::test
