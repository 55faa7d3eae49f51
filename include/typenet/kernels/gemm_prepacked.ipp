// The bodies of PackedB and the pre-packed gemm (kernels/gemm.hpp): inline in a
// header-only build, compiled once into typenet::precompiled otherwise.
#pragma once
#include <algorithm>

#include "typenet/kernels/gemm.hpp"
#include "typenet/kernels/gemm_kernel.hpp"
namespace tn::kernels {

// Not TYPENET_INLINE: the declaration in the class is (beside [[gnu::noinline]]), and
// g++ warns at an `inline` definition that follows a noinline declaration.
void PackedB::pack(Transpose tb, std::size_t K, std::size_t N, const float* B, std::size_t ldb) {
    constexpr std::size_t nr = detail::gemm_nr;
    tb_ = tb, k_ = K, n_ = N, b_ = B, ldb_ = ldb;
    const std::size_t panels = detail::ceil_div(N, nr);
    panels_.resize(panels * K * nr);
    for (std::size_t j = 0; j < panels; ++j)
        detail::pack_b_panel(tb, B, ldb, 0, K, j * nr, std::min(nr, N - j * nr), panels_.data() + j * K * nr);
}

TYPENET_INLINE void gemm(Transpose ta, std::size_t M, const float* A, std::size_t lda, const PackedB& b, float beta,
                         float* C, std::size_t ldc) {
    const std::size_t N = b.cols(), K = b.rows();
    // The sizes for which gemm does not pack B: the same path, from B itself, so
    // the result is the one gemm gives.
    const bool packed_path = M > 0 && N > 0 && K > 0 && M * N * K > detail::gemm_small_work &&
                             M > (b.transposed() == Transpose::No ? detail::gemm_skinny_rows_max
                                                                  : detail::gemm_skinny_dot_rows_max);
    if (!packed_path)
        return detail::gemm_dispatch(ta, b.transposed(), M, N, K, A, lda, b.source(), b.source_ld(), beta, C, ldc,
                                     EpilogueRef{});
    detail::gemm_panels_dispatch(ta, M, N, K, A, lda, BPanelsRef{b.panels(), K}, beta, C, ldc, EpilogueRef{});
}

}  // namespace tn::kernels
