// AtomicFile: replaces a file all at once or not at all, so that a crash, a full
// disk or an exception half-way through a save never leaves a truncated checkpoint
// where a good one was.
//
//   io::AtomicFile out("model.safetensors");
//   out.write(header);
//   out.write(data);
//   out.commit();
//
// The bytes go to a temporary file `.<name>.tmp.<pid>.<6 random characters>` in the
// target's directory (rename is atomic only within one file system), created with
// O_EXCL as mkstemp does, so two threads or processes saving to one path never share
// one; commit() flushes it to the disk (fsync), gives it the target's permission
// bits when the target exists (else 0644 less the umask, as a new file gets),
// renames it over the target and syncs the directory; without commit(), the
// destructor removes it and the old file is untouched. When the target is a
// symbolic link, the file it points to is replaced and the link stays a link.
// A process killed during a save cannot remove its temporary: the next save to the
// same target removes those whose process is gone (kill(pid, 0) fails with ESRCH),
// and never another live process's.
//
// POSIX (open/write/fsync/rename): std::ofstream cannot fsync.
#pragma once
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tn::io {

namespace detail {
// Follows symbolic links from `path` to the file they finally name (which need not
// exist yet); relative links count from the link's own directory. A loop, or more
// than 40 links (Linux's limit), is an error.
inline std::filesystem::path resolve_links(std::filesystem::path path, std::error_code& ec) {
    namespace fs = std::filesystem;
    ec.clear();
    for (int hops = 0; hops < 40; ++hops) {
        const fs::file_status status = fs::symlink_status(path, ec);
        if (ec) {
            if (ec == std::errc::no_such_file_or_directory) ec.clear();
            return path;  // nothing there yet (or unreadable: open will say)
        }
        if (!fs::is_symlink(status)) return path;
        fs::path next = fs::read_symlink(path, ec);
        if (ec) return path;
        path = next.is_absolute() ? next : path.parent_path() / next;
    }
    ec = std::make_error_code(std::errc::too_many_symbolic_link_levels);
    return path;
}

// The prefix of every temporary file for `target`, `.<name>.tmp.`, then the pid.
inline std::string temporary_prefix(const std::filesystem::path& target) {
    // Appended, not `"." + std::string&&`: that trips g++ 12's bogus -Wrestrict (GCC bug 105329).
    std::string prefix = ".";
    prefix.append(target.filename().string()).append(".tmp.");
    return prefix;
}

// Removes `.<name>.tmp.<pid>.XXXXXX` files next to `target` whose process is gone.
// Best effort: whatever cannot be listed or removed is left.
inline void remove_stale_temporaries(const std::filesystem::path& target) noexcept {
    namespace fs = std::filesystem;
    try {
        const std::string prefix = temporary_prefix(target);
        const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
        std::error_code ec;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
            const std::string name = it->path().filename().string();
            if (name.size() < prefix.size() + 8 || name.compare(0, prefix.size(), prefix) != 0) continue;
            const std::string_view rest = std::string_view(name).substr(prefix.size());  // <pid>.XXXXXX
            const std::size_t dot = rest.find('.');
            if (dot == std::string_view::npos || rest.size() - dot - 1 != 6) continue;
            long pid = 0;
            const auto [last, error] = std::from_chars(rest.data(), rest.data() + dot, pid);
            if (error != std::errc{} || last != rest.data() + dot || pid <= 0) continue;
            if (::kill(::pid_t(pid), 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to judge
            std::error_code ignored;
            fs::remove(it->path(), ignored);
        }
    } catch (...) {  // allocation failure while listing: leave them
    }
}
}  // namespace detail

class AtomicFile {
public:
    explicit AtomicFile(std::filesystem::path target) : requested_(std::move(target)) {
        std::error_code ec;
        target_ = detail::resolve_links(requested_, ec);
        if (ec) fail("cannot follow its symbolic links", ec.value());
        detail::remove_stale_temporaries(target_);
        create_temporary();
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
        struct ::stat existing {};
        if (::stat(target_.c_str(), &existing) == 0 && ::fchmod(fd_, existing.st_mode & 07777) != 0) {
            const int error = errno;
            fail_and_abandon("cannot give the new file the old one's permissions", error);
        }
        if (::fsync(fd_) != 0) {
            const int error = errno;
            fail_and_abandon("cannot flush to disk", error);
        }
        if (::close(std::exchange(fd_, -1)) != 0) {
            const int error = errno;
            fail_and_abandon("cannot close", error);
        }
        if (::rename(temporary_.c_str(), target_.c_str()) != 0) {
            const int error = errno;
            fail_and_abandon("cannot rename the temporary file over it", error);
        }
        committed_ = true;
        sync_directory();
    }

    const std::filesystem::path& temporary_path() const { return temporary_; }
    // The file that commit() replaces: the target, or the file its links lead to.
    const std::filesystem::path& resolved_target() const { return target_; }

private:
    // `.<name>.tmp.<pid>.XXXXXX`, created exclusively (O_EXCL), with a new random
    // suffix on a collision, as mkstemp does; unlike mkstemp, the mode is 0644 less
    // the umask (mkstemp's 0600 would need the umask, which cannot be read without
    // changing it for every thread).
    void create_temporary() {
        static std::atomic<std::uint64_t> counter{0};
        static constexpr std::string_view letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        const std::filesystem::path dir = target_.parent_path();
        const std::string prefix = detail::temporary_prefix(target_) + std::to_string(::getpid()) + ".";
        std::uint64_t state =
            std::uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()) ^
            (std::uint64_t(std::hash<std::thread::id>{}(std::this_thread::get_id())) << 1) ^
            (counter.fetch_add(1, std::memory_order_relaxed) * 0x9E3779B97F4A7C15ull);
        int error = 0;
        for (int attempt = 0; attempt < 100; ++attempt) {
            std::string name = prefix;
            for (int i = 0; i < 6; ++i) {
                state = state * 6364136223846793005ull + 1442695040888963407ull;  // an LCG step: names, not secrets
                name += letters[(state >> 33) % letters.size()];
            }
            temporary_ = dir / name;
            fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            if (fd_ >= 0) return;
            error = errno;
            if (error != EEXIST) break;
        }
        fail("cannot create a temporary file next to it", error);
    }
    [[noreturn]] void fail(const std::string& what, int error) const {
        throw std::filesystem::filesystem_error(requested_.string() + ": " + what, temporary_,
                                                std::error_code(error, std::generic_category()));
    }
    [[noreturn]] void fail_and_abandon(const std::string& what, int error) {
        abandon();
        fail(what, error);
    }
    void abandon() noexcept {
        if (fd_ >= 0) ::close(std::exchange(fd_, -1));
        if (!committed_ && !temporary_.empty()) ::unlink(temporary_.c_str());
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

    std::filesystem::path requested_, target_, temporary_;
    int fd_ = -1;
    bool committed_ = false;
};

}  // namespace tn::io
