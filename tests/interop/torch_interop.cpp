// The C++ half of the PyTorch interchange test (torch_interop.py drives it):
//   torch_interop export DIR   writes DIR/typenet.safetensors (save_model) and
//                              DIR/typenet_io.safetensors (an input and typenet's output on it)
//   torch_interop check DIR    loads DIR/torch.safetensors (written by PyTorch) with load_model,
//                              runs DIR/torch_io.safetensors' input, and compares with PyTorch's output
// The network mirrors torch_interop.py's nn.Sequential, BatchNorm included (evaluation mode).
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <typenet/core/sequential.hpp>
#include <typenet/layers/activations.hpp>
#include <typenet/layers/batch_norm.hpp>
#include <typenet/layers/dense.hpp>
#include <typenet/train/checkpoint.hpp>
#include <vector>

using namespace tn;
namespace st = tn::io::safetensors;
using Net = Sequential<Input<6>, Dense<16>, ReLU, Dense<8>, BatchNorm<>, Tanh, Dense<3>>;
constexpr std::size_t batch = 5;

int export_model(const std::filesystem::path& dir) {
    Model<Net> model{Seed{42}};
    // Running statistics and a BatchNorm scale away from their defaults, so that a
    // buffer loaded into the wrong place changes the output.
    Rng rng(Seed{7});
    for (auto& t : model.named_buffers())
        for (auto& v : t.values) v = t.name.ends_with("running_var") ? rng.uniform(0.5f, 2.f) : rng.normal(0.f, 0.3f);
    for (auto& v : model.parameter("3.weight").values) v = rng.uniform(0.5f, 1.5f);
    for (auto& v : model.parameter("3.bias").values) v = rng.normal(0.f, 0.2f);

    std::vector<float> x(batch * 6);
    for (auto& v : x) v = rng.normal();
    std::copy(x.begin(), x.end(), model.input(batch));
    const auto out = model.forward(batch, false);
    const std::vector<float> y(out.begin(), out.end());
    save_model(dir / "typenet.safetensors", model);
    st::write(dir / "typenet_io.safetensors", {st::view("input", {batch, 6}, std::span(x)), st::view("output", {batch, 3}, std::span(y))});
    return 0;
}

int check_model(const std::filesystem::path& dir) {
    Model<Net> model{Seed{1}};
    load_model(dir / "torch.safetensors", model);
    const auto io = st::read(dir / "torch_io.safetensors");
    const auto x = io.at("input").to_floats(), expected = io.at("output").to_floats();
    std::copy(x.begin(), x.end(), model.input(batch));
    const auto out = model.forward(batch, false);
    double worst = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) worst = std::max(worst, std::abs(double(out[i]) - double(expected[i])));
    std::printf("typenet on PyTorch's weights: largest difference from PyTorch's output %.3g\n", worst);
    return worst <= 1e-5 ? 0 : 1;
}

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s export|check DIR\n", argv[0]);
        return 2;
    }
    try {
        const std::string mode = argv[1];
        if (mode == "export") return export_model(argv[2]);
        if (mode == "check") return check_model(argv[2]);
        std::fprintf(stderr, "unknown mode '%s'\n", argv[1]);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "torch_interop: %s\n", e.what());
        return 1;
    }
}
