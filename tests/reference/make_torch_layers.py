#!/usr/bin/python3
"""PyTorch's values for every layer typenet has, to check typenet against where PyTorch is absent.

    /usr/bin/python3 tests/reference/make_torch_layers.py      (Debian's python3-torch)

For each case below, one layer on a fixed small input, it writes
tests/reference/torch_layers_<case>.safetensors with
    input                 [batch, ...]  (token ids as floats for an Embedding)
    probe                 a fixed random tensor R of the output's shape
    output                the layer's output on input
    grad.input            d sum(output * R) / d input   (not for an Embedding: ids)
    0.weight, 0.bias, ... the layer's parameters and buffers, named as nn.Sequential(layer)
                          names them, which is typenet's name for layer 0 of a model
    grad.0.weight, ...    d sum(output * R) / d parameter
    after.0.running_mean, after.0.running_var   BatchNorm in training: the statistics
                          after the one forward
and metadata {"case", "typenet" (the layer as typenet writes it), "mode" (train or
eval), "torch" (the version)}. tests/unit/torch_layers_test.cpp reads them and compares
typenet's output, gradients and statistics to 1e-5, relative (absolute below 1).

The layer runs in float64 on float32 values (inputs and weights drawn in float32), so
the reference is PyTorch's result without float32's rounding; typenet computes in
float32. The files are small (a few KiB each) and checked in; rerun this script only
when a case changes.
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "interop"))
from torch_interop import write_safetensors  # noqa: E402  (struct + json: Debian has no python3-safetensors)

nn = torch.nn
HERE = Path(__file__).resolve().parent


class GlobalAvgPool(nn.Module):
    """typenet's GlobalAvgPool: [C, H, W] -> [C], the mean of each channel."""

    def forward(self, x):
        return x.mean(dim=(2, 3))


# name: (typenet's layer, input shape without the batch, batch, the module, mode)
CASES = {
    "dense": ("Dense<4>", (5,), 3, lambda: nn.Linear(5, 4), "train"),
    "dense_nobias": ("Dense<4, NoBias>", (5,), 3, lambda: nn.Linear(5, 4, bias=False), "train"),
    "dense_per_position": ("Dense<4>", (3, 5), 2, lambda: nn.Linear(5, 4), "train"),
    "conv": ("Conv2D<4, Kernel<3>>", (3, 7, 7), 2, lambda: nn.Conv2d(3, 4, 3), "train"),
    "conv_pad_nobias": ("Conv2D<4, Kernel<3>, Pad<1>, NoBias>", (3, 6, 6), 2,
                        lambda: nn.Conv2d(3, 4, 3, padding=1, bias=False), "train"),
    "conv_stride": ("Conv2D<4, Kernel<3>, Stride<2>, Pad<1>>", (2, 7, 7), 2,
                    lambda: nn.Conv2d(2, 4, 3, stride=2, padding=1), "train"),
    "conv_dilation": ("Conv2D<3, Kernel<3>, Dilation<2>, Pad<2>>", (2, 7, 7), 2,
                      lambda: nn.Conv2d(2, 3, 3, dilation=2, padding=2), "train"),
    "conv_rect": ("Conv2D<3, Kernel<3, 2>, Stride<2, 1>, Pad<1, 0>>", (2, 7, 6), 2,
                  lambda: nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0)), "train"),
    "conv_same": ("Conv2D<3, Kernel<5>, Same>", (2, 6, 6), 2, lambda: nn.Conv2d(2, 3, 5, padding=2), "train"),
    "batch_norm_1d": ("BatchNorm<>", (6,), 4, lambda: nn.BatchNorm1d(6), "train"),
    "batch_norm_1d_eval": ("BatchNorm<>", (6,), 4, lambda: nn.BatchNorm1d(6), "eval"),
    "batch_norm_2d": ("BatchNorm2D<>", (3, 4, 4), 2, lambda: nn.BatchNorm2d(3), "train"),
    "batch_norm_2d_eval": ("BatchNorm2D<>", (3, 4, 4), 2, lambda: nn.BatchNorm2d(3), "eval"),
    "max_pool": ("MaxPool<2>", (2, 6, 6), 2, lambda: nn.MaxPool2d(2), "train"),
    "max_pool_pad": ("MaxPool<3, 2, Pad<1>>", (2, 7, 7), 2, lambda: nn.MaxPool2d(3, 2, padding=1), "train"),
    "avg_pool": ("AvgPool<2>", (2, 6, 6), 2, lambda: nn.AvgPool2d(2), "train"),
    "avg_pool_pad": ("AvgPool<3, 2, Pad<1>>", (2, 7, 7), 2,
                     lambda: nn.AvgPool2d(3, 2, padding=1, count_include_pad=False), "train"),
    "global_avg_pool": ("GlobalAvgPool", (3, 4, 5), 2, GlobalAvgPool, "train"),
    "flatten": ("Flatten", (2, 3, 3), 2, nn.Flatten, "train"),
    # Dropout draws its mask from another generator than PyTorch's, so only evaluation
    # (the identity, in both) can match; training is tested in dropout_test.cpp.
    "dropout_eval": ("Dropout<50>", (6,), 3, lambda: nn.Dropout(0.5), "eval"),
    "dropout_2d_eval": ("Dropout2D<50>", (2, 3, 3), 2, lambda: nn.Dropout2d(0.5), "eval"),
    "embedding": ("Embedding<7, 3>", (5,), 3, lambda: nn.Embedding(7, 3), "train"),
    "embedding_padding": ("Embedding<7, 3, PaddingId<0>>", (5,), 3, lambda: nn.Embedding(7, 3, padding_idx=0), "train"),
    "relu": ("ReLU", (8,), 3, nn.ReLU, "train"),
    "tanh": ("Tanh", (8,), 3, nn.Tanh, "train"),
    "sigmoid": ("Sigmoid", (8,), 3, nn.Sigmoid, "train"),
    "leaky_relu": ("LeakyReLU<>", (8,), 3, lambda: nn.LeakyReLU(0.01), "train"),
    "leaky_relu_20": ("LeakyReLU<1, 5>", (8,), 3, lambda: nn.LeakyReLU(0.2), "train"),
    "elu": ("ELU<>", (8,), 3, nn.ELU, "train"),
    "elu_half": ("ELU<1, 2>", (8,), 3, lambda: nn.ELU(0.5), "train"),
    "selu": ("SELU", (8,), 3, nn.SELU, "train"),
    "gelu": ("GELU", (8,), 3, nn.GELU, "train"),
    "identity": ("Identity", (8,), 3, nn.Identity, "train"),
    "softmax": ("Softmax", (8,), 3, lambda: nn.Softmax(dim=-1), "train"),
    "softmax_per_position": ("Softmax", (3, 4), 2, lambda: nn.Softmax(dim=-1), "train"),
    # Last, so that the cases before keep their seeds (and their files).
    "gelu_tanh": ("GELUTanh", (8,), 3, lambda: nn.GELU(approximate="tanh"), "train"),
}


