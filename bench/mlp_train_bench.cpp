// Training throughput of the MLP 784-256-128-10 (ReLU, softmax cross-entropy,
// plain SGD lr 0.01, batch 64, float32) in samples/s, on 1 and 2 threads.
// Its PyTorch twin is bench/peers/mlp_torch.py; bench/compare_mlp.py runs both.
//
// Data: 60,000 random samples of MNIST's shape (784 inputs in [0, 1), labels
// 0-9). Throughput does not depend on the values; the PyTorch twin uses the same
// kind of data.
//
// One timed iteration is a full training step as fit() runs it: gather the batch
// from the data set by shuffled indices into Model::input(), then
// Model::train_step() (forward, fused softmax-CE loss and gradient, backward,
// SGD update). Wall-clock time: with 2 threads, CPU time would count both cores.
//
//   mlp_train_bench --benchmark_filter=/threads:1/ --benchmark_min_time=2
//   mlp_train_bench --benchmark_format=json   (compare_mlp.py reads items_per_second)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include <typenet/kernels/parallel.hpp>
#include <typenet/typenet.hpp>

namespace {

using MLP = tn::Sequential<tn::Input<784>, tn::Dense<256>, tn::ReLU, tn::Dense<128>, tn::ReLU, tn::Dense<10>>;
constexpr std::size_t batch = 64;
constexpr std::size_t samples = 60'000;

tn::Dataset random_mnist_shaped() {
    tn::Dataset data("random-mnist-shape", 784, 1);
    tn::Rng rng(tn::Seed{7});
    data.inputs.resize(samples * 784);
    data.targets.resize(samples);
    for (auto& v : data.inputs) v = rng.uniform(0.f, 1.f);
    for (auto& t : data.targets) t = float(rng.below(10));
    return data;
}

void BM_MlpTrainStep(benchmark::State& state) {
    tn::set_threads(int(state.range(0)));
    static const tn::Dataset data = random_mnist_shaped();
    tn::Model<MLP> model{tn::Seed{42}};
    tn::SGD sgd{{.lr = 0.01f}};
    const tn::SoftmaxCrossEntropy loss;

    std::vector<std::size_t> order(samples);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::vector<float> targets(batch);
    std::size_t position = samples;  // reshuffle on the first step
    auto step = [&] {
        if (position + batch > samples) {
            for (std::size_t i = samples - 1; i > 0; --i) std::swap(order[i], order[model.rng().below(i + 1)]);
            position = 0;
        }
        data.gather({order.data() + position, batch}, model.input(batch), targets.data());
        position += batch;
        return model.train_step(batch, targets.data(), loss, sgd);
    };

    for (int i = 0; i < 200; ++i) step();  // warm-up: arenas sized, caches and thread team warm
    float last_loss = 0;
    for (auto _ : state) last_loss = step().loss;
    state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(batch));
    // The loss as a label: a sanity check that the model trains. (It is not passed
    // through benchmark::DoNotOptimize: with Debian's Google Benchmark 1.7.1 and
    // g++ 12 that garbled the float, showing 1e20 or 0 for a loss of 2.3.)
    state.SetLabel("loss " + std::to_string(last_loss));
}

BENCHMARK(BM_MlpTrainStep)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
