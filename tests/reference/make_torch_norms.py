#!/usr/bin/python3
"""PyTorch's values for LayerNorm, RMSNorm and the positional encodings.

    /usr/bin/python3 tests/reference/make_torch_norms.py      (Debian's python3-torch)

The same file format as make_torch_layers.py (its docstring describes it): per case,
tests/reference/torch_norms_<case>.safetensors with input, probe, output, grad.input,
the layer's parameters as nn.Sequential(layer) names them (0.weight, 0.bias) and
grad.<parameter>: the gradients of sum(output * probe). Inputs and weights are drawn in
float32 and the layer runs in float64. tests/unit/layer_norm_test.cpp and
positional_encoding_test.cpp read them.

Not make_torch_layers.py's cases, because the normalisations' weights must be drawn
away from 1 and 0 (at their initial values a weight used in the wrong place would not
show), and because three of these modules are not in Debian's PyTorch 1.13:
- RMSNorm is written here as torch 2.4's nn.RMSNorm defines it,
  y = x / sqrt(mean(x^2) + eps) * weight, parameter `weight`;
- SinusoidalPositions is the encoding of Vaswani et al. as PyTorch's own
  Transformer tutorial computes it (div_term = exp(arange(0, D, 2) * -ln(10000) / D),
  sin on even features, cos on odd), added to the input, from position `start`;
- LearnedPositions is a parameter `weight` [Tmax, D] whose first T rows are added.
Padded cases carry `lengths` (as float32): positions at or after a sample's length
are zeroed in the output (typenet's convention for the normalisations) and get a zero
probe, as the losses give.
"""
import math
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "interop"))
from torch_interop import write_safetensors  # noqa: E402

nn = torch.nn
HERE = Path(__file__).resolve().parent


class RMSNorm(nn.Module):
    def __init__(self, d, eps=torch.finfo(torch.float32).eps, affine=True):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d)) if affine else None

    def forward(self, x):
        y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return y * self.weight if self.weight is not None else y


class SinusoidalPositions(nn.Module):
    def __init__(self, d, start=0):
        super().__init__()
        self.d, self.start = d, start

    def forward(self, x):
        t = x.shape[1]
        position = torch.arange(self.start, self.start + t, dtype=torch.float64).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, self.d, 2, dtype=torch.float64) * (-math.log(10000.0) / self.d))
        pe = torch.zeros(t, self.d, dtype=torch.float64)
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        return x + pe


class LearnedPositions(nn.Module):
    def __init__(self, tmax, d):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(tmax, d))

    def forward(self, x):
        return x + self.weight[: x.shape[1]]


# name: (typenet's layer, input shape without the batch, batch, the module, lengths or None)
CASES = {
    "layer_norm": ("LayerNorm<>", (4, 19), 3, lambda: nn.LayerNorm(19), None),
    "layer_norm_flat": ("LayerNorm<>", (7,), 4, lambda: nn.LayerNorm(7), None),
    "layer_norm_no_affine": ("LayerNorm<NoAffine>", (3, 8), 2, lambda: nn.LayerNorm(8, elementwise_affine=False), None),
    "layer_norm_eps": ("LayerNorm<Epsilon<1, 10>>", (3, 5), 2, lambda: nn.LayerNorm(5, eps=0.1), None),
    "layer_norm_padded": ("LayerNorm<>", (5, 6), 3, lambda: nn.LayerNorm(6), [5, 2, 1]),
    "rms_norm": ("RMSNorm<>", (4, 19), 3, lambda: RMSNorm(19), None),
    "rms_norm_llama": ("RMSNorm<Epsilon<1, 1000000>>", (3, 8), 2, lambda: RMSNorm(8, eps=1e-6), None),
    "rms_norm_padded": ("RMSNorm<>", (5, 6), 3, lambda: RMSNorm(6), [5, 3, 1]),
    "sinusoidal": ("SinusoidalPositions", (6, 10), 2, lambda: SinusoidalPositions(10), None),
    "sinusoidal_start": ("SinusoidalPositions (Pass::start = 37)", (3, 10), 2, lambda: SinusoidalPositions(10, 37), None),
    "learned": ("LearnedPositions<8>", (5, 6), 3, lambda: LearnedPositions(8, 6), None),
}


def make_case(name, typenet, shape, batch, make, lengths, seed):
    torch.manual_seed(seed)
    net = nn.Sequential(make())
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.LayerNorm, RMSNorm)) and m.weight is not None:
                m.weight.uniform_(0.5, 1.5)
                if getattr(m, "bias", None) is not None:
                    m.bias.normal_(0, 0.3)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    x32 = torch.randn((batch,) + shape) * 2 + 0.5  # away from mean 0, variance 1
    x = x32.double().requires_grad_(True)
    net = net.double()
    out = net(x)
    probe32 = torch.randn(out.shape)
    if lengths is not None:
        real = torch.zeros(out.shape, dtype=torch.float64)
        for b, n in enumerate(lengths):
            real[b, :n] = 1
        out = out * real
        probe32 = probe32 * real.float()
    (out * probe32.double()).sum().backward()

    f32 = lambda t: t.detach().float().contiguous()
    tensors = {"input": x32, "probe": probe32, "output": f32(out), "grad.input": f32(x.grad)}
    if lengths is not None:
        tensors["lengths"] = torch.tensor(lengths, dtype=torch.float32)
    for k, v in before.items():
        tensors[k] = f32(v)
    for k, p in net.named_parameters():
        tensors["grad." + k] = f32(p.grad)
    meta = {"case": name, "typenet": typenet, "torch": torch.__version__}
    write_safetensors(HERE / f"torch_norms_{name}.safetensors", tensors, meta)


def main():
    for seed, (name, case) in enumerate(CASES.items()):
        make_case(name, *case, seed=500 + seed)
    print(f"wrote {len(CASES)} cases to {HERE}/torch_norms_*.safetensors")


if __name__ == "__main__":
    main()
