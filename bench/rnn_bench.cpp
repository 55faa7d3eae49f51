// Recurrent networks, on 1 and 2 threads:
//
//   lstm_lm     the character LSTM language model: Tokens<64>, Embedding<65, 128>,
//               LSTM<256>, Dense<65>; TokenCrossEntropy over every position, Adam
//               lr 2e-3, batch 32 x 64 steps; training sequences/s
//   gru_lm      the same with GRU<256>
//   lstm_step   generation: one step of the same LSTM model at batch 1, the state
//               carried between calls (Stateful), Model::forward(1, false); steps/s
// Data: random ids below 65, targets random too (the speed does not depend on them),
// generated once; a training step copies its batch into Model::input() as fit()
// would, then runs Model::train_step. Wall-clock time.
//
//   rnn_bench --benchmark_filter='lstm_lm/threads:1'
// bench/rnn_torch.py is the PyTorch twin; bench/rnn_compare.py runs both, interleaved.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <typenet/kernels/parallel.hpp>
#include <typenet/typenet.hpp>

#include "machine_context.hpp"

namespace {

using namespace tn;

constexpr std::size_t vocabulary = 65, steps = 64, batch = 32, batches_of_data = 8;
template <class Recurrent>
using CharLM = Sequential<Tokens<steps>, Embedding<vocabulary, 128>, Recurrent, Dense<vocabulary>>;
using Generator = Sequential<Tokens<1>, Embedding<vocabulary, 128>, LSTM<256, Stateful>, Dense<vocabulary>>;

template <class Net>
void train_steps(benchmark::State& state) {
    set_threads(int(state.range(0)));
    Model<Net> model{Seed{42}};
    Rng rng{Seed{7}};
    std::vector<float> ids(batches_of_data * batch * steps), targets(ids.size());
    for (float& v : ids) v = float(rng.below(vocabulary));
    for (float& v : targets) v = float(rng.below(vocabulary));
    Adam adam{{.lr = 2e-3f}};
    const TokenCrossEntropy loss;
    std::size_t next = 0;
    auto step = [&] {
        const std::size_t b = next++ % batches_of_data;
        std::copy_n(ids.data() + b * batch * steps, batch * steps, model.input(batch));
        return model.train_step(batch, targets.data() + b * batch * steps, loss, adam);
    };
    for (int i = 0; i < 3; ++i) step();  // warm-up: arenas sized, caches and thread team warm
    float last_loss = 0;
    for (auto _ : state) last_loss = step().loss;
    state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(batch));
    state.SetLabel("random data, loss " + std::to_string(last_loss));
}

void lstm_lm(benchmark::State& state) { train_steps<CharLM<LSTM<256>>>(state); }
void gru_lm(benchmark::State& state) { train_steps<CharLM<GRU<256>>>(state); }

void lstm_step(benchmark::State& state) {
    set_threads(int(state.range(0)));
    Model<Generator> model{Seed{42}};
    float id = 1, sink = 0;
    for (int i = 0; i < 100; ++i) {
        model.input(1)[0] = id;
        sink += model.forward(1, false)[0];
    }
    for (auto _ : state) {
        model.input(1)[0] = id;
        const auto y = model.forward(1, false);
        id = float((std::size_t(id) + 7) % vocabulary);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(std::int64_t(state.iterations()));
    state.SetLabel(sink == sink ? "batch 1, one step" : "NaN");
}

BENCHMARK(lstm_lm)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(gru_lm)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(lstm_step)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

TYPENET_BENCHMARK_MAIN()
