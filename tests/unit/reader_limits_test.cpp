// What a hostile or broken file costs the readers: the safetensors reader checks the
// size and the 8-byte length before it reads anything else (a 1 TB sparse file fails
// at once, naming itself), a gzipped IDX file is inflated no further than its header
// promises (a gzip bomb costs nothing), filesystem errors come back as the reader's
// own error naming the path, and load_latest_checkpoint checks both files before it
// changes the model or the optimizer.
#include <doctest/doctest.h>

#include "support/scratch.hpp"

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <typenet/core/sequential.hpp>
#include <typenet/image/io.hpp>
#include <typenet/io/csv.hpp>
#include <typenet/io/idx.hpp>
#include <typenet/io/safetensors.hpp>
#include <typenet/layers/activations.hpp>
#include <typenet/layers/dense.hpp>
#include <typenet/optim/adam.hpp>
#include <typenet/optim/momentum.hpp>
#include <typenet/train/checkpoint_every.hpp>

using namespace tn;
namespace st = tn::io::safetensors;
namespace fs = std::filesystem;

namespace {
fs::path fresh_dir(const std::string& name) { return support::scratch_dir("reader-limits", name); }

// How much the peak resident memory grows (KiB) while `f` runs, measured in a child
// process so that the test program's own peak does not hide it (whatever `f` throws
// is ignored: the reader is expected to refuse the file).
template <class F>
long peak_rss_growth_kib(F&& f) {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const ::pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(pipe_fds[0]);
        ::rusage before{}, after{};
        ::getrusage(RUSAGE_SELF, &before);
        try {
            f();
        } catch (...) {
        }
        ::getrusage(RUSAGE_SELF, &after);
        const long growth = after.ru_maxrss - before.ru_maxrss;
        (void)!::write(pipe_fds[1], &growth, sizeof growth);
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    long growth = -1;
    (void)!::read(pipe_fds[0], &growth, sizeof growth);
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    return growth;
}

std::string idx_error(const fs::path& p) {
    try {
        io::read_idx(p);
    } catch (const io::IdxError& e) {
        return e.what();
    }
    return "no error";
}

std::string safetensors_error(const fs::path& p) {
    try {
        st::read(p);
    } catch (const io::FormatError& e) {
        CHECK(e.source == p.string());
        return e.what();
    }
    return "no error";
}

// A file of `size` bytes, sparse (no block written) but for `head` at its start.
void sparse_file(const fs::path& p, std::uintmax_t size, const std::vector<std::byte>& head = {}) {
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(head.data()), std::streamsize(head.size()));
    fs::resize_file(p, size);
}

std::vector<std::byte> length_and_header(const std::string& header) {
    std::vector<std::byte> b(8);
    const std::uint64_t n = header.size();
    std::memcpy(b.data(), &n, 8);
    for (char c : header) b.push_back(std::byte(c));
    return b;
}

// Whether a terabyte allocation fails at once with std::bad_alloc: Linux's default
// overcommit refuses one larger than RAM + swap; AddressSanitizer would instead
// abort the program (its allocator does not return null unless told to).
bool huge_allocation_throws() {
#if defined(__SANITIZE_ADDRESS__)
    return false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return false;
#endif
#endif
    std::ifstream in("/proc/sys/vm/overcommit_memory");
    int mode = -1;
    in >> mode;
    return mode == 0 || mode == 2;
}
}  // namespace

TEST_CASE("safetensors: a 1 TB sparse file fails at once with a FormatError naming it") {
    const fs::path dir = fresh_dir("sparse");
    const fs::path p = dir / "huge.safetensors";
    sparse_file(p, std::uintmax_t(1) << 40);  // all zeros: a header length of 0
    const auto start = std::chrono::steady_clock::now();
    CHECK(safetensors_error(p).starts_with(p.string() + ": the header is not valid JSON: "));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));

    sparse_file(p, std::uintmax_t(1) << 40, std::vector<std::byte>(8, std::byte{0xFF}));
    CHECK(safetensors_error(p) ==
          p.string() + ": the header length 18446744073709551615 is implausible (more than 100 MB): not a safetensors "
                       "file, or corrupt");

    if (huge_allocation_throws()) {
        SUBCASE("a valid header whose one tensor tiles the terabyte: too large to allocate, said with the file") {
            const std::uint64_t data = (std::uint64_t(1) << 40) - 8 - 96;
            std::string header = R"({"w":{"dtype":"U8","shape":[)" + std::to_string(data) +
                                 R"(],"data_offsets":[0,)" + std::to_string(data) + "]}}";
            header.resize(96, ' ');
            sparse_file(p, std::uintmax_t(1) << 40, length_and_header(header));
            CHECK(safetensors_error(p) == p.string() + ": tensor 'w' holds " + std::to_string(data) +
                                              " bytes, more than this process can allocate");
        }
    }
}

