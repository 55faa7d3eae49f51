// Deterministic random numbers. std:: distributions differ between libstdc++ and
// libc++, so typenet draws its own: one seed gives the same weights, shuffles and
// dropout masks on every compiler (design decision 9).
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace tn {

struct Seed {
    std::uint64_t value = 0;
};

// Everything a generator remembers, so a checkpoint can resume its stream exactly:
// the four xoshiro words and the second Box-Muller value not yet handed out.
struct RngState {
    std::array<std::uint64_t, 4> words{};
    float spare = 0;
    bool has_spare = false;
    friend bool operator==(const RngState&, const RngState&) = default;
};

// xoshiro256** seeded through splitmix64 (Blackman & Vigna).
class Rng {
public:
    explicit Rng(Seed seed = {}) { reseed(seed); }

    void reseed(Seed seed) {
        std::uint64_t x = seed.value;
        for (auto& s : state_) s = splitmix64(x);
        has_spare_ = false;
    }

    std::uint64_t next_u64() {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    // Uniform in [0, 1), 24 random bits: every value is exactly representable.
    float uniform() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }
    float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

    // Uniform integer in [0, n), without modulo bias (Lemire's method).
    std::uint64_t below(std::uint64_t n) {
        __extension__ using u128 = unsigned __int128;  // __extension__: a GNU type, on purpose
        u128 m = static_cast<u128>(next_u64()) * n;
        auto low = static_cast<std::uint64_t>(m);
        if (low < n) {
            const std::uint64_t threshold = -n % n;
            while (low < threshold) {
                m = static_cast<u128>(next_u64()) * n;
                low = static_cast<std::uint64_t>(m);
            }
        }
        return static_cast<std::uint64_t>(m >> 64);
    }

    // Standard normal by Box-Muller, computed in double so the result does not
    // depend on the float libm.
    float normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u1 = (static_cast<double>(next_u64() >> 11) + 1.0) * 0x1.0p-53;  // (0, 1]
        double u2 = static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
        double r = std::sqrt(-2.0 * std::log(u1));
        double a = 2.0 * std::numbers::pi * u2;
        spare_ = static_cast<float>(r * std::sin(a));
        has_spare_ = true;
        return static_cast<float>(r * std::cos(a));
    }
    float normal(float mean, float stddev) { return mean + stddev * normal(); }

    // A fresh generator for a sub-task (a layer's init, an epoch's shuffle), so
    // adding draws in one place does not shift every draw after it.
    Rng split() { return Rng{Seed{next_u64()}}; }

    RngState state() const { return {{state_[0], state_[1], state_[2], state_[3]}, spare_, has_spare_}; }
    void set_state(const RngState& s) {
        for (std::size_t i = 0; i < 4; ++i) state_[i] = s.words[i];
        spare_ = s.spare;
        has_spare_ = s.has_spare;
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    static std::uint64_t splitmix64(std::uint64_t& x) {
        std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    std::uint64_t state_[4]{};
    float spare_ = 0;
    bool has_spare_ = false;
};

}  // namespace tn
