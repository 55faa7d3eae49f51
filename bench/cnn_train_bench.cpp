// Throughput of convolutional networks in samples/s, on 1 and 2 threads.
//
//   lenet         LeNet-5 (ReLU, max pooling) on 1x28x28, SGD lr 0.01, batch 64
//   lenet_infer   the same network, inference of one sample (Model::forward(1, false))
//   vgg_small     VGG-small on 3x32x32: conv32, conv32, maxpool, conv64, conv64, maxpool,
//                 flatten, dense256, dense10; ReLU; 3x3 convolutions with padding 1;
//                 SGD lr 0.01, batch 64
// Softmax cross-entropy, float32. Data: random values in [0, 1) of the input's shape
// (the speed does not depend on the values) and random labels, generated once; a
// step copies its batch into Model::input() as fit() would, then runs
// Model::train_step (forward, loss, backward, update). Wall-clock time.
//
//   cnn_train_bench --benchmark_filter='lenet/threads:1' --benchmark_min_time=2
// bench/compare.py --model lenet (or vgg_small, lenet_infer) runs it beside its PyTorch twin,
// bench/peers/cnn_torch.py, and prints the ratio against the target.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <typenet/kernels/parallel.hpp>
#include <typenet/typenet.hpp>

#include "cnn_models.hpp"
#include "machine_context.hpp"

namespace {

using namespace tn;

using bench::LeNet5;
using bench::VggSmall;
constexpr std::size_t batch = 64;
constexpr std::size_t batches_of_data = 16;

template <class Net>
void train_steps(benchmark::State& state) {
    set_threads(int(state.range(0)));
    Model<Net> model{Seed{42}};
    constexpr std::size_t width = Model<Net>::input_size;
    const bench::RandomBatches data(batches_of_data, batch, width);
    SGD sgd{{.lr = 0.01f}};
    const SoftmaxCrossEntropy loss;
    std::size_t next = 0;
    auto step = [&] {
        const std::size_t b = next++ % batches_of_data;
        std::copy_n(data.input(b), batch * width, model.input(batch));
        return model.train_step(batch, data.label(b), loss, sgd);
    };
    for (int i = 0; i < 20; ++i) step();  // warm-up: arenas sized, caches and thread team warm
    float last_loss = 0;
    for (auto _ : state) last_loss = step().loss;
    state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(batch));
    // The loss as a label: a sanity check that the numbers are not garbage.
    state.SetLabel("random data, loss " + std::to_string(last_loss));
}

void lenet_infer(benchmark::State& state) {
    set_threads(int(state.range(0)));
    Model<LeNet5> model{Seed{42}};
    Rng rng{Seed{7}};
    std::vector<float> image(28 * 28);
    for (float& v : image) v = rng.uniform();
    float sink = 0;
    for (int i = 0; i < 100; ++i) {
        std::copy(image.begin(), image.end(), model.input(1));
        sink += model.forward(1, false)[0];
    }
    for (auto _ : state) {
        std::copy(image.begin(), image.end(), model.input(1));
        const auto y = model.forward(1, false);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(std::int64_t(state.iterations()));
    state.SetLabel(sink == sink ? "batch 1" : "NaN");
}

void lenet(benchmark::State& state) { train_steps<LeNet5>(state); }
void vgg_small(benchmark::State& state) { train_steps<VggSmall>(state); }

BENCHMARK(lenet)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(lenet_infer)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(vgg_small)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();

}  // namespace

TYPENET_BENCHMARK_MAIN()
