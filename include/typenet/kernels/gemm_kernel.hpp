// Placeholder blocked GEMM (correct, not yet fast): replaced by the packed,
// register-blocked xsimd kernel.
#pragma once
#include <cstddef>
#include <vector>

#include "typenet/kernels/gemm_types.hpp"
#include "typenet/kernels/simd.hpp"

namespace tn::kernels::detail {

template <class Epilogue>
void gemm_blocked(Transpose ta, Transpose tb, std::size_t M, std::size_t N, std::size_t K, const float* A,
                  std::size_t lda, const float* B, std::size_t ldb, float beta, float* C, std::size_t ldc,
                  const Epilogue& epilogue) {
    for (std::size_t i = 0; i < M; ++i) {
        float* c = C + i * ldc;
        if (beta == 0.f) for (std::size_t j = 0; j < N; ++j) c[j] = 0.f;
        else if (beta != 1.f) for (std::size_t j = 0; j < N; ++j) c[j] *= beta;
        for (std::size_t k = 0; k < K; ++k) {
            const float a = ta == Transpose::Yes ? A[k * lda + i] : A[i * lda + k];
            if (tb == Transpose::No) {
                const float* b = B + k * ldb;
                for (std::size_t j = 0; j < N; ++j) c[j] += a * b[j];
            } else {
                for (std::size_t j = 0; j < N; ++j) c[j] += a * B[j * ldb + k];
            }
        }
        if (N) epilogue(i, 0, c, N);
    }
}

}  // namespace tn::kernels::detail
