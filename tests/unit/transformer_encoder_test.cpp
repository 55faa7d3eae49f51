// TransformerEncoderLayer: PyTorch's parameter names (alone and stacked with Repeat),
// gradients by finite differences in both norm placements with dropout and lengths,
// and the option rules. Its outputs and gradients against PyTorch are in
// attention_reference_test.cpp.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <typenet/layers/transformer/encoder_layer.hpp>
#include <typenet/typenet.hpp>

#include "../support/gradient_check.hpp"

using namespace tn;

TEST_CASE("TransformerEncoderLayer: PyTorch's state_dict names, alone and stacked with Repeat") {
    using One = Sequential<Input<6, 8>, TransformerEncoderLayer<2, 16>>;
    Model<One> one;
    std::vector<std::string> names;
    for (const auto& t : one.named_parameters()) names.push_back(t.name);
    const std::vector<std::string> expected{"0.self_attn.in_proj_weight", "0.self_attn.in_proj_bias",
                                            "0.self_attn.out_proj.weight", "0.self_attn.out_proj.bias",
                                            "0.norm1.weight", "0.norm1.bias",
                                            "0.linear1.weight", "0.linear1.bias",
                                            "0.linear2.weight", "0.linear2.bias",
                                            "0.norm2.weight", "0.norm2.bias"};
    CHECK(names == expected);
    Model<Sequential<Input<6, 8>, TransformerEncoderLayer<2, 16, PreNorm>>> pre;
    CHECK(pre.named_parameters()[0].name == "0.norm1.weight");
    CHECK(pre.named_parameters()[2].name == "0.self_attn.in_proj_weight");
    using Stack = Sequential<Input<6, 8>, Repeat<2, TransformerEncoderLayer<2, 16, GELU>>>;
    static_assert(Stack::param_count == 2 * One::param_count);
    Model<Stack> stack;
    CHECK(stack.named_parameters()[0].name == "0.0.self_attn.in_proj_weight");
    CHECK(stack.named_parameters().back().name == "0.1.norm2.bias");
    CHECK(TransformerEncoderLayer<4, 512, PreNorm, GELU>::name() == "TransformerEncoderLayer<4, 512, PreNorm, GELU>");
}

TEST_CASE("TransformerEncoderLayer: gradients match finite differences, post- and pre-norm, dropout, lengths") {
    using Post = Sequential<Input<4, 6>, TransformerEncoderLayer<2, 8, BlockDropout<20>>>;
    using Pre = Sequential<Input<4, 6>, TransformerEncoderLayer<3, 8, PreNorm, GELU, Causal>>;
    CHECK_GRADIENTS((testing::check_gradients<Post>(MSE{}, {.batch = 2, .parameter_noise = 0.1f, .lengths = {4, 2}})));
    CHECK_GRADIENTS((testing::check_gradients<Pre>(MSE{}, {.batch = 2, .parameter_noise = 0.1f, .lengths = {3, 4}})));
}
