// GPT-2 124M's forward at batch 1, sequence 128: milliseconds and peak memory, beside
// bench/gpt2_torch.py (the same network from GPT-2's equations in PyTorch, run by
// bench/gpt2_compare.sh in the same session). Random weights: nothing is downloaded.
//
//   gpt2_forward [threads] [window|full] [--check weights.safetensors]
//
//   window (default)  GPT2<12, 768, 12, 1024, 50257, 128>: GPT-2 small reading 128
//                     tokens per call (the parameters of GPT2Small, at the same offsets)
//   full              GPT2Small itself, Tokens<1024>, given the same 128 tokens as a
//                     sample of length 128: what a model bound to GPT-2's whole context
//                     costs for a short input (every Dense and the head still compute
//                     1024 positions; the arenas are sized for 1024)
//   --check FILE      load FILE (bench/gpt2_torch.py --write FILE: random GPT-2 weights
//                     in Hugging Face's names, the ids and PyTorch's float64 logits) and
//                     report the largest difference of the logits, before timing
//
// Prints the best and median of 20 forwards (after 3 unmeasured ones), and the
// process's resident memory: after the model is built (parameters, gradients),
// after the first forward (the activation arena), and the peak (getrusage).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <typenet/interop/hugging_face_gpt2.hpp>
#include <typenet/io/safetensors.hpp>
#include <typenet/kernels/parallel.hpp>
#include <typenet/typenet.hpp>

#include "machine_context.hpp"

namespace {

using namespace tn;
constexpr std::size_t tokens = 128;

double resident_mib() {  // now, from /proc/self/statm (pages)
    std::ifstream in("/proc/self/statm");
    std::size_t size = 0, resident = 0;
    in >> size >> resident;
    return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}
double peak_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0;  // KiB on Linux
}

template <class Net>
int run(int threads, const char* label, const char* check) {
    set_threads(threads);
    const double before = resident_mib();
    auto model = std::make_unique<Model<Net>>(Seed{42});
    const double built = resident_mib();
    constexpr std::size_t window = Model<Net>::input_size, V = 50257;

    std::vector<std::int64_t> ids(tokens);
    Rng rng{Seed{7}};
    for (auto& id : ids) id = std::int64_t(rng.below(V));
    std::vector<float> want;
    if (check) {
        const auto report = load_hugging_face_gpt2(check, *model);
        const auto file = io::safetensors::read(check);
        ids = file.at("reference.ids").to_int64s();
        want = file.at("reference.logits").to_floats();
        std::printf("loaded %s: %s\n", check, report.summary().c_str());
    }
    const auto forward = [&] {
        float* x = model->input(1);
        std::fill_n(x, window, 0.f);
        for (std::size_t t = 0; t < tokens; ++t) x[t] = float(ids[t]);
        if (window != tokens) model->lengths(1)[0] = std::uint32_t(tokens);
        return model->forward(1);
    };
    const auto y = forward();
    const double after_first = resident_mib();
    if (check) {
        double worst = 0, largest = 0;
        for (std::size_t i = 0; i < tokens * V; ++i) {
            worst = std::max(worst, std::abs(double(y[i]) - double(want[i])));
            largest = std::max(largest, std::abs(double(want[i])));
        }
        std::printf("logits vs PyTorch (float64): max |diff| %.3g, max |logit| %.3g\n", worst, largest);
    }
    for (int i = 0; i < 2; ++i) forward();
    std::vector<double> ms;
    for (int i = 0; i < 20; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto out = forward();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (!std::isfinite(out[0])) return 1;
    }
    std::sort(ms.begin(), ms.end());
    std::printf(
        "typenet %s (%s), %d thread(s): forward batch 1 x %zu tokens: best %.1f ms, median %.1f ms; "
        "resident MiB: start %.0f, model built %.0f, after the first forward %.0f, peak %.0f\n",
        label, tn::simd::arch_name, threads, tokens, ms.front(), ms[ms.size() / 2], before, built, after_first,
        peak_mib());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int threads = 1;
    std::string mode = "window";
    const char* check = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--check") == 0 && i + 1 < argc)
            check = argv[++i];
        else if (std::strcmp(argv[i], "window") == 0 || std::strcmp(argv[i], "full") == 0)
            mode = argv[i];
        else
            threads = std::atoi(argv[i]);
    }
    std::printf("cpu: %s, %d usable cores\n", bench::cpu_model().c_str(), bench::usable_cores());
    if (mode == "full") return run<GPT2Small>(threads, "GPT2Small (Tokens<1024>, length 128)", check);
    return run<GPT2<12, 768, 12, 1024, 50257, tokens>>(threads, "GPT2<12, 768, 12, 1024, 50257, 128>", check);
}
