// The core's clock while it runs, estimated without performance counters (a VM often
// has none, and /proc/cpuinfo's "cpu MHz" under KVM is the host's nominal figure):
// a chain of dependent integer additions retires one per cycle on every x86 core of
// the last 15 years, so additions per second of this thread's CPU time is the clock.
// Used for the GEMM's fraction of FMA peak (docs/performance.md).
//
//   build/bench/bench/cpu_clock [seconds]     (default 2)
#include <time.h>

#include <cstdio>
#include <cstdlib>

namespace {
double thread_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}
}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
    long x = 0, iterations = 0;
    const double start = thread_seconds();
    double now = start;
    while (now - start < seconds) {
        for (int i = 0; i < 10'000'000; ++i)
            asm volatile(
                "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0"
                : "+r"(x));
        iterations += 10'000'000;
        now = thread_seconds();
    }
    std::printf("%.2f GHz (%ld dependent additions in %.2f s of this thread's CPU time)\n",
                double(iterations) * 10 / (now - start) / 1e9, iterations * 10, now - start);
    return x == 0;
}
