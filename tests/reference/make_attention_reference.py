#!/usr/bin/python3
"""Reference values for typenet's attention layers, from PyTorch itself.

For each case, a torch.nn.MultiheadAttention(D, H, batch_first=True) (or a
torch.nn.TransformerEncoderLayer, batch_first=True, eval mode: no dropout) with
PyTorch's default initialisation under a fixed seed, then every bias and norm
parameter moved off its initial constant (so a misplaced bias shows), a fixed input
x [B, T, D] whose samples have lengths (key_padding_mask: True at padding), and a
fixed random tensor R:

  output   the layer's output [B, T, D] times the query mask (typenet writes 0 at
           padded positions: PyTorch computes something there from the real keys)
  loss     sum(output * R)
  grads    d loss / d every parameter and d loss / d x

go into attention_reference.safetensors as "<case>.<name>" tensors (state_dict names,
"x", "lengths", "weights" = R, "output", "grad.<name>", "grad.x"). The file is checked
in, so tests/unit/attention_reference_test.cpp runs without PyTorch.

Run with Debian's python3-torch:  /usr/bin/python3 tests/reference/make_attention_reference.py
"""
import os

import torch

from safetensors_file import write_safetensors

B, T, D, H, FF = 3, 5, 8, 2, 16
LENGTHS = [3, 5, 1]  # unsorted on purpose


def causal_mask(t):
    # True above the diagonal: position i may not attend j > i.
    return torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)


def mha_case(seed, causal):
    torch.manual_seed(seed)
    layer = torch.nn.MultiheadAttention(D, H, batch_first=True)

    def run(x, padding):
        y, _ = layer(x, x, x, key_padding_mask=padding, attn_mask=causal_mask(T) if causal else None,
                     need_weights=False)
        return y
    return layer, run


def encoder_case(seed, norm_first, activation):
    torch.manual_seed(seed)
    layer = torch.nn.TransformerEncoderLayer(D, H, dim_feedforward=FF, dropout=0.1, activation=activation,
                                             batch_first=True, norm_first=norm_first)
    layer.eval()  # no dropout; gradients are still computed

    def run(x, padding):
        return layer(x, src_key_padding_mask=padding)
    return layer, run


CASES = [  # name, factory
    ("mha", lambda: mha_case(200, False)),
    ("mha_causal", lambda: mha_case(201, True)),
    ("encoder_post_relu", lambda: encoder_case(202, False, "relu")),
    ("encoder_pre_gelu", lambda: encoder_case(203, True, "gelu")),
]


def run_case(name, factory):
    layer, run = factory()
    with torch.no_grad():
        for pname, p in layer.named_parameters():
            if p.dim() == 1:  # biases and norm scales: off their constant start
                p.add_(torch.empty_like(p).uniform_(-0.2, 0.2))
    x = torch.empty(B, T, D).uniform_(-1.5, 1.5).requires_grad_(True)
    lengths = torch.tensor(LENGTHS)
    padding = torch.arange(T)[None, :] >= lengths[:, None]  # [B, T], True at padding
    # Eval mode would take PyTorch's fused "fast path" for the encoder layer with a
    # mask when grad is off; with requires_grad it runs the plain Python path.
    y = run(x, padding) * (~padding)[:, :, None]
    weights = torch.empty_like(y).uniform_(-1, 1)
    (y * weights).sum().backward()
    tensors = {"x": x.detach(), "lengths": lengths, "weights": weights, "output": y.detach(), "grad.x": x.grad}
    for pname, p in layer.named_parameters():
        tensors[pname] = p.detach()
        tensors["grad." + pname] = p.grad
    return {f"{name}.{k}": v.contiguous() for k, v in tensors.items()}


if __name__ == "__main__":
    torch.set_num_threads(1)
    all_tensors = {}
    for case in CASES:
        all_tensors.update(run_case(*case))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "attention_reference.safetensors")
    write_safetensors(out, all_tensors, {"torch": torch.__version__, "script": "tests/reference/make_attention_reference.py"})
    print(f"wrote {len(all_tensors)} tensors to {out}")
