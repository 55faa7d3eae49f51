// Peak memory of LeNet-5 training (the CNN issue's target: <= 32 MiB resident).
//
//   build/bench/bench/lenet_memory [threads]      (default 1)
//
// Trains the LeNet-5 of cnn_models.hpp on random data of MNIST's shape, batch
// 64, SGD, for 200 steps (every arena, workspace and GEMM buffer reaches its size in
// the first), then prints the process's peak resident set (getrusage's ru_maxrss)
// against the target. The figure covers everything the process holds: the model's
// arenas for a batch of 64, 16 batches of random data (3.2 MB), and the C++ and
// OpenMP runtimes. A program that trains on MNIST adds the data set itself.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include <typenet/kernels/parallel.hpp>
#include <typenet/typenet.hpp>

#include "cnn_models.hpp"

using namespace tn;

int main(int argc, char** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
    set_threads(threads);
    constexpr std::size_t batch = 64, batches = 16, width = Model<bench::LeNet5>::input_size;
    Model<bench::LeNet5> model{Seed{42}};
    const bench::RandomBatches data(batches, batch, width);
    SGD sgd{{.lr = 0.01f}};
    const SoftmaxCrossEntropy loss;
    float last = 0;
    for (std::size_t step = 0; step < 200; ++step) {
        const std::size_t b = step % batches;
        std::copy_n(data.input(b), batch * width, model.input(batch));
        last = model.train_step(batch, data.label(b), loss, sgd).loss;
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const double mib = double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
    const bool met = mib <= 32.0;
    std::printf("LeNet-5 training, batch %zu, %d thread(s): peak resident %.1f MiB (target <= 32 MiB: %s); "
                "last loss %.4f\n",
                batch, threads, mib, met ? "met" : "NOT met", double(last));
    return met ? 0 : 1;
}
