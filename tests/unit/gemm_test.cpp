// The packed GEMM against the plain triple loop (gemm_reference): shapes on and off
// the register and cache blocks, all four transpose forms, beta 0/1/other, padded
// leading dimensions, the fused epilogue, and thread-count invariance.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <typenet/kernels/gemm.hpp>
#include <typenet/kernels/gemm_reference.hpp>
#include <typenet/kernels/parallel.hpp>

#ifdef _OPENMP
#include <omp.h>
#endif

using tn::kernels::Transpose;

namespace {

struct Case {
    std::size_t M, N, K;
};

// The edges and the blocks: 0 and 1 in each dimension; tiny products (the plain
// loop); 1-4 rows (B streamed in place) with N and K off the vector width; below,
// at and above the 6x16 register tile; K across the 256-deep K block, M across the
// M block, N across the 4096-wide N panel.
const std::vector<Case> shapes = {
    {0, 5, 3},     {4, 0, 3},    {4, 5, 0},    {1, 1, 1},     {2, 1, 4},     {1, 7, 1},     {3, 3, 3},
    {1, 300, 40},  {2, 33, 70},  {3, 17, 9},   {4, 40, 37},   {1, 8, 300},   {300, 1, 40},  {40, 50, 1},
    {6, 16, 8},    {7, 17, 9},   {5, 15, 31},  {12, 32, 64},  {13, 33, 65},  {64, 10, 128}, {37, 41, 300},
    {96, 48, 513}, {301, 20, 30}, {7, 4100, 9}, {65, 70, 257},
};

std::vector<float> random_floats(std::size_t n, std::mt19937& rng) {
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    std::vector<float> v(n);
    for (float& x : v) x = u(rng);
    return v;
}

// A stored matrix for op(X) of shape rows x cols, with a leading dimension `pad`
// floats longer than its stored row.
struct Operand {
    std::vector<float> data;
    std::size_t ld;
};
Operand make_operand(Transpose t, std::size_t rows, std::size_t cols, std::size_t pad, std::mt19937& rng) {
    const std::size_t stored_rows = t == Transpose::No ? rows : cols;
    const std::size_t stored_cols = t == Transpose::No ? cols : rows;
    const std::size_t ld = stored_cols + pad;
    return {random_floats(std::max<std::size_t>(stored_rows * ld, 1), rng), ld};
}

// |op(A)| |op(B)| summed over k, for the error bound of element (i, j).
double magnitude(Transpose ta, Transpose tb, const Operand& a, const Operand& b, std::size_t K, std::size_t i,
                 std::size_t j) {
    double sum = 0;
    for (std::size_t k = 0; k < K; ++k) {
        const float av = ta == Transpose::No ? a.data[i * a.ld + k] : a.data[k * a.ld + i];
        const float bv = tb == Transpose::No ? b.data[k * b.ld + j] : b.data[j * b.ld + k];
        sum += std::abs(double(av) * double(bv));
    }
    return sum;
}

std::string describe(Case s, Transpose ta, Transpose tb, float beta, std::size_t pad) {
    return std::to_string(s.M) + "x" + std::to_string(s.N) + "x" + std::to_string(s.K) +
           (ta == Transpose::Yes ? " A^T" : " A") + (tb == Transpose::Yes ? " B^T" : " B") +
           " beta=" + std::to_string(beta) + " pad=" + std::to_string(pad);
}

// B [K, N] (not transposed) handed out panel by panel, as gemm_panels asks for it;
// the padding columns of a narrow panel are left NaN: the GEMM computes them but
// must never store them (BPanelsRef's contract says to zero them; this checks
// that garbage there does not leak into C).
struct PanelsOf {
    const float* B;
    std::size_t ldb;
    void operator()(float* dst, std::size_t k0, std::size_t kc, std::size_t j0, std::size_t cols) const {
        constexpr std::size_t width = tn::kernels::BPanelsRef::panel_width;
        for (std::size_t k = 0; k < kc; ++k)
            for (std::size_t j = 0; j < width; ++j)
                dst[k * width + j] = j < cols ? B[(k0 + k) * ldb + j0 + j] : std::numeric_limits<float>::quiet_NaN();
    }
};

// Counts how often each element of C is handed to it, and maps c -> 2c + 1 (applied
// twice, or before the last K block, the result would differ from the reference).
struct CountingEpilogue {
    std::size_t* counts;
    std::size_t ldc;
    void operator()(std::size_t i, std::size_t j0, float* c, std::size_t n) const {
        for (std::size_t j = 0; j < n; ++j) {
            ++counts[i * ldc + j0 + j];
            c[j] = 2.f * c[j] + 1.f;
        }
    }
};

// Runs gemm and gemm_reference on the same data; checks every element of C and
// that the padding of C between rows is left untouched.
// With `panels`, B (not transposed) goes to gemm_panels, panel by panel.
void check_against_reference(Case s, Transpose ta, Transpose tb, float beta, std::size_t pad, bool with_epilogue,
                             std::mt19937& rng, bool panels = false) {
    const auto [M, N, K] = s;
    const Operand a = make_operand(ta, M, K, pad, rng);
    const Operand b = make_operand(tb, K, N, pad, rng);
    const PanelsOf source{b.data.data(), b.ld};
    const std::size_t ldc = N + pad;
    std::vector<float> c_start = random_floats(std::max<std::size_t>(M * ldc, 1), rng);
    // With beta = 0, C must not be read: NaN there would poison any product.
    if (beta == 0.f)
        for (std::size_t i = 0; i < M; ++i)
            for (std::size_t j = 0; j < N; ++j) c_start[i * ldc + j] = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> c = c_start, c_ref = c_start;
    std::vector<std::size_t> counts(c.size(), 0), counts_ref(c.size(), 0);

    if (panels) {
        const CountingEpilogue counting{counts.data(), ldc};
        if (with_epilogue)
            tn::kernels::gemm_panels(ta, M, N, K, a.data.data(), a.ld, source, beta, c.data(), ldc, counting);
        else
            tn::kernels::gemm_panels(ta, M, N, K, a.data.data(), a.ld, source, beta, c.data(), ldc);
        if (with_epilogue)
            tn::kernels::gemm_reference(ta, tb, M, N, K, a.data.data(), a.ld, b.data.data(), b.ld, beta,
                                        c_ref.data(), ldc, CountingEpilogue{counts_ref.data(), ldc});
        else
            tn::kernels::gemm_reference(ta, tb, M, N, K, a.data.data(), a.ld, b.data.data(), b.ld, beta,
                                        c_ref.data(), ldc);
    } else if (with_epilogue) {
        tn::kernels::gemm(ta, tb, M, N, K, a.data.data(), a.ld, b.data.data(), b.ld, beta, c.data(), ldc,
                          CountingEpilogue{counts.data(), ldc});
        tn::kernels::gemm_reference(ta, tb, M, N, K, a.data.data(), a.ld, b.data.data(), b.ld, beta, c_ref.data(),
                                    ldc, CountingEpilogue{counts_ref.data(), ldc});
    } else {
        tn::kernels::gemm(ta, tb, M, N, K, a.data.data(), a.ld, b.data.data(), b.ld, beta, c.data(), ldc);
        tn::kernels::gemm_reference(ta, tb, M, N, K, a.data.data(), a.ld, b.data.data(), b.ld, beta, c_ref.data(),
                                    ldc);
    }

    INFO((describe(s, ta, tb, beta, pad) + (with_epilogue ? " with epilogue" : "") + (panels ? " by panels" : "")));
    std::size_t wrong = 0, miscounted = 0, padding_touched = 0;
    constexpr double eps = std::numeric_limits<float>::epsilon();
    for (std::size_t i = 0; i < M; ++i) {
        for (std::size_t j = 0; j < N; ++j) {
            const std::size_t at = i * ldc + j;
            const double scale = (with_epilogue ? 2 : 1) *
                                 (magnitude(ta, tb, a, b, K, i, j) + (beta == 0.f ? 0 : std::abs(beta * c_start[at])));
            const double tolerance = 2 * (double(K) + 4) * eps * scale + 4 * eps;
            if (!(std::abs(double(c[at]) - double(c_ref[at])) <= tolerance)) {
                if (wrong++ == 0) FAIL_CHECK("C(" << i << ", " << j << ") = " << c[at] << ", expected " << c_ref[at]);
            }
            if (with_epilogue && counts[at] != 1) {
                if (miscounted++ == 0) FAIL_CHECK("epilogue saw C(" << i << ", " << j << ") " << counts[at] << " times");
            }
        }
        for (std::size_t j = N; j < ldc && i * ldc + j < c.size(); ++j)
            if (std::memcmp(&c[i * ldc + j], &c_start[i * ldc + j], sizeof(float)) != 0) ++padding_touched;
    }
    CHECK(wrong == 0);
    CHECK(miscounted == 0);
    CHECK(padding_touched == 0);
}

// Restores the thread count a test changed.
struct ThreadCountGuard {
    int saved = tn::threads();
    ~ThreadCountGuard() { tn::set_threads(saved); }
};

}  // namespace

