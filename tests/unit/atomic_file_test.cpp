// AtomicFile (io/atomic_file.hpp): each save has a temporary of its own, so threads
// saving to one path all succeed; a killed process's temporary is removed by the
// next save; the target keeps its permissions, and a symbolic link stays a link.
#include <doctest/doctest.h>

#include "support/scratch.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <typenet/io/atomic_file.hpp>
#include <typenet/io/safetensors.hpp>

using namespace tn;
namespace st = tn::io::safetensors;
namespace fs = std::filesystem;

namespace {
fs::path fresh_dir(const std::string& name) { return support::scratch_dir("atomic-file", name); }
std::vector<std::string> temporaries_in(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& f : fs::directory_iterator(dir))
        if (f.path().filename().string().find(".tmp.") != std::string::npos) out.push_back(f.path().filename());
    return out;
}
void write_text(const fs::path& p, const std::string& text) {
    io::AtomicFile out(p);
    out.write(std::as_bytes(std::span(text)));
    out.commit();
}
std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
// A pid that no process has: a child's, after it has exited and been reaped.
::pid_t dead_pid() {
    const ::pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    REQUIRE(child > 0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}
}  // namespace

TEST_CASE("atomic file: two threads saving to one path 50 times each all succeed, and the file always loads") {
    const fs::path dir = fresh_dir("threads");
    const fs::path p = dir / "model.safetensors";
    std::atomic<int> failures{0}, bad_loads{0};
    auto saver = [&](float value) {
        const std::vector<float> values(4096, value);
        for (int i = 0; i < 50; ++i) {
            try {
                st::write(p, {st::view("w", {values.size()}, std::span(values))});
                const auto back = st::read(p).at("w").to_floats();  // this thread's save, or the other's
                if (back.size() != values.size() || (back[0] != 1.f && back[0] != 2.f) || back.back() != back[0])
                    ++bad_loads;
            } catch (const std::exception& e) {
                MESSAGE(e.what());
                ++failures;
            }
        }
    };
    std::thread a(saver, 1.f), b(saver, 2.f);
    a.join();
    b.join();
    CHECK(failures == 0);
    CHECK(bad_loads == 0);
    CHECK(temporaries_in(dir).empty());
}

TEST_CASE("atomic file: the temporary is .<name>.tmp.<pid>.XXXXXX next to the target, and a failed save removes it") {
    const fs::path dir = fresh_dir("name");
    const fs::path p = dir / "m.safetensors";
    {
        io::AtomicFile out(p);
        const std::string name = out.temporary_path().filename().string();
        const std::string prefix = ".m.safetensors.tmp." + std::to_string(::getpid()) + ".";
        CHECK(name.starts_with(prefix));
        CHECK(name.size() == prefix.size() + 6);
        CHECK(out.temporary_path().parent_path() == dir);
        CHECK(fs::exists(out.temporary_path()));
    }  // not committed
    CHECK(temporaries_in(dir).empty());
    CHECK_FALSE(fs::exists(p));
}

TEST_CASE("atomic file: a save removes the temporaries of dead processes next to its target, not of live ones") {
    const fs::path dir = fresh_dir("stale");
    const fs::path p = dir / "model.safetensors";
    const std::string dead = ".model.safetensors.tmp." + std::to_string(dead_pid()) + ".aB3xYz";
    const std::string live = ".model.safetensors.tmp." + std::to_string(::getppid()) + ".Qw12er";
    const std::string other = ".other.safetensors.tmp." + std::to_string(dead_pid()) + ".aB3xYz";
    const std::string unrelated = "model.safetensors.tmp.notes";
    for (const auto& name : {dead, live, other, unrelated}) std::ofstream(dir / name) << "half a checkpoint";

    write_text(p, "new");
    CHECK(read_text(p) == "new");
    CHECK_FALSE(fs::exists(dir / dead));
    CHECK(fs::exists(dir / live));       // its process is running: it may be saving right now
    CHECK(fs::exists(dir / other));      // another target's
    CHECK(fs::exists(dir / unrelated));  // not a name AtomicFile makes
}

TEST_CASE("atomic file: the target keeps its permission bits") {
    const fs::path dir = fresh_dir("mode");
    const fs::path p = dir / "secret.safetensors";
    write_text(p, "one");
    fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
    write_text(p, "two");
    CHECK(read_text(p) == "two");
    CHECK(fs::status(p).permissions() == (fs::perms::owner_read | fs::perms::owner_write));

    fs::permissions(p, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
    write_text(p, "three");
    CHECK(fs::status(p).permissions() == (fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read));
}

TEST_CASE("atomic file: saving through a symbolic link replaces the file it points to and keeps the link") {
    const fs::path dir = fresh_dir("link");
    fs::create_directories(dir / "runs");
    const fs::path real = dir / "runs" / "epoch-0003.safetensors";
    write_text(real, "old");
    const fs::path link = dir / "latest.safetensors";
    fs::create_symlink("runs/epoch-0003.safetensors", link);  // relative, as `ln -s` makes them

    write_text(link, "new");
    CHECK(fs::is_symlink(link));
    CHECK(fs::read_symlink(link) == "runs/epoch-0003.safetensors");
    CHECK(read_text(real) == "new");
    CHECK(temporaries_in(dir).empty());
    CHECK(temporaries_in(dir / "runs").empty());

    SUBCASE("a link to a file that does not exist yet creates it") {
        const fs::path dangling = dir / "next.safetensors";
        fs::create_symlink(dir / "runs" / "epoch-0004.safetensors", dangling);
        write_text(dangling, "four");
        CHECK(fs::is_symlink(dangling));
        CHECK(read_text(dir / "runs" / "epoch-0004.safetensors") == "four");
    }
    SUBCASE("a loop of links is an error naming the path") {
        fs::create_symlink(dir / "b", dir / "a");
        fs::create_symlink(dir / "a", dir / "b");
        CHECK_THROWS_WITH_AS(write_text(dir / "a", "x"), doctest::Contains("cannot follow its symbolic links"),
                             fs::filesystem_error);
    }
}
