// What every benchmark prints in its header (Google Benchmark's context, also in its
// JSON output): the instruction set typenet's kernels were compiled for (xsimd's
// name of it), the cores the process may use, and the CPU's model from /proc/cpuinfo.
// A figure without these cannot be compared with another machine's or build's.
#pragma once
#include <benchmark/benchmark.h>
#include <sched.h>

#include <fstream>
#include <string>
#include <thread>

#include <typenet/kernels/simd.hpp>

namespace bench {

// "AMD EPYC (family 26, model 2)": the model name and, since a virtualised CPU's
// name is often only the brand, its family and model numbers.
inline std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line, name, family, model;
    auto value = [](const std::string& l) {
        const auto colon = l.find(':');
        return colon == std::string::npos || colon + 2 > l.size() ? std::string() : l.substr(colon + 2);
    };
    while (std::getline(in, line) && line.size() > 0) {  // the first processor's block
        if (line.rfind("model name", 0) == 0) name = value(line);
        else if (line.rfind("cpu family", 0) == 0) family = value(line);
        else if (line.rfind("model", 0) == 0 && line.find("model name") != 0) model = value(line);
    }
    if (name.empty()) return "unknown";
    return family.empty() ? name : name + " (family " + family + ", model " + model + ")";
}

inline int usable_cores() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
    return int(std::thread::hardware_concurrency());
}

inline void add_machine_context() {
    benchmark::AddCustomContext("typenet_simd", std::string(tn::simd::arch_name) + " (" +
                                                    std::to_string(tn::simd::width) + " floats per vector)");
    benchmark::AddCustomContext("cores", std::to_string(usable_cores()));
    benchmark::AddCustomContext("cpu_model", cpu_model());
}

}  // namespace bench

// BENCHMARK_MAIN() with the machine's context added first.
#define TYPENET_BENCHMARK_MAIN()                                          \
    int main(int argc, char** argv) {                                     \
        ::bench::add_machine_context();                                 \
        benchmark::Initialize(&argc, argv);                               \
        if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1; \
        benchmark::RunSpecifiedBenchmarks();                              \
        benchmark::Shutdown();                                            \
        return 0;                                                         \
    }