TEST_CASE("gemm matches the reference on every shape, transpose form and beta") {
    std::mt19937 rng(2024);
    for (const Case& s : shapes)
        for (Transpose ta : {Transpose::No, Transpose::Yes})
            for (Transpose tb : {Transpose::No, Transpose::Yes})
                for (float beta : {0.f, 1.f, 0.5f}) check_against_reference(s, ta, tb, beta, 0, false, rng);
}

TEST_CASE("gemm honours leading dimensions longer than the rows") {
    std::mt19937 rng(7);
    for (const Case& s : shapes)
        for (Transpose ta : {Transpose::No, Transpose::Yes})
            for (Transpose tb : {Transpose::No, Transpose::Yes}) check_against_reference(s, ta, tb, 0.5f, 3, false, rng);
}

TEST_CASE("the epilogue sees every element of C once, after its last K block") {
    std::mt19937 rng(11);
    for (const Case& s : shapes)
        for (Transpose ta : {Transpose::No, Transpose::Yes})
            for (Transpose tb : {Transpose::No, Transpose::Yes})
                for (float beta : {0.f, 1.f}) check_against_reference(s, ta, tb, beta, 1, true, rng);
}

TEST_CASE("gemm gives bit-identical results on 1 and 2 threads") {
    ThreadCountGuard guard;
    std::mt19937 rng(5);
    const std::vector<Case> big = {{64, 256, 784}, {784, 256, 64}, {200, 301, 517}, {97, 1000, 40}, {1000, 7, 300}};
    for (const Case& s : big) {
        for (Transpose ta : {Transpose::No, Transpose::Yes}) {
            for (Transpose tb : {Transpose::No, Transpose::Yes}) {
                // Plain copies: clang 14 cannot capture structured bindings in a lambda.
                const std::size_t M = s.M, N = s.N, K = s.K;
                const Operand a = make_operand(ta, M, K, 0, rng);
                const Operand b = make_operand(tb, K, N, 0, rng);
                std::vector<float> c1 = random_floats(M * N, rng), c2 = c1;
                INFO(describe(s, ta, tb, 0.5f, 0));

                tn::set_threads(1);
                tn::kernels::gemm(ta, tb, M, N, K, a.data.data(), a.ld, b.data.data(), b.ld, 0.5f, c1.data(), N);

                // Record which thread finished each element, to know the second
                // run really was split.
                tn::set_threads(2);
                std::vector<int> owner(M * N, -1);
                tn::kernels::gemm(ta, tb, M, N, K, a.data.data(), a.ld, b.data.data(), b.ld, 0.5f, c2.data(), N,
                                  [&](std::size_t i, std::size_t j0, float*, std::size_t n) {
#ifdef _OPENMP
                                      for (std::size_t j = 0; j < n; ++j) owner[i * N + j0 + j] = omp_get_thread_num();
#endif
                                  });
                CHECK(std::memcmp(c1.data(), c2.data(), c1.size() * sizeof(float)) == 0);
#ifdef _OPENMP
                CHECK(std::count(owner.begin(), owner.end(), 0) > 0);
                CHECK(std::count(owner.begin(), owner.end(), 1) > 0);
#endif
            }
        }
    }
}

