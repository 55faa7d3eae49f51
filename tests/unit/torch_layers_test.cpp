// Every layer against PyTorch, without PyTorch: tests/reference/make_torch_layers.py
// wrote, per layer, a fixed input, PyTorch's weights, output, and the gradients of
// sum(output * probe) for the input and every parameter (BatchNorm in training also
// its running statistics after the forward). typenet loads the weights by their
// names (load_matching: "0.weight" is nn.Sequential(layer)'s name and typenet's), runs
// the same forward and backward, and must agree to 1e-5, relative (absolute below 1).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <typenet/io/safetensors.hpp>
#include <typenet/train/transfer.hpp>
#include <typenet/typenet.hpp>
#include <vector>

using namespace tn;
namespace st = tn::io::safetensors;
namespace fs = std::filesystem;

namespace {
fs::path reference(const std::string& name) {
    return fs::path(__FILE__).parent_path().parent_path() / "reference" / ("torch_layers_" + name + ".safetensors");
}

// |typenet - PyTorch| <= 1e-5 max(1, |PyTorch|), element by element; names the worst.
void compare(const std::string& what, std::span<const float> got, const std::vector<float>& want) {
    REQUIRE_MESSAGE(got.size() == want.size(), what);
    double worst = 0;
    std::size_t at = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const double err = std::abs(double(got[i]) - double(want[i])) / std::max(1.0, std::abs(double(want[i])));
        if (!(err <= worst)) worst = err, at = i;  // a NaN is the worst
    }
    INFO(what << "[" << at << "]: typenet " << got[at] << ", PyTorch " << want[at]);
    CHECK(worst <= 1e-5);
}

// Layer 0 of Net is the file's layer (its "typenet" metadata says which).
template <class Net>
void check_layer(const std::string& name) {
    INFO("case " << name);
    const auto file = st::read(reference(name));
    const bool training = file.metadata.at("mode") == "train";
    Model<Net> model{Seed{1}};
    // Every parameter and buffer of the layer comes from PyTorch's state_dict.
    const LoadReport loaded = load_matching(reference(name), model);
    CHECK(loaded.missing.empty());
    CHECK(loaded.loaded.size() == model.named_parameters().size() + model.named_buffers().size());

    const auto x = file.at("input").to_floats();
    const std::size_t batch = x.size() / Model<Net>::input_size;
    std::copy(x.begin(), x.end(), model.input(batch));
    compare("output", model.forward(batch, training), file.at("output").to_floats());

    std::fill(model.gradients().begin(), model.gradients().end(), 0.f);
    const auto probe = file.at("probe").to_floats();
    std::vector<float> dx(x.size());
    model.backward(probe.data(), Model<Net>::token_input ? nullptr : dx.data());
    if constexpr (!Model<Net>::token_input) compare("grad.input", dx, file.at("grad.input").to_floats());
    for (const auto& p : model.named_parameters())
        compare("grad." + p.name, p.gradients, file.at("grad." + p.name).to_floats());
    if (training)
        for (const auto& b : model.named_buffers()) compare("after." + b.name, b.values, file.at("after." + b.name).to_floats());
}
}  // namespace

TEST_CASE("PyTorch's layers: Dense is nn.Linear") {
    check_layer<Sequential<Input<5>, Dense<4>>>("dense");
    check_layer<Sequential<Input<5>, Dense<4, NoBias>>>("dense_nobias");
    check_layer<Sequential<Input<3, 5>, Dense<4>>>("dense_per_position");
}

TEST_CASE("PyTorch's layers: Conv2D is nn.Conv2d, with and without bias, padding, stride, dilation") {
    check_layer<Sequential<Input<3, 7, 7>, Conv2D<4, Kernel<3>>>>("conv");
    check_layer<Sequential<Input<3, 6, 6>, Conv2D<4, Kernel<3>, Pad<1>, NoBias>>>("conv_pad_nobias");
    check_layer<Sequential<Input<2, 7, 7>, Conv2D<4, Kernel<3>, Stride<2>, Pad<1>>>>("conv_stride");
    check_layer<Sequential<Input<2, 7, 7>, Conv2D<3, Kernel<3>, Dilation<2>, Pad<2>>>>("conv_dilation");
    check_layer<Sequential<Input<2, 7, 6>, Conv2D<3, Kernel<3, 2>, Stride<2, 1>, Pad<1, 0>>>>("conv_rect");
    check_layer<Sequential<Input<2, 6, 6>, Conv2D<3, Kernel<5>, Same>>>("conv_same");
}

TEST_CASE("PyTorch's layers: BatchNorm is nn.BatchNorm1d, BatchNorm2D nn.BatchNorm2d, training and evaluation") {
    check_layer<Sequential<Input<6>, BatchNorm<>>>("batch_norm_1d");
    check_layer<Sequential<Input<6>, BatchNorm<>>>("batch_norm_1d_eval");
    check_layer<Sequential<Input<3, 4, 4>, BatchNorm2D<>>>("batch_norm_2d");
    check_layer<Sequential<Input<3, 4, 4>, BatchNorm2D<>>>("batch_norm_2d_eval");
}

TEST_CASE("PyTorch's layers: pooling, Flatten and Dropout (evaluation)") {
    check_layer<Sequential<Input<2, 6, 6>, MaxPool<2>>>("max_pool");
    check_layer<Sequential<Input<2, 7, 7>, MaxPool<3, 2, Pad<1>>>>("max_pool_pad");
    check_layer<Sequential<Input<2, 6, 6>, AvgPool<2>>>("avg_pool");
    check_layer<Sequential<Input<2, 7, 7>, AvgPool<3, 2, Pad<1>>>>("avg_pool_pad");
    check_layer<Sequential<Input<3, 4, 5>, GlobalAvgPool>>("global_avg_pool");
    check_layer<Sequential<Input<2, 3, 3>, Flatten>>("flatten");
    check_layer<Sequential<Input<6>, Dropout<50>>>("dropout_eval");
    check_layer<Sequential<Input<2, 3, 3>, Dropout2D<50>>>("dropout_2d_eval");
}

TEST_CASE("PyTorch's layers: Embedding is nn.Embedding, padding_idx included") {
    check_layer<Sequential<Tokens<5>, Embedding<7, 3>>>("embedding");
    check_layer<Sequential<Tokens<5>, Embedding<7, 3, PaddingId<0>>>>("embedding_padding");
}

TEST_CASE("PyTorch's layers: the activations") {
    check_layer<Sequential<Input<8>, ReLU>>("relu");
    check_layer<Sequential<Input<8>, Tanh>>("tanh");
    check_layer<Sequential<Input<8>, Sigmoid>>("sigmoid");
    check_layer<Sequential<Input<8>, LeakyReLU<>>>("leaky_relu");
    check_layer<Sequential<Input<8>, LeakyReLU<1, 5>>>("leaky_relu_20");
    check_layer<Sequential<Input<8>, ELU<>>>("elu");
    check_layer<Sequential<Input<8>, ELU<1, 2>>>("elu_half");
    check_layer<Sequential<Input<8>, SELU>>("selu");
    check_layer<Sequential<Input<8>, GELU>>("gelu");
    check_layer<Sequential<Input<8>, GELUTanh>>("gelu_tanh");
    check_layer<Sequential<Input<8>, Identity>>("identity");
    check_layer<Sequential<Input<8>, Softmax>>("softmax");
    check_layer<Sequential<Input<3, 4>, Softmax>>("softmax_per_position");
}
