// The plain triple loop that the fast GEMM is tested against. Accumulates in
// double so that it is the more accurate side of every comparison.
#pragma once
#include <cstddef>

#include "typenet/kernels/gemm_types.hpp"

namespace tn::kernels {

template <class Epilogue = NoEpilogue>
void gemm_reference(Transpose ta, Transpose tb, std::size_t M, std::size_t N, std::size_t K, const float* A,
                    std::size_t lda, const float* B, std::size_t ldb, float beta, float* C, std::size_t ldc,
                    const Epilogue& epilogue = {}) {
    for (std::size_t i = 0; i < M; ++i) {
        for (std::size_t j = 0; j < N; ++j) {
            double acc = 0;
            for (std::size_t k = 0; k < K; ++k) {
                const float a = ta == Transpose::Yes ? A[k * lda + i] : A[i * lda + k];
                const float b = tb == Transpose::Yes ? B[j * ldb + k] : B[k * ldb + j];
                acc += double(a) * double(b);
            }
            float& c = C[i * ldc + j];
            c = static_cast<float>(acc) + (beta == 0.f ? 0.f : beta * c);
        }
        if (N) epilogue(i, 0, C + i * ldc, N);
    }
}

}  // namespace tn::kernels
