// GEMM throughput, typenet beside OpenBLAS's cblas_sgemm, in GFLOP/s (2*M*N*K per
// call, wall-clock time), on the issue's shapes (written M x K x N) and on 1 and
// 2 threads. Form NN is C = A B; NT is Dense's forward (X W^T) and TN its weight
// gradient (dY^T X), where one operand is read transposed.
//
// After the runs it prints a Markdown table of the medians and the ratio
// typenet / OpenBLAS per shape (what docs/performance.md shows). Measure with
//
//   build/bench/bench/gemm_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true --benchmark_enable_random_interleaving=true
//
// (random interleaving runs the repetitions of all benchmarks in shuffled order,
// so that a noisy moment does not fall on one side only).
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <typenet/core/aligned_buffer.hpp>
#include <typenet/kernels/gemm.hpp>
#include <typenet/kernels/parallel.hpp>

#include "machine_context.hpp"

namespace {

using tn::kernels::Transpose;

enum class Library { typenet, openblas };
enum class Form { NN, NT, TN };

struct Problem {
    Form form;
    std::size_t M, K, N;
    int threads;
};

const char* form_name(Form f) { return f == Form::NN ? "NN" : f == Form::NT ? "NT" : "TN"; }
const char* library_name(Library l) { return l == Library::typenet ? "typenet" : "OpenBLAS"; }
std::string shape_name(const Problem& p) {
    return std::to_string(p.M) + "x" + std::to_string(p.K) + "x" + std::to_string(p.N);
}

Transpose transpose_a(Form f) { return f == Form::TN ? Transpose::Yes : Transpose::No; }
Transpose transpose_b(Form f) { return f == Form::NT ? Transpose::Yes : Transpose::No; }
CBLAS_TRANSPOSE cblas(Transpose t) { return t == Transpose::Yes ? CblasTrans : CblasNoTrans; }

// An idle thread pool keeps spinning after its last call (OpenBLAS's for ~0.1 s,
// libgomp's for a few ms) and would steal the core the other library's second
// thread needs. Waiting before the first call after a change of library lets it sleep.
void let_the_other_pool_sleep(Library now) {
    static Library last = Library::typenet;
    if (now != last) std::this_thread::sleep_for(std::chrono::milliseconds(250));
    last = now;
}

void run_gemm(benchmark::State& state, Library library, Problem p) {
    const Transpose ta = transpose_a(p.form), tb = transpose_b(p.form);
    // Stored shapes: op(A) is M x K, op(B) is K x N.
    const std::size_t lda = ta == Transpose::No ? p.K : p.M;
    const std::size_t ldb = tb == Transpose::No ? p.N : p.K;
    tn::AlignedBuffer a(p.M * p.K), b(p.K * p.N), c(p.M * p.N);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    for (float& x : a.span()) x = u(rng);
    for (float& x : b.span()) x = u(rng);

    tn::set_threads(p.threads);
    openblas_set_num_threads(p.threads);
    let_the_other_pool_sleep(library);
    for (auto _ : state) {
        if (library == Library::typenet)
            tn::kernels::gemm(ta, tb, p.M, p.N, p.K, a.data(), lda, b.data(), ldb, 0.f, c.data(), p.N);
        else
            cblas_sgemm(CblasRowMajor, cblas(ta), cblas(tb), int(p.M), int(p.N), int(p.K), 1.f, a.data(), int(lda),
                        b.data(), int(ldb), 0.f, c.data(), int(p.N));
        benchmark::DoNotOptimize(c.data());
        benchmark::ClobberMemory();
    }
    state.counters["GFLOP/s"] =
        benchmark::Counter(2e-9 * double(p.M) * double(p.N) * double(p.K), benchmark::Counter::kIsIterationInvariantRate);
}

// Every benchmark registered, by name, for the summary table.
struct Registered {
    Problem problem;
    Library library;
};
std::map<std::string, Registered>& registry() {
    static std::map<std::string, Registered> r;
    return r;
}
std::vector<Problem>& problems() {
    static std::vector<Problem> p;
    return p;
}

void register_all() {
    struct Dims {
        std::size_t M, K, N;
    };
    const std::vector<Dims> issue_shapes = {{256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024},
                                            {64, 784, 256},  {784, 64, 256},  {64, 256, 784}};
    // Dense's own products for the MLP 784-256-128-10 at batch 64.
    const std::vector<Dims> dense_shapes = {{64, 784, 256}, {256, 64, 784}, {64, 256, 128}};
    for (int threads : {1, 2}) {
        for (Dims d : issue_shapes) problems().push_back({Form::NN, d.M, d.K, d.N, threads});
        problems().push_back({Form::NT, dense_shapes[0].M, dense_shapes[0].K, dense_shapes[0].N, threads});
        problems().push_back({Form::TN, dense_shapes[1].M, dense_shapes[1].K, dense_shapes[1].N, threads});
        problems().push_back({Form::NT, dense_shapes[2].M, dense_shapes[2].K, dense_shapes[2].N, threads});
    }
    for (const Problem& p : problems()) {
        for (Library library : {Library::typenet, Library::openblas}) {
            const std::string name = std::string(form_name(p.form)) + "/" + shape_name(p) + "/threads:" +
                                     std::to_string(p.threads) + "/" + library_name(library);
            registry()[name] = {p, library};
            benchmark::RegisterBenchmark(name.c_str(), run_gemm, library, p)->UseRealTime()->Unit(benchmark::kMicrosecond);
        }
    }
}

// The console report, plus the median GFLOP/s of every benchmark kept for the table.
class SummaryReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
            const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
            const auto counter = run.counters.find("GFLOP/s");
            if ((median || single) && counter != run.counters.end())
                gflops_[run.run_name.function_name] = counter->second.value;
        }
    }

    void print_table() const {
        std::printf("\n| form | M x K x N | threads | typenet GFLOP/s | OpenBLAS GFLOP/s | typenet / OpenBLAS |\n");
        std::printf("|---|---|---|---|---|---|\n");
        for (const Problem& p : problems()) {
            const std::string key = std::string(form_name(p.form)) + "/" + shape_name(p) + "/threads:" +
                                    std::to_string(p.threads) + "/";
            const auto ours = gflops_.find(key + library_name(Library::typenet));
            const auto theirs = gflops_.find(key + library_name(Library::openblas));
            if (ours == gflops_.end() || theirs == gflops_.end()) continue;  // filtered out
            std::printf("| %s | %s | %d | %.1f | %.1f | %.3f |\n", form_name(p.form), shape_name(p).c_str(), p.threads,
                        ours->second, theirs->second, ours->second / theirs->second);
        }
    }

private:
    std::map<std::string, double> gflops_;
};

}  // namespace

int main(int argc, char** argv) {
    bench::add_machine_context();
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    SummaryReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_table();
    benchmark::Shutdown();
}
