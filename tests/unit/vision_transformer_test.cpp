// The Vision Transformer's parts (layers/vision/): PatchesToSequence turns a strided
// convolution's [D, H, W] into patch tokens [H W, D], ClassToken puts a learned row
// first, FirstPosition reads it back; forward values by hand, gradients by finite
// differences, alone and in a whole small ViT.
#include <doctest/doctest.h>

#include <vector>

#include <typenet/typenet.hpp>

#include "../support/gradient_check.hpp"

using namespace tn;

TEST_CASE("PatchesToSequence: position t holds patch t's features, in row-major patch order") {
    using Net = Sequential<Input<2, 2, 3>, PatchesToSequence>;  // 2 channels of 2 x 3 patches
    static_assert(std::is_same_v<Model<Net>::output_shape, Shape<6, 2>>);
    Model<Net> model;
    std::vector<float> x(12);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i);  // channel c, patch t: c * 6 + t
    const auto y = model.predict(x);
    for (std::size_t t = 0; t < 6; ++t)
        for (std::size_t c = 0; c < 2; ++c) CHECK(y[t * 2 + c] == float(c * 6 + t));
}

TEST_CASE("ClassToken and FirstPosition: the token goes first, and is what comes out") {
    using Net = Sequential<Input<3, 2>, ClassToken, FirstPosition>;
    Model<Net> model;
    const auto token = model.parameter("0.class_token");
    CHECK(token.shape == std::vector<std::size_t>{1, 1, 2});
    token.values[0] = 0.25f;
    token.values[1] = -1.5f;
    const auto y = model.predict(std::vector<float>{1, 2, 3, 4, 5, 6});
    CHECK(y == std::vector<float>{0.25f, -1.5f});
    using Longer = Sequential<Input<3, 2>, ClassToken>;
    static_assert(std::is_same_v<Model<Longer>::output_shape, Shape<4, 2>>);
}

TEST_CASE("the ViT parts: gradients match finite differences") {
    using Parts = Sequential<Input<2, 4, 4>, Conv2D<3, Kernel<2>, Stride<2>>, PatchesToSequence, ClassToken,
                             LearnedPositions<5>, Dense<4>, Tanh, FirstPosition, Dense<2>>;
    CHECK_GRADIENTS((testing::check_gradients<Parts>(MSE{}, {.batch = 3, .parameter_noise = 0.3f})));
    using TinyViT = Sequential<Input<1, 4, 4>, Conv2D<8, Kernel<2>, Stride<2>>, PatchesToSequence, ClassToken,
                               LearnedPositions<5>, TransformerEncoderLayer<2, 16, PreNorm, GELU, BlockDropout<0>>,
                               LayerNorm<>, FirstPosition, Dense<3>>;
    CHECK_GRADIENTS((testing::check_gradients<TinyViT>(SoftmaxCrossEntropy{}, {.batch = 2, .parameter_noise = 0.3f})));
}
