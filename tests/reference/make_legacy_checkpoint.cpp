// How tests/reference/legacy_checkpoint/ was made: a checkpoint as typenet wrote it
// before its tensor names followed nn.Sequential ("layers.3.weight", blocks
// "layers.3.layers.0.weight", Repeat's copies "layers.3.layers.1.layers.0.weight",
// no num_batches_tracked). It was built against typenet at commit 52aa815, the last
// with those names:
//
//   g++ -std=c++20 -O2 -fopenmp -I<typenet at 52aa815>/include make_legacy_checkpoint.cpp
//   ./a.out tests/reference/legacy_checkpoint
//
// Built against today's typenet it writes today's names, so it is kept to say what
// the files hold, not to remake them. parameter_names_test.cpp loads them.
//
// The files: epoch-0002.safetensors (the model after a few Adam steps, BatchNorm's
// running statistics moved), epoch-0002.state.safetensors (Adam's state, position
// after epoch 2), and io.safetensors: an input and the model's output on it
// (evaluation mode), which the model loaded from the old files must reproduce.
#include <filesystem>
#include <typenet/typenet.hpp>
#include <typenet/train/checkpoint.hpp>
#include <typenet/train/checkpoint_every.hpp>
#include <vector>

using namespace tn;
namespace st = tn::io::safetensors;
using Net = Sequential<Input<4>, Dense<6>, BatchNorm<>, Residual<Dense<6>, Tanh>, Repeat<2, Dense<6>>,
                       Sequential<Dense<6>, ReLU>, Dense<3>>;

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    Model<Net> model{Seed{5}};
    Adam adam{{.lr = 0.01f}};
    Rng rng{Seed{9}};
    constexpr std::size_t batch = 8;
    std::vector<float> targets(batch * 3);
    for (int step = 0; step < 6; ++step) {
        float* x = model.input(batch);
        for (std::size_t i = 0; i < batch * 4; ++i) x[i] = rng.normal();
        for (auto& t : targets) t = rng.normal();
        model.train_step(batch, targets.data(), MSE{}, adam);
    }
    TrainingPosition at{.epoch = 2, .step = model.steps(), .rng = model.rng().state(), .learning_rate = 0.01f};
    const CheckpointPaths paths = checkpoint_paths(dir, 2);
    save_model(paths.model, model);
    save_training_state(paths.state, adam, at);

    std::vector<float> x(batch * 4);
    for (auto& v : x) v = rng.normal();
    std::copy(x.begin(), x.end(), model.input(batch));
    const auto out = model.forward(batch, false);
    const std::vector<float> y(out.begin(), out.end());
    st::write(dir / "io.safetensors", {st::view("input", {batch, 4}, std::span<const float>(x)),
                                       st::view("output", {batch, 3}, std::span<const float>(y))});
    return 0;
}
