// C = op(A) * op(B) + beta * C, row-major, then an optional epilogue.
//
// The epilogue is how Dense fuses its bias and activation into the GEMM (design
// decision 7): it is called exactly once for every element of C, after the last
// K-block has been added, as epilogue(i, j0, &C[i*ldc + j0], n) on row segments of
// n <= a few vector widths. NoEpilogue compiles to nothing.
#pragma once
#include <cstddef>

#include "typenet/kernels/gemm_kernel.hpp"

namespace tn::kernels {

template <class Epilogue>
void gemm(Transpose ta, Transpose tb, std::size_t M, std::size_t N, std::size_t K, const float* A,
          std::size_t lda, const float* B, std::size_t ldb, float beta, float* C, std::size_t ldc,
          const Epilogue& epilogue) {
    detail::gemm_blocked(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, epilogue);
}

inline void gemm(Transpose ta, Transpose tb, std::size_t M, std::size_t N, std::size_t K, const float* A,
                 std::size_t lda, const float* B, std::size_t ldb, float beta, float* C, std::size_t ldc) {
    gemm(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, NoEpilogue{});
}

}  // namespace tn::kernels