def make_case(name, typenet, shape, batch, make, mode, seed):
    torch.manual_seed(seed)
    net = nn.Sequential(make())  # names its tensors "0.weight", ..., as typenet's layer 0
    tokens = isinstance(net[0], nn.Embedding)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                # Away from the defaults, so that a statistic used in the wrong place shows.
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.2)
                m.running_mean.normal_(0, 0.3)
                m.running_var.uniform_(0.5, 2.0)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    if tokens:
        x32 = torch.randint(0, net[0].num_embeddings, (batch,) + shape)
        x32[0, :2] = torch.tensor([0, 0])  # the padding id, twice (its gradient is zero)
        x32[1, 0] = x32[1, 1]  # a repeated id: gradients add up
        x = x32
    else:
        x32 = torch.randn((batch,) + shape)
        x = x32.double().requires_grad_(True)
    net = net.double()
    net.train(mode == "train")
    out = net(x)
    probe32 = torch.randn(out.shape)
    (out * probe32.double()).sum().backward()

    f32 = lambda t: t.detach().float().contiguous()
    tensors = {"input": x32.float(), "probe": probe32, "output": f32(out)}
    if not tokens:
        tensors["grad.input"] = f32(x.grad)
    for k, v in before.items():
        tensors[k] = v if v.dtype == torch.int64 else f32(v)
    for k, p in net.named_parameters():
        tensors["grad." + k] = f32(p.grad)
    if mode == "train":
        for k, v in net.named_buffers():
            if k.endswith(("running_mean", "running_var")):
                tensors["after." + k] = f32(v)
    meta = {"case": name, "typenet": typenet, "mode": mode, "torch": torch.__version__}
    write_safetensors(HERE / f"torch_layers_{name}.safetensors", tensors, meta)


def main():
    for seed, (name, case) in enumerate(CASES.items()):
        make_case(name, *case, seed=100 + seed)
    print(f"wrote {len(CASES)} cases to {HERE}/torch_layers_*.safetensors")


if __name__ == "__main__":
    main()
