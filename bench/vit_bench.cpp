// Lesson 44's Vision Transformer, one training step, on 1 and 2 threads:
//
//   vit_train   1 x 28 x 28 images, 7 x 7 patches (Conv2D<64, Kernel<7>, Stride<7>>),
//               a class token, learned positions, 4 pre-norm blocks of width 64 with
//               4 heads and a GELU feed-forward of 256, LayerNorm, the class token's
//               row, Dense<10>; batch 64, SoftmaxCrossEntropy and AdamW: samples/s
//
// Weights random (Seed 44), images and labels random. Wall-clock time.
// bench/vit_torch.py is the PyTorch twin (nn.Conv2d, nn.TransformerEncoderLayer with
// norm_first=True, batch_first=True, dropout 0).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include <typenet/kernels/parallel.hpp>
#include <typenet/typenet.hpp>

#include "machine_context.hpp"

namespace {

using namespace tn;

constexpr std::size_t batch = 64;
using ViT = Sequential<Input<1, 28, 28>, Conv2D<64, Kernel<7>, Stride<7>>, PatchesToSequence, ClassToken,
                       LearnedPositions<17>, Repeat<4, TransformerEncoderLayer<4, 256, PreNorm, GELU, BlockDropout<0>>>,
                       LayerNorm<>, FirstPosition, Dense<10>>;

void vit_train(benchmark::State& state) {
    set_threads(int(state.range(0)));
    Model<ViT> model{Seed{44}};
    Rng rng{Seed{7}};
    std::vector<float> images(batch * 28 * 28), labels(batch);
    for (float& v : images) v = rng.uniform(0.f, 1.f);
    for (float& v : labels) v = float(rng.below(10));
    AdamW adamw{{.lr = 1e-3f, .weight_decay = 0.05f}};
    auto step = [&] {
        std::copy(images.begin(), images.end(), model.input(batch));
        model.train_step(batch, labels.data(), SoftmaxCrossEntropy{}, adamw);
    };
    for (int i = 0; i < 3; ++i) step();
    for (auto _ : state) step();
    state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(batch));
}

}  // namespace

BENCHMARK(vit_train)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

TYPENET_BENCHMARK_MAIN()
