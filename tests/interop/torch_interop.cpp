// The C++ half of the PyTorch interchange test (torch_interop.py drives it):
//   torch_interop export DIR   for each network N below, writes DIR/N.typenet.safetensors
//                              (save_model) and DIR/N.typenet_io.safetensors (an input and
//                              typenet's output on it, evaluation mode)
//   torch_interop check DIR    loads DIR/N.torch.safetensors (a plain nn.Sequential's
//                              state_dict, written by PyTorch) with load_model, runs
//                              DIR/N.torch_io.safetensors' input, and compares with PyTorch's
//                              output; exits 1 if any network differs
// Each network has every one of its layers' PyTorch twins in torch_interop.py's NETS,
// under the same name; between them they hold every layer typenet has.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <typenet/train/checkpoint.hpp>
#include <typenet/typenet.hpp>
#include <vector>

using namespace tn;
namespace st = tn::io::safetensors;

namespace nets {
// Dense with and without bias, BatchNorm1d, Dropout, and every activation PyTorch has.
using Mlp = Sequential<Input<6>, Dense<16>, ReLU, Dense<8>, BatchNorm<>, Tanh, Dropout<20>, Dense<8, NoBias>, Sigmoid,
                       Dense<8>, LeakyReLU<>, Dense<8>, ELU<>, Dense<8>, SELU, Dense<8>, GELU, Dense<8>, Identity,
                       Dense<3>, Softmax>;
// Conv2D with padding, dilation, stride, no bias; BatchNorm2D; pools; Dropout2D; Flatten.
using Cnn = Sequential<Input<3, 16, 16>, Conv2D<4, Kernel<3>, Pad<1>>, BatchNorm2D<>, ReLU, MaxPool<2>,
                       Conv2D<6, Kernel<3>, Dilation<2>, Pad<2>>, AvgPool<2>, Conv2D<8, Kernel<3>, Stride<2>, Pad<1>, NoBias>,
                       Dropout2D<10>, Flatten, Dense<3>>;
// A rectangular kernel and stride, padded pools (an average that leaves the padding
// out, as count_include_pad=False), Same, global average pooling, BatchNorm on an image.
using Cnn2 = Sequential<Input<2, 9, 9>, Conv2D<4, Kernel<3, 2>, Stride<2, 1>>, BatchNorm<>, ELU<>,
                        MaxPool<3, 2, Pad<1>>, AvgPool<2, 1, Pad<1>>, Conv2D<5, Kernel<3>, Same>, GlobalAvgPool, Dense<2>>;
// Token ids: Embedding (with a padding row), Dense per position, Flatten of [T, D].
using Tokens5 = Sequential<Tokens<5>, Embedding<11, 6, PaddingId<0>>, Dense<4>, Tanh, Flatten, Dense<3>>;
// Every container, named as docs/design.md says (a block, Residual, the three Repeats, Frozen).
using Blocks = Sequential<Input<4>, Dense<8>, Sequential<Dense<8>, ReLU, Dense<8>>, Residual<Dense<8>, Tanh>,
                          Repeat<2, Dense<8>>, Repeat<2, Sequential<ReLU, Dense<8>>>, Repeat<2, Dense<8>, ReLU, Dense<8>>,
                          Frozen<Dense<8>>, BatchNorm<>, Dense<3>>;
}  // namespace nets

constexpr std::size_t batch = 5;

// The input: ids below the vocabulary for a token model (as floats, as the arena holds
// them), normal values otherwise.
template <class Net>
std::vector<float> make_input(Rng& rng) {
    std::vector<float> x(batch * Model<Net>::input_size);
    for (auto& v : x) {
        if constexpr (Model<Net>::token_input) v = std::floor(rng.uniform(0.f, float(Model<Net>::token_limit) - 0.01f));
        else v = rng.normal();
    }
    return x;
}

template <std::size_t R>
std::vector<std::size_t> dims_of(const std::array<std::size_t, R>& dims) {
    return {dims.begin(), dims.end()};
}

template <class Net>
void export_model(const std::filesystem::path& dir, const std::string& name) {
    Model<Net> model{Seed{42}};
    // Running statistics and BatchNorm scales away from their defaults, so that a
    // buffer or parameter loaded into the wrong place changes the output.
    Rng rng(Seed{7});
    for (auto& t : model.named_buffers())
        for (auto& v : t.values) v = t.name.ends_with("running_var") ? rng.uniform(0.5f, 2.f) : rng.normal(0.f, 0.3f);
    for (auto& t : model.named_parameters())
        if (t.shape.size() == 1 && !t.name.ends_with("bias"))  // BatchNorm's weight (gamma)
            for (auto& v : t.values) v = rng.uniform(0.5f, 1.5f);
    // A few steps, so that the saved counter (num_batches_tracked) is not 0.
    model.set_steps(3);

    const std::vector<float> x = make_input<Net>(rng);
    std::copy(x.begin(), x.end(), model.input(batch));
    const auto out = model.forward(batch, false);
    const std::vector<float> y(out.begin(), out.end());
    save_model(dir / (name + ".typenet.safetensors"), model);
    std::vector<std::size_t> in_shape{batch}, out_shape{batch};
    for (auto d : dims_of(Model<Net>::input_shape::dims)) in_shape.push_back(d);
    for (auto d : dims_of(Model<Net>::output_shape::dims)) out_shape.push_back(d);
    st::write(dir / (name + ".typenet_io.safetensors"),
              {st::view("input", in_shape, std::span(x)), st::view("output", out_shape, std::span(y))});
}

template <class Net>
bool check_model(const std::filesystem::path& dir, const std::string& name) {
    Model<Net> model{Seed{1}};
    load_model(dir / (name + ".torch.safetensors"), model);
    const auto io = st::read(dir / (name + ".torch_io.safetensors"));
    const auto x = io.at("input").to_floats(), expected = io.at("output").to_floats();
    std::copy(x.begin(), x.end(), model.input(batch));
    const auto out = model.forward(batch, false);
    double worst = 0;  // relative to the output's size, at least 1
    for (std::size_t i = 0; i < expected.size(); ++i)
        worst = std::max(worst, std::abs(double(out[i]) - double(expected[i])) / std::max(1.0, std::abs(double(expected[i]))));
    std::printf("%-8s typenet on PyTorch's weights: largest difference from PyTorch's output %.3g\n", name.c_str(),
                worst);
    return worst <= 1e-5;
}

// Calls f.template operator()<Net>(name) for every network.
template <class F>
void for_each_net(F&& f) {
    f.template operator()<nets::Mlp>("mlp");
    f.template operator()<nets::Cnn>("cnn");
    f.template operator()<nets::Cnn2>("cnn2");
    f.template operator()<nets::Tokens5>("tokens");
    f.template operator()<nets::Blocks>("blocks");
}

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s export|check DIR\n", argv[0]);
        return 2;
    }
    try {
        const std::string mode = argv[1];
        const std::filesystem::path dir = argv[2];
        if (mode == "export") {
            for_each_net([&]<class Net>(const std::string& name) { export_model<Net>(dir, name); });
            return 0;
        }
        if (mode == "check") {
            int failures = 0;
            for_each_net([&]<class Net>(const std::string& name) { failures += check_model<Net>(dir, name) ? 0 : 1; });
            return failures == 0 ? 0 : 1;
        }
        std::fprintf(stderr, "unknown mode '%s'\n", argv[1]);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "torch_interop: %s\n", e.what());
        return 1;
    }
}
