// A small GPT (layers/transformer/gpt.hpp), on 1 and 2 threads:
//
//   gpt_train          GPT<4, 128, 4, 64, 83> (d 128, 4 heads, ff 512, context 64, a
//                      character vocabulary of 83, no dropout), batch 16 x 64 tokens,
//                      TokenCrossEntropy and Adam: one whole training step; samples/s
//   generate_cached    LanguageModelSession over GPT<4, 128, 4, 256, 83>: 256 tokens
//                      generated one at a time from position 0 with the KV cache;
//                      items_per_second is tokens per second (1 / the time per token)
//   generate_uncached  the same model without KVCache: every step reruns the network
//                      over its whole context of 256 positions
// Weights random (Seed 42), token ids random. Wall-clock time.
//
//   gpt_bench --benchmark_filter='gpt_train'
// bench/gpt_torch.py is the PyTorch twin (the same model and modes, with a cache of
// its own and without, the latter rerunning exactly the prefix).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <span>
#include <vector>

#include <typenet/kernels/parallel.hpp>
#include <typenet/typenet.hpp>

#include "machine_context.hpp"

namespace {

using namespace tn;

constexpr std::size_t vocab = 83, batch = 16;
using Train = GPT<4, 128, 4, 64, vocab, BlockDropout<0>>;
using Cached = GPT<4, 128, 4, 256, vocab, BlockDropout<0>>;
using Uncached = Sequential<Tokens<256>, TiedEmbedding<vocab, 128, LearnedPositions<256>,
                                                       Repeat<4, TransformerEncoderLayer<4, 512, PreNorm, GELU, Causal,
                                                                                         BlockDropout<0>>>,
                                                       LayerNorm<>>>;

void gpt_train(benchmark::State& state) {
    set_threads(int(state.range(0)));
    Model<Train> model{Seed{42}};
    Rng rng{Seed{7}};
    std::vector<float> ids(batch * 64), targets(batch * 64);
    for (float& v : ids) v = float(rng.below(vocab));
    for (float& v : targets) v = float(rng.below(vocab));
    Adam adam{{.lr = 1e-3f}};
    auto step = [&] {
        std::copy(ids.begin(), ids.end(), model.input(batch));
        model.train_step(batch, targets.data(), TokenCrossEntropy{}, adam);
    };
    for (int i = 0; i < 3; ++i) step();
    for (auto _ : state) step();
    state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(batch));
}

template <class Net>
void generate(benchmark::State& state) {
    set_threads(int(state.range(0)));
    Model<Net> model{Seed{42}};
    LanguageModelSession session(model);
    std::vector<float> lp(vocab);
    constexpr std::size_t tokens = 256;
    for (auto _ : state) {
        session.begin(1);
        std::int32_t last = 1;
        for (std::size_t t = 0; t < tokens; ++t) {
            session.step(std::span<const std::int32_t>(&last, 1), lp.data());
            last = std::int32_t(t % vocab);
        }
        benchmark::DoNotOptimize(lp.data());
    }
    state.SetItemsProcessed(std::int64_t(state.iterations() * tokens));
}

void generate_cached(benchmark::State& state) { generate<Cached>(state); }
void generate_uncached(benchmark::State& state) { generate<Uncached>(state); }

}  // namespace

BENCHMARK(gpt_train)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(generate_cached)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(generate_uncached)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

TYPENET_BENCHMARK_MAIN()
