// AtomicFile: replaces a file all at once or not at all, so that a crash, a full
// disk or an exception half-way through a save never leaves a truncated checkpoint
// where a good one was. The bytes go to `<path>.tmp-<pid>` in the same directory
// (rename is atomic only within one file system); commit() flushes them to the disk
// (fsync) and renames the temporary over the target; without commit(), the
// destructor removes the temporary and the old file is untouched.
//
//   io::AtomicFile out("model.safetensors");
//   out.write(header);
//   out.write(data);
//   out.commit();
//
// POSIX (open/write/fsync/rename): std::ofstream cannot fsync.
#pragma once
#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace tn::io {

class AtomicFile {
public:
    explicit AtomicFile(std::filesystem::path target)
        : target_(std::move(target)),
          temporary_(target_.string() + ".tmp-" + std::to_string(::getpid())) {
        fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            const int error = errno;
            fail("cannot create a temporary file next to it", error);
        }
    }
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile() { abandon(); }

    void write(std::span<const std::byte> bytes) {
        const std::byte* p = bytes.data();
        std::size_t left = bytes.size();
        while (left > 0) {
            const ::ssize_t n = ::write(fd_, p, left);
            if (n < 0) {
                const int error = errno;
                if (error == EINTR) continue;
                fail_and_abandon("cannot write", error);
            }
            p += n;
            left -= std::size_t(n);
        }
    }

    // Makes the new contents durable, then visible under the target's name.
    void commit() {
        if (::fsync(fd_) != 0) {
            const int error = errno;
            fail_and_abandon("cannot flush to disk", error);
        }
        if (::close(std::exchange(fd_, -1)) != 0) {
            const int error = errno;
            fail_and_abandon("cannot close", error);
        }
        std::error_code ec;
        std::filesystem::rename(temporary_, target_, ec);
        if (ec) fail_and_abandon("cannot rename the temporary file over it", ec.value());
        committed_ = true;
        sync_directory();
    }

    const std::filesystem::path& temporary_path() const { return temporary_; }

private:
    [[noreturn]] void fail(const std::string& what, int error) const {
        throw std::filesystem::filesystem_error(target_.string() + ": " + what, temporary_,
                                                std::error_code(error, std::generic_category()));
    }
    [[noreturn]] void fail_and_abandon(const std::string& what, int error) {
        abandon();
        fail(what, error);
    }
    void abandon() noexcept {
        if (fd_ >= 0) ::close(std::exchange(fd_, -1));
        if (!committed_) {
            std::error_code ignored;
            std::filesystem::remove(temporary_, ignored);
        }
    }
    // The rename itself lives in the directory; without this a power cut right after
    // commit() could still bring the old name back. Best effort: not every file
    // system lets a directory be synced.
    void sync_directory() const noexcept {
        const std::filesystem::path dir = target_.has_parent_path() ? target_.parent_path() : ".";
        const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            (void)::fsync(fd);
            ::close(fd);
        }
    }

    std::filesystem::path target_, temporary_;
    int fd_ = -1;
    bool committed_ = false;
};

}  // namespace tn::io
