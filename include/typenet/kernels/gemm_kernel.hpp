// The packed, register-blocked GEMM on xsimd: the five loops of Goto and van de
// Geijn (as BLIS writes them) around one micro-kernel.
//
//   for jc in N by nc:           B panel (kc x nc) packed, in L3
//     for pc in K by kc:
//       for ic in M by mc:       A block (mc x kc) packed, in L2
//         for jr in nc by nr:    a B micro-panel (kc x nr) in L1
//           for ir in mc by mr:
//             micro-kernel:      mr x nr of C in registers, kc rank-1 updates
//
// Threads split C into blocks of whole tiles, never K, so every element of C is
// computed by the same sequence of instructions whatever the thread count: results
// are bit-identical on 1 or N threads. Products too small to repay packing take
// the paths of gemm_small.hpp.
#pragma once
#include <algorithm>
#include <cstddef>
#include <utility>

#include "typenet/kernels/gemm_common.hpp"
#include "typenet/kernels/gemm_pack.hpp"
#include "typenet/kernels/gemm_small.hpp"
#include "typenet/kernels/gemm_types.hpp"
#include "typenet/kernels/parallel.hpp"
#include "typenet/kernels/simd.hpp"

namespace tn::kernels::detail {

// Work (M*N*K multiply-adds) below which the plain loop is faster than packing.
inline constexpr std::size_t gemm_small_work = 256;
// Up to this many rows, B is streamed in place instead of packed (gemm_skinny):
// measured here 1.7-4x faster than packing at M = 1-4, and still 1.5x at M = 6
// when B is not transposed (at M = 5 with B transposed, packing wins).
// (Its kernels hold two vectors of columns per row: as many rows as a 2-vector
// micro-kernel has, whatever shape the packed micro-kernel takes.)
inline constexpr std::size_t gemm_skinny_rows_max = (gemm_vector_registers - 3) / 2;
inline constexpr std::size_t gemm_skinny_dot_rows_max = 4;
// Work below which starting a second thread (fork/join ~ a few microseconds)
// costs more than it saves.
inline constexpr std::size_t gemm_parallel_work = 64 * 64 * 64;

// Where a tile's K block stands: the first block brings in beta*C (C is not read
// when beta is 0: it may hold garbage), later blocks add to C, and after the last
// one the epilogue runs.
struct KBlock {
    bool first;
    bool last;
    float beta;
};

// C[Rows x cols] (at row i0, column j0 of the whole C) from the packed micro-panels
// a (kc x mr) and b (kc x nr). Rows <= mr is a template argument so that the last
// panel of an M that is no multiple of mr (64 = 10 x 6 + 4) does no wasted work;
// cols <= nr: a narrow tile is computed whole (B's panel is zero-padded) and only
// its valid part stored.
template <std::size_t Rows, class Epilogue>
inline void micro_kernel(std::size_t kc, const float* a, const float* b, float* c, std::size_t ldc,
                         std::size_t cols, KBlock where, std::size_t i0, std::size_t j0, const Epilogue& epilogue) {
    using simd::vec;
    constexpr std::size_t mr = gemm_mr, w = simd::width;
    // C is needed only after the kc steps: start fetching its lines now, so that
    // the stores do not wait for memory (C is often far out of cache).
    for (std::size_t r = 0; r < Rows; ++r) {
        __builtin_prefetch(c + r * ldc, 1);
        __builtin_prefetch(c + r * ldc + cols - 1, 1);
    }
    constexpr std::size_t nv = gemm_nr / w;  // vectors of columns
    vec acc[Rows][nv];
    unrolled<Rows>([&](auto r) { unrolled<nv>([&](auto v) { acc[r][v] = vec(0.f); }); });
    // Unrolled by 4: measured 4-7% faster with g++ 12 (which leaves it rolled);
    // clang unrolls it by itself.
    if constexpr (nv == 2) {
        // Two vectors of columns (AVX-512's 14 x 32, SSE2's 6 x 8) spelled out: g++ 12
        // compiles the generic loop below to code 15-20% slower here (MLP and VGG-small
        // training, CPU time per step, interleaved A/B on the Zen 5-class EPYC).
#pragma GCC unroll 4
        for (std::size_t k = 0; k < kc; ++k, a += mr, b += 2 * w) {
            const vec b0 = vec::load_aligned(b), b1 = vec::load_aligned(b + w);
            unrolled<Rows>([&](auto r) {
                const vec ar(a[r]);
                acc[r][0] = simd::fma(ar, b0, acc[r][0]);
                acc[r][1] = simd::fma(ar, b1, acc[r][1]);
            });
        }
    } else {
#pragma GCC unroll 4
        for (std::size_t k = 0; k < kc; ++k, a += mr, b += nv * w) {
            vec bv[nv];
            unrolled<nv>([&](auto v) { bv[v] = vec::load_aligned(b + v * w); });
            unrolled<Rows>([&](auto r) {
                const vec ar(a[r]);
                unrolled<nv>([&](auto v) { acc[r][v] = simd::fma(ar, bv[v], acc[r][v]); });
            });
        }
    }

    const bool overwrite = where.first && where.beta == 0.f;
    const vec scale(where.first ? where.beta : 1.f);
    if (cols == nv * w) {
        unrolled<Rows>([&](auto r) {
            float* cr = c + r * ldc;
            unrolled<nv>([&](auto v) {
                vec x = acc[r][v];
                if (!overwrite) x = simd::fma(scale, vec::load_unaligned(cr + v * w), x);
                x.store_unaligned(cr + v * w);
            });
        });
    } else {
        // Narrow tile: the same arithmetic, on the columns that exist.
        unrolled<Rows>([&](auto r) {
            float* cr = c + r * ldc;
            for (std::size_t h = 0; h < nv; ++h) {
                if (h * w >= cols) break;
                const std::size_t count = std::min(w, cols - h * w);
                vec v = acc[r][h];
                if (!overwrite) v = simd::fma(scale, simd::load(cr + h * w, count), v);
                simd::store(cr + h * w, v, count);
            }
        });
    }
    if (where.last)
        for (std::size_t r = 0; r < Rows; ++r) epilogue(i0 + r, j0, c + r * ldc, cols);
}

// micro_kernel<rows> for a run-time rows in 1..mr.
template <std::size_t... R, class Epilogue>
inline void micro_kernel_rows(std::index_sequence<R...>, std::size_t rows, std::size_t kc, const float* a,
                              const float* b, float* c, std::size_t ldc, std::size_t cols, KBlock where,
                              std::size_t i0, std::size_t j0, const Epilogue& epilogue) {
    ((rows == R + 1 ? micro_kernel<R + 1>(kc, a, b, c, ldc, cols, where, i0, j0, epilogue) : void()), ...);
}

// Evens a dimension out into blocks of at most `block`, each a multiple of `unit`.
inline std::size_t even_block(std::size_t n, std::size_t block, std::size_t unit) {
    return std::min(block, round_up(ceil_div(n, ceil_div(n, block)), unit));
}

// B as the packed path reads it: a matrix, packed here panel by panel.
struct MatrixPanels {
    Transpose tb;
    const float* B;
    std::size_t ldb;
    void operator()(float* dst, std::size_t k0, std::size_t kc, std::size_t j0, std::size_t cols) const {
        pack_b_panel(tb, B, ldb, k0, kc, j0, cols, dst);
    }
};

// How a block of mc rows of A (and C) is cut into micro-panels: as evenly as mr
// allows, 32 rows as 11 + 11 + 10 rather than 14 + 14 + 4, because a 4-row
// micro-kernel keeps the FMA units about a third busy (too few independent sums,
// a broadcast per two FMAs). Panel p holds rows [first(p), first(p) + rows(p)) and
// is packed at p * mr * kc. Each element's sum is the same whatever the cut.
struct RowPanels {
    std::size_t count, base, extra;
    explicit RowPanels(std::size_t mc)
        : count(ceil_div(mc, gemm_mr)), base(mc / count), extra(mc % count) {}
    std::size_t first(std::size_t p) const { return p * base + std::min(p, extra); }
    std::size_t rows(std::size_t p) const { return base + (p < extra ? 1 : 0); }
};

inline void pack_a_block(Transpose ta, const float* A, std::size_t lda, std::size_t ic, const RowPanels& panels,
                         std::size_t pc, std::size_t kc, float* a_packed) {
    for (std::size_t p = 0; p < panels.count; ++p)
        pack_a_panel(ta, A, lda, ic + panels.first(p), panels.rows(p), pc, kc, a_packed + p * gemm_mr * kc);
}

// The micro-kernels for one B micro-panel against every panel of the packed A
// block (whose row 0 is row `ic` of this thread's C).
template <class Epilogue>
inline void multiply_panel(std::size_t ic, const RowPanels& panels, std::size_t kc, const float* a_packed,
                           const float* b, float* C, std::size_t ldc, std::size_t j, std::size_t cols, KBlock where,
                           std::size_t i0, std::size_t j0, const Epilogue& epilogue) {
    constexpr std::size_t mr = gemm_mr;
    for (std::size_t p = 0; p < panels.count; ++p) {
        const std::size_t i = ic + panels.first(p), rows = panels.rows(p);
        const float* a = a_packed + p * mr * kc;
        if (rows == mr)
            micro_kernel<mr>(kc, a, b, C + i * ldc + j, ldc, cols, where, i0 + i, j0 + j, epilogue);
        else
            micro_kernel_rows(std::make_index_sequence<mr - 1>{}, rows, kc, a, b, C + i * ldc + j, ldc, cols, where,
                              i0 + i, j0 + j, epilogue);
    }
}

// One thread's part of C: rows [i0, i0+M) and columns [j0, j0+N) of the whole
// product, with A and C already pointing at its first row/column. B comes from
// `panels`, asked for columns of the whole product (j0 + j). i0 and j0 are also
// passed on to the epilogue.
template <class Epilogue>
void gemm_block(Transpose ta, std::size_t M, std::size_t N, std::size_t K, const float* A, std::size_t lda,
                const BPanelsRef& panels, float beta, float* C, std::size_t ldc, const Epilogue& epilogue,
                std::size_t i0, std::size_t j0) {
    constexpr std::size_t mr = gemm_mr, nr = gemm_nr;
    // kc depends on K alone: every element of C sees the same K blocks, however
    // C is split among threads.
    const std::size_t kc_size = even_block(K, gemm_kc, 1);
    const std::size_t mc_size = even_block(M, gemm_mc, mr);
    const std::size_t nc_size = std::min(gemm_nc, round_up(N, nr));
    // All of M in one A block (a convolution's filters, a batch of 64): then each
    // B micro-panel is packed just before the micro-kernels read it, while it is
    // in L1, rather than a whole kc x nc block of B first (up to 8 MiB, read back
    // from L2 or memory). The sums are the same, in the same order.
    const bool one_a_block = M <= mc_size;

    GemmWorkspace& workspace = gemm_workspace();
    workspace.a.resize(mc_size * kc_size);
    if (!panels.resident(0, 0)) workspace.b.resize(kc_size * (one_a_block ? nr : nc_size));
    float* const a_packed = workspace.a.data();
    float* const b_packed = workspace.b.data();

    for (std::size_t jc = 0; jc < N; jc += nc_size) {
        const std::size_t nc = std::min(nc_size, N - jc);
        for (std::size_t pc = 0; pc < K; pc += kc_size) {
            const std::size_t kc = std::min(kc_size, K - pc);
            const KBlock where{pc == 0, pc + kc == K, beta};
            if (one_a_block) {
                const RowPanels rows(M);
                pack_a_block(ta, A, lda, 0, rows, pc, kc, a_packed);
                for (std::size_t jr = 0; jr < nc; jr += nr) {
                    const std::size_t j = jc + jr, cols = std::min(nr, N - j);
                    const float* b = panels.resident(pc, j0 + j);
                    if (!b) panels(b_packed, pc, kc, j0 + j, cols), b = b_packed;
                    multiply_panel(0, rows, kc, a_packed, b, C, ldc, j, cols, where, i0, j0, epilogue);
                }
                continue;
            }
            const bool resident = panels.resident(pc, j0 + jc) != nullptr;
            if (!resident)
                for (std::size_t jr = 0; jr < nc; jr += nr)
                    panels(b_packed + jr * kc, pc, kc, j0 + jc + jr, std::min(nr, nc - jr));
            for (std::size_t ic = 0; ic < M; ic += mc_size) {
                const std::size_t mc = std::min(mc_size, M - ic);
                const RowPanels rows(mc);
                pack_a_block(ta, A, lda, ic, rows, pc, kc, a_packed);
                // jr outside the panels: one B micro-panel stays in L1 while the A
                // block streams past it from L2.
                for (std::size_t jr = 0; jr < nc; jr += nr) {
                    const std::size_t j = jc + jr;
                    const float* b = resident ? panels.resident(pc, j0 + j) : b_packed + jr * kc;
                    multiply_panel(ic, rows, kc, a_packed, b, C, ldc, j, std::min(nr, N - j), where, i0, j0,
                                   epilogue);
                }
            }
        }
    }
}

// How C is cut among threads: a grid of row_parts x col_parts blocks, each a whole
// number of register tiles. Each thread packs its own operands, so no thread ever
// waits for another until the end (a barrier per block would stall the whole team
// whenever the OS takes one core away).
struct ThreadGrid {
    std::size_t row_parts, col_parts;
};

// The grid for `threads` threads that minimises the busiest thread's work: its
// multiply-adds plus the packing of its rows of A and columns of B (a packed float
// costs about as much as 8 multiply-adds: it is a load and a store, 1/8 of a vector).
inline ThreadGrid choose_thread_grid(std::size_t M, std::size_t N, std::size_t K, std::size_t threads) {
    constexpr std::size_t pack_cost = 8;
    const std::size_t row_tiles = ceil_div(M, gemm_mr), col_tiles = ceil_div(N, gemm_nr);
    ThreadGrid best{1, threads};
    std::size_t best_cost = ~std::size_t{0};
    for (std::size_t rows = 1; rows <= threads; ++rows) {
        if (threads % rows != 0) continue;
        const std::size_t cols = threads / rows;
        if (rows > row_tiles || cols > col_tiles) continue;
        const std::size_t m = ceil_div(row_tiles, rows) * gemm_mr, n = ceil_div(col_tiles, cols) * gemm_nr;
        const std::size_t cost = m * n * K + pack_cost * (m + n) * K;
        if (cost < best_cost) best = {rows, cols}, best_cost = cost;
    }
    return best;
}

// The part of one dimension (in whole tiles of `unit`) that block `part` of `parts` covers.
struct Range {
    std::size_t begin, size;
};
inline Range part_of(std::size_t n, std::size_t unit, std::size_t part, std::size_t parts) {
    const std::size_t tiles = ceil_div(n, unit);
    const std::size_t begin = std::min(n, tiles * part / parts * unit);
    const std::size_t end = std::min(n, tiles * (part + 1) / parts * unit);
    return {begin, end - begin};
}

template <class Epilogue>
void gemm_packed(Transpose ta, std::size_t M, std::size_t N, std::size_t K, const float* A, std::size_t lda,
                 const BPanelsRef& panels, float beta, float* C, std::size_t ldc, const Epilogue& epilogue,
                 [[maybe_unused]] int threads) {
#ifdef _OPENMP
    if (threads > 1) {
        const ThreadGrid grid = choose_thread_grid(M, N, K, static_cast<std::size_t>(threads));
        const std::size_t blocks = grid.row_parts * grid.col_parts;
#pragma omp parallel num_threads(static_cast<int>(blocks))
        {
            // OpenMP may start fewer threads than asked: then some take two blocks.
            const auto team = static_cast<std::size_t>(omp_get_num_threads());
            for (auto block = static_cast<std::size_t>(omp_get_thread_num()); block < blocks; block += team) {
                const Range rows = part_of(M, gemm_mr, block / grid.col_parts, grid.row_parts);
                const Range cols = part_of(N, gemm_nr, block % grid.col_parts, grid.col_parts);
                if (rows.size == 0 || cols.size == 0) continue;
                const float* a = A + (ta == Transpose::No ? rows.begin * lda : rows.begin);
                gemm_block(ta, rows.size, cols.size, K, a, lda, panels, beta, C + rows.begin * ldc + cols.begin, ldc,
                           epilogue, rows.begin, cols.begin);
            }
        }
        return;
    }
#endif
    gemm_block(ta, M, N, K, A, lda, panels, beta, C, ldc, epilogue, 0, 0);
}

template <class Epilogue>
void gemm_dispatch(Transpose ta, Transpose tb, std::size_t M, std::size_t N, std::size_t K, const float* A,
                   std::size_t lda, const float* B, std::size_t ldb, float beta, float* C, std::size_t ldc,
                   const Epilogue& epilogue) {
    if (M == 0 || N == 0) return;
    const std::size_t work = M * N * K;
    if (K == 0 || work <= gemm_small_work) {
        gemm_small(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc, epilogue);
        return;
    }
    if (M <= (tb == Transpose::No ? gemm_skinny_rows_max : gemm_skinny_dot_rows_max)) {
        gemm_skinny(std::make_index_sequence<gemm_skinny_rows_max>{}, ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc,
                    epilogue);
        return;
    }
    const std::size_t tiles = ceil_div(M, gemm_mr) * ceil_div(N, gemm_nr);
    const int threads = work >= gemm_parallel_work ? tn::detail::kernel_threads(tiles) : 1;
    const MatrixPanels matrix{tb, B, ldb};
    gemm_packed(ta, M, N, K, A, lda, BPanelsRef{matrix}, beta, C, ldc, epilogue, threads);
}

// C = op(A) . B + beta C with B given by its micro-panels (BPanelsRef, gemm_common.hpp):
// a convolution writes its columns panel by panel, each straight into L1 just
// before it is used (kernels/im2col.hpp), and never as a whole matrix. Always the
// packed path (the small and skinny paths read a stored B).
template <class Epilogue>
void gemm_panels_dispatch(Transpose ta, std::size_t M, std::size_t N, std::size_t K, const float* A,
                          std::size_t lda, const BPanelsRef& panels, float beta, float* C, std::size_t ldc,
                          const Epilogue& epilogue) {
    if (M == 0 || N == 0) return;
    if (K == 0) {  // C = beta C, then the epilogue (C is not read when beta is 0)
        for (std::size_t i = 0; i < M; ++i) {
            float* c = C + i * ldc;
            for (std::size_t j = 0; j < N; ++j) c[j] = beta == 0.f ? 0.f : beta * c[j];
            epilogue(i, 0, c, N);
        }
        return;
    }
    const std::size_t work = M * N * K;
    const std::size_t tiles = ceil_div(M, gemm_mr) * ceil_div(N, gemm_nr);
    const int threads = work >= gemm_parallel_work ? tn::detail::kernel_threads(tiles) : 1;
    gemm_packed(ta, M, N, K, A, lda, panels, beta, C, ldc, epilogue, threads);
}

}  // namespace tn::kernels::detail
