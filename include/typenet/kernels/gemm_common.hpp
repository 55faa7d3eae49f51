// What the GEMM's parts share: the register block (mr x nr), the cache blocks, the per-thread
// packing buffers, and two small helpers.
#pragma once
#include <cstddef>
#include <type_traits>
#include <utility>

#include "typenet/core/aligned_buffer.hpp"
#include "typenet/kernels/simd.hpp"

namespace tn::kernels::detail {

// The register block: nr = nv vectors of columns, mr rows, so that mr*nv
// accumulators + nv vectors of B + 1 broadcast of A fill the vector registers
// (AVX2: 16 ymm, 4x24 = 12 + 3 + 1; AVX-512: 32 zmm, 14x32 = 28 + 2 + 1; SSE2:
// 16 xmm, 6x8).
// TYPENET_GEMM_NR_VECTORS and TYPENET_GEMM_MR override the shape, for measuring
// others (any mr x nv with mr * nv + nv + 1 <= the registers; nr must stay a
// multiple of 8 for the convolution's transposed panels).
inline constexpr std::size_t gemm_vector_registers = simd::width >= 16 ? 32 : 16;
// AVX2 (8 floats, 16 registers) takes 4 x 24 (three vectors of columns): measured on
// LeNet-5 and VGG-small training 5-7% faster than 6 x 16 on one thread, GEMMs alone
// within noise of it (docs/performance.md, "AVX2"); 8 x 8 was slower. LeNet's second
// convolution has 16 filters, 4 panels of 4 rows where 6 x 16 cut it 6 + 5 + 5.
#ifdef TYPENET_GEMM_NR_VECTORS
inline constexpr std::size_t gemm_nr = TYPENET_GEMM_NR_VECTORS * simd::width;
#else
inline constexpr std::size_t gemm_nr = (simd::width == 8 ? 3 : 2) * simd::width;
#endif
#ifdef TYPENET_GEMM_MR
inline constexpr std::size_t gemm_mr = TYPENET_GEMM_MR;
#else
inline constexpr std::size_t gemm_mr = (gemm_vector_registers - 1 - gemm_nr / simd::width) / (gemm_nr / simd::width);
#endif

// Cache blocks for Zen 3 (32 KiB L1d, 512 KiB L2 per core, 32 MiB shared L3):
// a B micro-panel (kc x nr = 256 x 16 floats, 16 KiB; 24 KiB at AVX2's 4x24,
// measured only on a 48 KiB L1d) stays in L1 while the A
// micro-panels stream through it from L2; the A block (mc x kc, 144 KiB) sits in
// L2 beside the B micro-panels it meets; the B panel (kc x nc, up to 4 MiB) in L3.
// The actual kc and mc are evened out over K and M (784 = 4 x 196, not
// 3 x 256 + 16), which only depends on K and M, so thread counts agree.
// (BLIS's Zen configuration uses the same 6x16, 144, 256; other values within 2x
// of these measured no better here.)
#ifdef TYPENET_GEMM_KC
inline constexpr std::size_t gemm_kc = TYPENET_GEMM_KC;
#else
inline constexpr std::size_t gemm_kc = 256;
#endif
inline constexpr std::size_t gemm_mc = 24 * gemm_mr;
inline constexpr std::size_t gemm_nc = 256 * gemm_nr;

constexpr std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }
constexpr std::size_t round_up(std::size_t a, std::size_t b) { return ceil_div(a, b) * b; }

// Calls f(integral_constant<0>) ... f(integral_constant<N-1>): a loop the compiler
// must unroll, so that the accumulators stay in registers.
template <std::size_t... I, class F>
[[gnu::always_inline]] inline void unrolled(std::index_sequence<I...>, F&& f) {
    (f(std::integral_constant<std::size_t, I>{}), ...);
}
template <std::size_t N, class F>
[[gnu::always_inline]] inline void unrolled(F&& f) {
    unrolled(std::make_index_sequence<N>{}, f);
}

// The packing buffers of one thread. They only grow, so once the largest shape
// has run nothing is allocated (OpenMP's worker threads persist, and so do theirs).
struct GemmWorkspace {
    AlignedBuffer a;
    AlignedBuffer b;
};
inline GemmWorkspace& gemm_workspace() {
    thread_local GemmWorkspace workspace;
    return workspace;
}

}  // namespace tn::kernels::detail

namespace tn::kernels {

// B given by a function that writes its micro-panels, the form the micro-kernel
// reads (gemm_pack.hpp): panels(dst, k0, kc, j0, cols) writes rows k0 .. k0+kc-1
// and columns j0 .. j0+cols-1 of B (cols <= panel_width) into dst, k-major, row k
// at dst + (k - k0) * panel_width, and zeroes the columns past `cols`. It must only
// write dst (threads call it at once for different panels).
//
// Behind one concrete type, like EpilogueRef: the GEMM is compiled once for any
// source, at the price of one indirect call per micro-panel.
class BPanelsRef {
public:
    static constexpr std::size_t panel_width = detail::gemm_nr;
    template <class Panels>
    explicit BPanelsRef(const Panels& panels)
        : self_(&panels),
          call_([](const void* self, float* dst, std::size_t k0, std::size_t kc, std::size_t j0, std::size_t cols) {
              (*static_cast<const Panels*>(self))(dst, k0, kc, j0, cols);
          }) {}
    // Panels that are already packed (PackedB): the kernel reads them where they are.
    // Panel j (columns j*nr ...) is K x nr floats, k-major, at resident + j * K * nr.
    BPanelsRef(const float* resident, std::size_t K) : resident_(resident), resident_k_(K) {}
    void operator()(float* dst, std::size_t k0, std::size_t kc, std::size_t j0, std::size_t cols) const {
        call_(self_, dst, k0, kc, j0, cols);
    }
    // Rows k0... of the resident panel holding column j0 (a multiple of nr), or null
    // when the panels are written on demand.
    const float* resident(std::size_t k0, std::size_t j0) const {
        return resident_ ? resident_ + (j0 / panel_width) * resident_k_ * panel_width + k0 * panel_width : nullptr;
    }

private:
    const void* self_ = nullptr;
    void (*call_)(const void*, float*, std::size_t, std::size_t, std::size_t, std::size_t) = nullptr;
    const float* resident_ = nullptr;
    std::size_t resident_k_ = 0;
};

}  // namespace tn::kernels