TEST_CASE("safetensors: a corrupt length is found before the file is read, so a large file costs no memory") {
    const fs::path p = fresh_dir("no-read") / "big.safetensors";
    sparse_file(p, std::uintmax_t(512) << 20, std::vector<std::byte>(8, std::byte{0xFF}));  // 512 MiB
    const long growth = peak_rss_growth_kib([&] { st::read(p); });
    CHECK(growth >= 0);
    CHECK(growth < 64 * 1024);  // reading it whole would take 512 MiB
}

TEST_CASE("safetensors: the header and each tensor are read where they are, and the round trip still holds") {
    const fs::path p = fresh_dir("round-trip") / "m.safetensors";
    const std::vector<float> w{1, 2, 3, 4, 5, 6};
    const std::vector<std::int64_t> steps{42};
    st::write(p, {st::view("w", {2, 3}, std::span(w)), st::view("steps", {}, std::span(steps))}, {{"format", "pt"}});
    const auto file = st::read(p);
    CHECK(file.metadata.at("format") == "pt");
    CHECK(file.at("w").to_floats() == w);
    CHECK(file.at("steps").to_int64s() == steps);

    // Cut short after the header: the tiling check says so before any tensor is read.
    const auto size = fs::file_size(p);
    fs::resize_file(p, size - 4);
    CHECK(safetensors_error(p).find("run past the end of the data") != std::string::npos);
}

TEST_CASE("readers: filesystem errors are the reader's own error, naming the path; no FIFO blocks them") {
    const fs::path dir = fresh_dir("fs-errors");
    const fs::path too_long = dir / (std::string(300, 'a') + ".safetensors");  // ENAMETOOLONG, even for root
    CHECK(safetensors_error(too_long) == too_long.string() + ": cannot be opened: File name too long");
    CHECK(idx_error(too_long) == too_long.string() + ": cannot open (File name too long)");
    CHECK(safetensors_error(dir) == dir.string() + ": is not a regular file");
    CHECK(safetensors_error(dir / "missing") == (dir / "missing").string() + ": no such file");

    const fs::path fifo = dir / "pipe";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(safetensors_error(fifo) == fifo.string() + ": is not a regular file");
    CHECK(idx_error(fifo) == fifo.string() + ": is not a regular file");
    CHECK_THROWS_WITH_AS(io::read_csv(fifo), doctest::Contains("pipe: is not a regular file"), io::CsvError);
    CHECK_THROWS_WITH_AS(image::read_image(fifo), doctest::Contains("pipe: not a regular file"), image::ImageError);
}

namespace {
// Writes a gzipped IDX file: the header for `dims`, then `values` bytes of zeros,
// deflated a MiB at a time (a gzip bomb when values far exceed the dimensions).
void gzip_idx(const fs::path& p, std::vector<std::uint32_t> dims, std::size_t values) {
    gzFile f = gzopen(p.c_str(), "wb9");
    REQUIRE(f);
    std::vector<std::uint8_t> head{0, 0, 8, std::uint8_t(dims.size())};
    for (auto d : dims)
        for (int s = 24; s >= 0; s -= 8) head.push_back(std::uint8_t(d >> s));
    gzwrite(f, head.data(), unsigned(head.size()));
    const std::vector<std::uint8_t> zeros(1 << 20);
    for (std::size_t left = values; left > 0;) {
        const std::size_t n = std::min(left, zeros.size());
        gzwrite(f, zeros.data(), unsigned(n));
        left -= n;
    }
    gzclose(f);
}
}  // namespace

TEST_CASE("IDX: a gzip bomb is inflated only as far as the header promises") {
    const fs::path dir = fresh_dir("gzip");
    const fs::path bomb = dir / "bomb-idx3-ubyte.gz";
    gzip_idx(bomb, {10, 28, 28}, std::size_t(256) << 20);  // 256 MiB of zeros behind a header for 7,840 values
    CHECK(fs::file_size(bomb) < 1 << 20);
    CHECK(idx_error(bomb) == bomb.string() + ": the header promises 7840 values, the file holds more (trailing bytes; "
                                             "reading stopped after the promised ones)");
    const long growth = peak_rss_growth_kib([&] { io::read_idx(bomb); });
    CHECK(growth >= 0);
    CHECK(growth < 64 * 1024);

    const fs::path exact = dir / "exact.gz";
    gzip_idx(exact, {10, 28, 28}, 7840);
    CHECK(io::read_idx(exact).values.size() == 7840);

    const fs::path short_data = dir / "short.gz";
    gzip_idx(short_data, {10, 28, 28}, 7000);
    CHECK(idx_error(short_data) ==
          short_data.string() + ": the header promises 7840 values, the file holds 7000 (truncated)");

    // A header promising a terabyte over a few bytes of data reserves nothing like it.
    const fs::path liar = dir / "liar.gz";
    gzip_idx(liar, {1 << 20, 1 << 20}, 100);
    const long liar_growth = peak_rss_growth_kib([&] { io::read_idx(liar); });
    CHECK(liar_growth >= 0);
    CHECK(liar_growth < 64 * 1024);
    CHECK(idx_error(liar) == liar.string() + ": the header promises 1099511627776 values, the file holds 100 (truncated)");
}

