// C = op(A) * op(B) + beta * C, row-major, then an optional epilogue.
//
// The epilogue is how Dense fuses its bias and activation into the GEMM (design
// decision 7): it is called exactly once for every element of C, after the last
// K-block has been added, as epilogue(i, j0, &C[i*ldc + j0], n) on row segments,
// usually a register tile wide (n is any value >= 1: the epilogue handles tails).
// NoEpilogue compiles to nothing. It runs on the kernel's threads, each element
// once, so it must only touch the elements it is given (and must not throw).
//
// Threads: tn::set_threads (parallel.hpp). The result is bit-identical whatever
// the thread count.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "typenet/config.hpp"
#include "typenet/core/aligned_buffer.hpp"
#include "typenet/kernels/gemm_common.hpp"
#include "typenet/kernels/gemm_types.hpp"
#include "typenet/kernels/parallel.hpp"

#if TYPENET_DEFINE_BODIES
#include "typenet/kernels/gemm_kernel.hpp"
#else
// Built with typenet::precompiled (config.hpp): the kernel is compiled once, in the
// library, for the one epilogue type every call goes through.
namespace tn::kernels::detail {
template <class Epilogue>
void gemm_dispatch(Transpose ta, Transpose tb, std::size_t M, std::size_t N, std::size_t K, const float* A,
                   std::size_t lda, const float* B, std::size_t ldb, float beta, float* C, std::size_t ldc,
                   const Epilogue& epilogue);
extern template void gemm_dispatch<EpilogueRef>(Transpose, Transpose, std::size_t, std::size_t, std::size_t,
                                                const float*, std::size_t, const float*, std::size_t, float, float*,
                                                std::size_t, const EpilogueRef&);
template <class Epilogue>
void gemm_panels_dispatch(Transpose ta, std::size_t M, std::size_t N, std::size_t K, const float* A,
                          std::size_t lda, const BPanelsRef& panels, float beta, float* C, std::size_t ldc,
                          const Epilogue& epilogue);
extern template void gemm_panels_dispatch<EpilogueRef>(Transpose, std::size_t, std::size_t, std::size_t,
                                                       const float*, std::size_t, const BPanelsRef&, float, float*,
                                                       std::size_t, const EpilogueRef&);
}  // namespace tn::kernels::detail
#endif

namespace tn::kernels {

// op(B) packed once into the micro-kernel's panels, for products that use the same
// B many times: a recurrent layer multiplies its W_hh at every time step, and gemm
// would pack it again each time (9% of an LSTM language model's training step). The
// buffer only grows, so packing the same shape again allocates nothing. It refers to
// B for the sizes gemm does not pack (a few rows), so B must outlive its use.
class PackedB {
public:
    // Packs op(B) [K, N] of B (row-major, leading dimension ldb).
    // Not inlined: once per call, and inlined into a layer with constant sizes g++ 12
    // warns falsely (-Waggressive-loop-optimizations) about the transpose's tail loop.
    [[gnu::noinline]] TYPENET_INLINE void pack(Transpose tb, std::size_t K, std::size_t N, const float* B,
                                               std::size_t ldb);
    std::size_t rows() const { return k_; }
    std::size_t cols() const { return n_; }
    Transpose transposed() const { return tb_; }
    const float* source() const { return b_; }
    std::size_t source_ld() const { return ldb_; }
    const float* panels() const { return panels_.data(); }

private:
    AlignedBuffer panels_;
    Transpose tb_ = Transpose::No;
    std::size_t k_ = 0, n_ = 0, ldb_ = 0;
    const float* b_ = nullptr;
};

// C = op(A) . op(B) + beta C with op(B) packed in advance: the same arithmetic, in
// the same order, as gemm(ta, b.transposed(), ...) on the B it was packed from.
TYPENET_INLINE void gemm(Transpose ta, std::size_t M, const float* A, std::size_t lda, const PackedB& b, float beta,
                         float* C, std::size_t ldc);

template <class Epilogue>
void gemm(Transpose ta, Transpose tb, std::size_t M, std::size_t N, std::size_t K, const float* A,
          std::size_t lda, const float* B, std::size_t ldb, float beta, float* C, std::size_t ldc,
          const Epilogue& epilogue) {
    // A leading dimension shorter than its row would make rows overlap: a bug in
    // the caller, reported here rather than as wrong numbers.
    const auto check = [](const char* what, std::size_t ld, std::size_t row, bool used) {
        if (used && ld < row)
            throw std::invalid_argument(std::string(__FILE__) + ":" + std::to_string(__LINE__) + ": tn::kernels::gemm: " + what + " = " +
                                        std::to_string(ld) + " but its rows hold " + std::to_string(row) +
                                        " floats; expected " + what + " >= " + std::to_string(row));
    };
    check("lda", lda, ta == Transpose::No ? K : M, M > 0 && K > 0);
    check("ldb", ldb, tb == Transpose::No ? N : K, N > 0 && K > 0);
    check("ldc", ldc, N, M > 0);
    if constexpr (std::is_same_v<Epilogue, NoEpilogue>)
        detail::gemm_dispatch(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, EpilogueRef{});
    else if constexpr (std::is_same_v<Epilogue, EpilogueRef>)
        detail::gemm_dispatch(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, epilogue);
    else
        detail::gemm_dispatch(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, EpilogueRef{epilogue});
}

inline void gemm(Transpose ta, Transpose tb, std::size_t M, std::size_t N, std::size_t K, const float* A,
                 std::size_t lda, const float* B, std::size_t ldb, float beta, float* C, std::size_t ldc) {
    gemm(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, NoEpilogue{});
}

// The same product with B [K, N] given by a function that writes its micro-panels
// (BPanelsRef in gemm_common.hpp says how): for a B that is cheaper to generate
// than to store and read back, as a convolution's columns (im2col.hpp). Same
// arithmetic as gemm's packed path.
template <class Panels, class Epilogue = NoEpilogue>
void gemm_panels(Transpose ta, std::size_t M, std::size_t N, std::size_t K, const float* A, std::size_t lda,
                 const Panels& panels, float beta, float* C, std::size_t ldc, const Epilogue& epilogue = Epilogue{}) {
    if (M > 0 && K > 0 && lda < (ta == Transpose::No ? K : M))
        throw std::invalid_argument(std::string(__FILE__) + ":" + std::to_string(__LINE__) +
                                    ": tn::kernels::gemm_panels: lda = " + std::to_string(lda) +
                                    " is shorter than a row of A");
    if (M > 0 && ldc < N)
        throw std::invalid_argument(std::string(__FILE__) + ":" + std::to_string(__LINE__) +
                                    ": tn::kernels::gemm_panels: ldc = " + std::to_string(ldc) + " < N = " +
                                    std::to_string(N));
    const BPanelsRef source{panels};
    if constexpr (std::is_same_v<Epilogue, NoEpilogue>)
        detail::gemm_panels_dispatch(ta, M, N, K, A, lda, source, beta, C, ldc, EpilogueRef{});
    else
        detail::gemm_panels_dispatch(ta, M, N, K, A, lda, source, beta, C, ldc, EpilogueRef{epilogue});
}

}  // namespace tn::kernels

#if TYPENET_DEFINE_BODIES
#include "typenet/kernels/gemm_prepacked.ipp"
#endif
