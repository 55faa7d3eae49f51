// The Transformer's parts, on 1 and 2 threads:
//
//   encoder_block  TransformerEncoderLayer<4, 512> (post-norm, ReLU, dropout 0.1,
//                  PyTorch's defaults) on [64, 128], batch 16: one forward in
//                  training mode and one backward; samples/s
//   attention/T    MultiHeadAttention<4> on [T, 128], T = 64, 256, 1024, batch 1,
//                  inference forward (Model::forward(1, false)); the counters give
//                  the scores' scratch memory (4 heads x 16 query rows x T floats:
//                  linear in T) beside what a [T, T] tensor per head would take,
//                  and the arena the Model reserves (sized for training, so it holds
//                  the [H, T, T] probabilities backward would read: quadratic)
// Inputs are random and generated once. Wall-clock time.
//
//   transformer_bench --benchmark_filter='encoder_block'
// bench/transformer_torch.py is the PyTorch twin (same sizes, same modes).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include <typenet/kernels/parallel.hpp>
#include <typenet/typenet.hpp>

#include "machine_context.hpp"

namespace {

using namespace tn;

constexpr std::size_t width = 128, heads = 4, ff = 512, steps = 64, batch = 16;
using Block = Sequential<Input<steps, width>, TransformerEncoderLayer<heads, ff>>;

void encoder_block(benchmark::State& state) {
    set_threads(int(state.range(0)));
    Model<Block> model{Seed{42}};
    Rng rng{Seed{7}};
    std::vector<float> x(batch * steps * width), dy(x.size());
    for (float& v : x) v = rng.uniform(-1.f, 1.f);
    for (float& v : dy) v = rng.uniform(-1.f, 1.f);
    auto step = [&] {
        std::copy(x.begin(), x.end(), model.input(batch));
        model.forward(batch, true);
        model.backward(dy.data());
    };
    for (int i = 0; i < 3; ++i) step();  // warm-up: arenas sized, thread team warm
    for (auto _ : state) step();
    state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(batch));
}

template <std::size_t T>
void attention(benchmark::State& state) {
    set_threads(int(state.range(0)));
    using Net = Sequential<Input<T, width>, MultiHeadAttention<heads>>;
    Model<Net> model{Seed{42}};
    Rng rng{Seed{7}};
    std::vector<float> x(T * width);
    for (float& v : x) v = rng.uniform(-1.f, 1.f);
    std::copy(x.begin(), x.end(), model.input(1));
    model.forward(1, false);
    for (auto _ : state) {
        std::copy(x.begin(), x.end(), model.input(1));
        benchmark::DoNotOptimize(model.forward(1, false).data());
    }
    using L = at_t<0, typename Net::layers>;
    state.counters["scores_KiB"] = double(heads * L::tile_rows * T * sizeof(float)) / 1024;
    state.counters["full_TxT_KiB"] = double(heads * T * T * sizeof(float)) / 1024;
    state.counters["arena_KiB"] = double((L::cache_size + L::workspace_size) * sizeof(float)) / 1024;
    state.SetItemsProcessed(std::int64_t(state.iterations()));
}

}  // namespace

BENCHMARK(encoder_block)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(attention<64>)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(attention<256>)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(attention<1024>)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);

TYPENET_BENCHMARK_MAIN()