TEST_CASE("gemm_panels (B written panel by panel) matches the reference") {
    std::mt19937 rng(13);
    for (const Case& s : shapes)
        for (Transpose ta : {Transpose::No, Transpose::Yes})
            for (float beta : {0.f, 1.f, 0.5f})
                for (bool with_epilogue : {false, true})
                    check_against_reference(s, ta, Transpose::No, beta, beta == 0.5f ? 3 : 0, with_epilogue, rng, true);
}

TEST_CASE("gemm_panels gives gemm's bits where gemm packs, on 1 and 2 threads") {
    ThreadCountGuard guard;
    std::mt19937 rng(17);
    // Convolution-like products: few rows, many columns (VGG's and LeNet's layers).
    const std::vector<Case> big = {{32, 1024, 288}, {64, 256, 576}, {16, 100, 150}, {97, 1000, 40}};
    for (const Case& s : big) {
        const std::size_t M = s.M, N = s.N, K = s.K;
        INFO(describe(s, Transpose::No, Transpose::No, 0.f, 0));
        const Operand a = make_operand(Transpose::No, M, K, 0, rng);
        const Operand b = make_operand(Transpose::No, K, N, 0, rng);
        const PanelsOf source{b.data.data(), b.ld};
        std::vector<float> expected(M * N), one(M * N), two(M * N);
        tn::set_threads(1);
        tn::kernels::gemm(Transpose::No, Transpose::No, M, N, K, a.data.data(), a.ld, b.data.data(), b.ld, 0.f,
                          expected.data(), N);
        tn::kernels::gemm_panels(Transpose::No, M, N, K, a.data.data(), a.ld, source, 0.f, one.data(), N);
        tn::set_threads(2);
        tn::kernels::gemm_panels(Transpose::No, M, N, K, a.data.data(), a.ld, source, 0.f, two.data(), N);
        CHECK(std::memcmp(expected.data(), one.data(), one.size() * sizeof(float)) == 0);
        CHECK(std::memcmp(one.data(), two.data(), two.size() * sizeof(float)) == 0);
    }
}

