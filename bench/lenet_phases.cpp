// Where a LeNet-5 training step goes: wall-clock time per layer and pass, per step of
// batch 64 (the network, data and optimizer of cnn_train_bench's `lenet`).
//
//   build/bench/bench/lenet_phases [threads] [steps]      (default 1 thread, 400 steps)
//
// Compiled with TYPENET_PHASE_TIMES (core/phase_times.hpp): each layer's forward and
// backward inside the model's Chain is timed. The optimizer's update is timed as a
// separate loop of SGD steps on the same parameter and gradient arrays, after the
// training steps; "rest" is the whole step minus the layers: the loss and its
// gradient, the optimizer, the finite check of the parameters. A fused pair
// (Conv2D + ReLU, Dense + ReLU) is timed under its first layer; the second shows 0.
// Prints one line per phase: `phase <pass> <layer> <microseconds per step>`, then the
// instruction set, so that two builds' outputs can be set side by side. "step cpu-time"
// is the process's CPU time per step (all threads).
#define TYPENET_PHASE_TIMES 1
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>

#include <typenet/kernels/parallel.hpp>
#include <typenet/kernels/simd.hpp>
#include <typenet/typenet.hpp>

#include "cnn_models.hpp"

using namespace tn;

int main(int argc, char** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
    const long steps = argc > 2 ? std::atol(argv[2]) : 400;
    set_threads(threads);
    constexpr std::size_t batch = 64, batches = 16, width = Model<bench::LeNet5>::input_size;
    Model<bench::LeNet5> model{Seed{42}};
    const bench::RandomBatches data(batches, batch, width);
    SGD sgd{{.lr = 0.01f}};
    const SoftmaxCrossEntropy loss;
    auto step = [&](long i) {
        const std::size_t b = std::size_t(i) % batches;
        std::copy_n(data.input(b), batch * width, model.input(batch));
        return model.train_step(batch, data.label(b), loss, sgd).loss;
    };
    for (long i = 0; i < 20; ++i) step(i);  // warm-up: arenas sized, thread team started
    phase_times::reset();
    const auto cpu_seconds = [] {
        timespec t{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
    };
    const double cpu_start = cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    float last = 0;
    for (long i = 0; i < steps; ++i) last = step(i);
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = cpu_seconds() - cpu_start;
    const auto update_start = std::chrono::steady_clock::now();
    for (long i = 0; i < steps; ++i) sgd.step(model.parameters(), model.gradients());
    const double update = std::chrono::duration<double>(std::chrono::steady_clock::now() - update_start).count();

    const double per_step = 1e6 / double(steps);
    double layers = 0;
    for (const auto& [key, entry] : phase_times::table()) {
        std::printf("phase %s %s %.1f\n", key.first.c_str(), key.second.c_str(), entry.seconds * per_step);
        layers += entry.seconds;
    }
    std::printf("phase update SGD %.1f\n", update * per_step);
    std::printf("phase rest loss+SGD+finite-check %.1f\n", (total - layers) * per_step);
    std::printf("phase step whole %.1f\n", total * per_step);
    // CPU time of all threads: on one thread, the step without the time the process
    // was descheduled (a busy machine); on more, their sum, spinning included.
    std::printf("phase step cpu-time %.1f\n", cpu * per_step);
    std::printf("simd %s threads %d steps %ld samples/s %.0f last-loss %.4f\n", simd::arch_name, threads, steps,
                double(steps * long(batch)) / total, double(last));
}
