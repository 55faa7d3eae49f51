// 64-byte aligned heap storage for the parameter, gradient and activation arenas
// (design decision 2: xtensor_fixed lives on the stack and overflows it).
#pragma once
#include <cstddef>
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
        : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
    AlignedBuffer& operator=(AlignedBuffer other) noexcept {
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
        return *this;
    }
    ~AlignedBuffer() { std::free(data_); }

    // Discards the contents when it grows; never shrinks, so a buffer sized once
    // for the largest batch is reused without allocating.
    void resize(std::size_t floats) {
        if (floats <= size_) return;
        std::free(data_);
        data_ = nullptr;
        size_ = 0;
        const std::size_t bytes = (floats * sizeof(float) + arena_alignment - 1) / arena_alignment * arena_alignment;
        data_ = static_cast<float*>(std::aligned_alloc(arena_alignment, bytes));
        if (!data_) throw std::bad_alloc{};
        size_ = floats;
        std::memset(data_, 0, bytes);
    }

    float* data() { return data_; }
    const float* data() const { return data_; }
    std::size_t size() const { return size_; }
    std::span<float> span() { return {data_, size_}; }
    std::span<const float> span() const { return {data_, size_}; }

private:
    float* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace tn