TEST_CASE("gemm with B packed in advance gives gemm's bits, on every shape, transpose form and thread count") {
    ThreadCountGuard guard;
    std::mt19937 rng(19);
    // The recurrent layers' products (batch 32, LSTM<256>: W_hh^T forward, W_hh backward)
    // and every shape above; one PackedB reused for all of them, as a layer reuses its own.
    std::vector<Case> all = shapes;
    all.insert(all.end(), {{32, 1024, 256}, {32, 256, 1024}, {16, 100, 150}, {97, 1000, 40}, {5, 24, 7}});
    tn::kernels::PackedB packed;
    for (const Case& s : all)
        for (Transpose ta : {Transpose::No, Transpose::Yes})
            for (Transpose tb : {Transpose::No, Transpose::Yes})
                for (int threads : {1, 2}) {
                    const std::size_t M = s.M, N = s.N, K = s.K;
                    INFO((describe(s, ta, tb, 0.5f, 1) + " threads=" + std::to_string(threads)));
                    tn::set_threads(threads);
                    const Operand a = make_operand(ta, M, K, 1, rng);
                    const Operand b = make_operand(tb, K, N, 1, rng);
                    std::vector<float> expected = random_floats(std::max<std::size_t>(M * N, 1), rng), got = expected;
                    tn::kernels::gemm(ta, tb, M, N, K, a.data.data(), a.ld, b.data.data(), b.ld, 0.5f,
                                      expected.data(), N);
                    packed.pack(tb, K, N, b.data.data(), b.ld);
                    tn::kernels::gemm(ta, M, a.data.data(), a.ld, packed, 0.5f, got.data(), N);
                    CHECK(std::memcmp(expected.data(), got.data(), got.size() * sizeof(float)) == 0);
                }
}

TEST_CASE("bad arguments are reported") {
    CHECK_THROWS_WITH_AS(tn::set_threads(0), doctest::Contains("thread count must be at least 1, got 0"),
                         std::invalid_argument);
    float a[6] = {}, b[6] = {}, c[4] = {};
    // A is 2x3 (not transposed), so lda must be at least 3.
    CHECK_THROWS_WITH_AS(tn::kernels::gemm(Transpose::No, Transpose::No, 2, 2, 3, a, 2, b, 2, 0.f, c, 2),
                         doctest::Contains("lda = 2 but its rows hold 3 floats"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(tn::kernels::gemm(Transpose::No, Transpose::No, 2, 2, 3, a, 3, b, 2, 0.f, c, 1),
                         doctest::Contains("ldc = 1"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(tn::kernels::gemm_panels(Transpose::No, 2, 2, 3, a, 2, PanelsOf{b, 2}, 0.f, c, 2),
                         doctest::Contains("lda = 2 is shorter than a row of A"), std::invalid_argument);
}