namespace {
using Net = Sequential<Input<3>, Dense<4>, ReLU, Dense<2>>;

std::vector<float> copy_of(std::span<const float> s) { return {s.begin(), s.end()}; }

// A checkpoint of epoch 2 in `dir`, from a model and an Adam that have stepped.
void save_epoch_2(const fs::path& dir) {
    Model<Net> model{Seed{1}};
    Adam adam{{.lr = 0.01f}};
    std::vector<float> grads(Model<Net>::param_count, 0.1f);
    adam.step(model.parameters(), grads);
    TrainingPosition at;
    at.epoch = 2;
    at.learning_rate = 0.01f;
    const auto paths = checkpoint_paths(dir, 2);
    save_model(paths.model, model);
    save_training_state(paths.state, adam, at);
}
}  // namespace

TEST_CASE("load_latest_checkpoint checks both files before it changes the model or the optimizer") {
    const fs::path dir = fresh_dir("latest");
    save_epoch_2(dir);
    const auto paths = checkpoint_paths(dir, 2);
    Model<Net> model{Seed{7}};
    const auto before = copy_of(model.parameters());

    SUBCASE("a state file of another optimizer") {
        Momentum momentum{{.lr = 0.1f}};
        TrainingPosition at;
        at.epoch = 2;
        save_training_state(paths.state, momentum, at);
        Adam adam;
        const std::string expected = paths.state.string() + ": the state is Momentum's, but the optimizer is Adam";
        CHECK_THROWS_WITH_AS(load_latest_checkpoint(dir, model, adam), expected.c_str(), CheckpointError);
        CHECK(adam.state.steps == 0);
    }
    SUBCASE("a state file that is not safetensors") {
        std::ofstream(paths.state, std::ios::binary) << "not a checkpoint";
        Adam adam;
        CHECK_THROWS_AS(load_latest_checkpoint(dir, model, adam), io::FormatError);
    }
    SUBCASE("a state file whose epoch is not its name's") {
        fs::rename(paths.state, checkpoint_paths(dir, 3).state);
        fs::copy_file(paths.model, checkpoint_paths(dir, 3).model);
        Adam adam;
        CHECK_THROWS_WITH_AS(load_latest_checkpoint(dir, model, adam), doctest::Contains("but its name says epoch 3"),
                             CheckpointError);
        CHECK(adam.state.steps == 0);
    }
    SUBCASE("a state file with a NaN learning rate") {
        auto file = st::read(paths.state);
        std::vector<st::TensorView> views;
        const float nan_rate = std::numeric_limits<float>::quiet_NaN();
        for (const auto& t : file.tensors)
            views.push_back({t.name, t.dtype, t.shape,
                             t.name == "optimizer.learning_rate" ? std::as_bytes(std::span(&nan_rate, 1))
                                                                 : std::span<const std::byte>(t.bytes)});
        st::write(paths.state, views, file.metadata);
        Adam adam;
        const std::string expected = paths.state.string() +
                                     ": optimizer.learning_rate: Adam: the learning rate must be a finite number of "
                                     "at least 0, got nan";
        CHECK_THROWS_WITH_AS(load_latest_checkpoint(dir, model, adam), expected.c_str(), CheckpointError);
        CHECK(adam.state.steps == 0);
        CHECK(adam.learning_rate() == Adam{}.learning_rate());
    }
    CHECK(copy_of(model.parameters()) == before);  // the model file was good, but nothing was loaded
}

TEST_CASE("load_latest_checkpoint still restores a good checkpoint") {
    const fs::path dir = fresh_dir("latest-good");
    save_epoch_2(dir);
    Model<Net> model{Seed{7}}, saved{Seed{1}};
    Adam adam;
    const auto at = load_latest_checkpoint(dir, model, adam);
    REQUIRE(at.has_value());
    CHECK(at->epoch == 2);
    CHECK(adam.state.steps == 1);
    CHECK(adam.learning_rate() == 0.01f);
    CHECK(copy_of(model.parameters()) != copy_of(saved.parameters()));  // saved stepped once after Seed{1}
    Model<Net> reference{Seed{1}};
    Adam reference_adam{{.lr = 0.01f}};
    std::vector<float> grads(Model<Net>::param_count, 0.1f);
    reference_adam.step(reference.parameters(), grads);
    CHECK(copy_of(model.parameters()) == copy_of(reference.parameters()));
}
