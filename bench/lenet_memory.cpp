// Peak memory of LeNet-5 training (the CNN issue's target: <= 32 MiB resident).
//
//   build/bench/bench/lenet_memory [threads]      (default 1)
//
// Trains the LeNet-5 of cnn_train_bench.cpp on random data of MNIST's shape, batch
// 64, SGD, for 200 steps (every arena, workspace and GEMM buffer reaches its size in
// the first), then prints the process's peak resident set (getrusage's ru_maxrss)
// against the target. The figure covers everything the process holds: the model's
// arenas for a batch of 64, 16 batches of random data (3.2 MB), and the C++ and
// OpenMP runtimes. A program that trains on MNIST adds the data set itself.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <typenet/kernels/parallel.hpp>
#include <typenet/typenet.hpp>

using namespace tn;

using LeNet5 = Sequential<Input<1, 28, 28>, Conv2D<6, Kernel<5>, Pad<2>>, ReLU, MaxPool<2>, Conv2D<16, Kernel<5>>,
                          ReLU, MaxPool<2>, Flatten, Dense<120>, ReLU, Dense<84>, ReLU, Dense<10>>;

int main(int argc, char** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
    set_threads(threads);
    constexpr std::size_t batch = 64, batches = 16, width = Model<LeNet5>::input_size;
    Model<LeNet5> model{Seed{42}};
    Rng rng{Seed{7}};
    std::vector<float> inputs(batches * batch * width), labels(batches * batch);
    for (float& v : inputs) v = rng.uniform();
    for (float& t : labels) t = float(rng.below(10));
    SGD sgd{{.lr = 0.01f}};
    const SoftmaxCrossEntropy loss;
    float last = 0;
    for (std::size_t step = 0; step < 200; ++step) {
        const std::size_t b = step % batches;
        std::copy_n(inputs.data() + b * batch * width, batch * width, model.input(batch));
        last = model.train_step(batch, labels.data() + b * batch, loss, sgd).loss;
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
