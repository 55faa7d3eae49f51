// 64-byte aligned heap storage for the parameter, gradient and activation arenas
// (design decision 2: xtensor_fixed lives on the stack and overflows it).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <span>
#include <utility>

namespace tn {

inline constexpr std::size_t arena_alignment = 64;

class AlignedBuffer {
public:
    AlignedBuffer() = default;
    explicit AlignedBuffer(std::size_t floats) { resize(floats); }
    AlignedBuffer(const AlignedBuffer& other) : AlignedBuffer(other.size_) {
        if (size_) std::memcpy(data_, other.data_, size_ * sizeof(float));
    }
    AlignedBuffer(AlignedBuffer&& other) noexcept
        : raw_(std::exchange(other.raw_, nullptr)),
          data_(std::exchange(other.data_, nullptr)),
          size_(std::exchange(other.size_, 0)) {}
    AlignedBuffer& operator=(AlignedBuffer other) noexcept {
        std::swap(raw_, other.raw_);
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
        return *this;
    }
    ~AlignedBuffer() { std::free(raw_); }

    // Discards the contents when it grows; never shrinks, so a buffer sized once
    // for the largest batch is reused without allocating. The new contents are zero.
    //
    // calloc, not aligned_alloc + memset: zero either way, but a large calloc is fresh
    // pages from the kernel that take no memory until first written. An arena is
    // sized for training, and a program that only runs inference never writes the
    // gradients nor the caches and buffers backward alone reads (GPT-2 small at
    // context 1024: 475 MiB of gradients, 576 MiB of attention probabilities, 1.5 GiB
    // in all), so they cost address space, not memory. calloc aligns to 16 bytes
    // only: the block is 64 bytes longer and data_ the first 64-byte boundary in it.
    void resize(std::size_t floats) {
        if (floats <= size_) return;
        std::free(raw_);
        raw_ = nullptr;
        data_ = nullptr;
        size_ = 0;
        const std::size_t bytes = (floats * sizeof(float) + arena_alignment - 1) / arena_alignment * arena_alignment;
        raw_ = std::calloc(bytes + arena_alignment, 1);
        if (!raw_) throw std::bad_alloc{};
        const auto address = reinterpret_cast<std::uintptr_t>(raw_);
        data_ = reinterpret_cast<float*>((address + arena_alignment - 1) / arena_alignment * arena_alignment);
        size_ = floats;
    }

    float* data() { return data_; }
    const float* data() const { return data_; }
    std::size_t size() const { return size_; }
    std::span<float> span() { return {data_, size_}; }
    std::span<const float> span() const { return {data_, size_}; }

private:
    void* raw_ = nullptr;  // what calloc returned, for free
    float* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace tn
