// Training throughput of MNIST MLPs in samples/s, on 1 and 2 threads, beside their
// PyTorch twins (bench/peers/mlp_torch.py; bench/compare.py runs both sides).
//
//   sgd         784-256-128-10, ReLU, softmax cross-entropy, plain SGD lr 0.01
//   adam        the same model, Adam lr 1e-3
//   bn_dropout  784-256-BN-ReLU-Dropout(0.2)-128-BN-ReLU-Dropout(0.2)-10, Adam lr 1e-3
// All with batch 64, float32.
//
// Data: MNIST's 60,000 training images (data/mnist, from scripts/fetch-data.sh),
// kept as bytes and scaled to [0, 1] when a batch is gathered, as the lessons do.
// Without it, random bytes of the same shape; the label says which.
//
// One timed iteration is a full training step as fit() runs it: gather the batch
// by shuffled indices into Model::input(), then Model::train_step() (forward, fused
// softmax-CE loss and gradient, backward, update). Wall-clock time: with 2 threads,
// CPU time would count both cores.
//
//   mlp_train_bench --benchmark_filter='^adam/threads:1/' --benchmark_min_time=2
//   mlp_train_bench --benchmark_format=json   (compare.py reads items_per_second)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include <typenet/data/mnist.hpp>
#include <typenet/kernels/parallel.hpp>
#include <typenet/typenet.hpp>

#include "machine_context.hpp"

namespace {

using namespace tn;

using Plain = Sequential<Input<784>, Dense<256>, ReLU, Dense<128>, ReLU, Dense<10>>;
using Regularized = Sequential<Input<784>, Dense<256>, BatchNorm<>, ReLU, Dropout<20>,  //
                               Dense<128>, BatchNorm<>, ReLU, Dropout<20>, Dense<10>>;
constexpr std::size_t batch = 64;

struct TrainingData {
    Dataset set;
    std::string source;
};

const TrainingData& training_data() {
    static const TrainingData data = [] {
        try {
            return TrainingData{data::mnist().train, "MNIST"};
        } catch (const std::exception&) {
            Dataset random("random bytes of MNIST's shape", 784, 1);
            Rng rng(Seed{7});
            random.bytes.resize(60'000 * 784);
            random.targets.resize(60'000);
            for (auto& b : random.bytes) b = std::uint8_t(rng.below(256));
            for (auto& t : random.targets) t = float(rng.below(10));
            return TrainingData{std::move(random), "random (data/mnist missing)"};
        }
    }();
    return data;
}

template <class Net, class Optimizer>
void train_steps(benchmark::State& state, Optimizer optimizer) {
    set_threads(int(state.range(0)));
    const Dataset& data = training_data().set;
    const std::size_t samples = data.size();
    Model<Net> model{Seed{42}};
    const SoftmaxCrossEntropy loss;

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
        return model.train_step(batch, targets.data(), loss, optimizer);
    };

    for (int i = 0; i < 200; ++i) step();  // warm-up: arenas sized, caches and thread team warm
    float last_loss = 0;
    for (auto _ : state) last_loss = step().loss;
    state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(batch));
    // The loss as a label: a sanity check that the model trains. (It is not passed
    // through benchmark::DoNotOptimize: with Debian's Google Benchmark 1.7.1 and
    // g++ 12 that garbled the float, showing 1e20 or 0 for a loss of 2.3.)
    state.SetLabel(training_data().source + ", loss " + std::to_string(last_loss));
}

void sgd(benchmark::State& state) { train_steps<Plain>(state, SGD{{.lr = 0.01f}}); }
void adam(benchmark::State& state) { train_steps<Plain>(state, Adam{{.lr = 1e-3f}}); }
void bn_dropout(benchmark::State& state) { train_steps<Regularized>(state, Adam{{.lr = 1e-3f}}); }

BENCHMARK(sgd)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(adam)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(bn_dropout)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();

}  // namespace

TYPENET_BENCHMARK_MAIN()
