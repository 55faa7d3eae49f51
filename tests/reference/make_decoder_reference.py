#!/usr/bin/python3
"""Reference values for typenet's cross-attention and Transformer decoder layer, from
PyTorch itself.

For each case, a torch.nn.MultiheadAttention(D, H, batch_first=True) called as
cross-attention (query x, key = value = memory), or a torch.nn.TransformerDecoderLayer
(batch_first=True, eval mode: no dropout) called with a causal tgt_mask, with PyTorch's
default initialisation under a fixed seed, then every bias and norm parameter moved off
its initial constant (so a misplaced bias shows); a fixed input x [B, T, D] whose
samples have target lengths (tgt_key_padding_mask), a fixed memory [B, S, D] whose
samples have source lengths (memory_key_padding_mask), and a fixed random tensor R:

  output   the layer's output [B, T, D] times the target mask (typenet writes 0 at
           padded target positions; PyTorch computes something there)
  loss     sum(output * R)
  grads    d loss / d every parameter, d loss / d x and d loss / d memory

go into decoder_reference.safetensors as "<case>.<name>" tensors (state_dict names,
"x", "memory", "lengths", "memory_lengths", "weights" = R, "output", "grad.<name>",
"grad.x", "grad.memory"). The file is checked in, so
tests/unit/transformer_decoder_test.cpp runs without PyTorch.

Run with Debian's python3-torch:  /usr/bin/python3 tests/reference/make_decoder_reference.py
"""
import os

import torch

from safetensors_file import write_safetensors

B, T, S, D, H, FF = 3, 5, 6, 8, 2, 16
LENGTHS = [3, 5, 1]         # target lengths, unsorted on purpose
MEMORY_LENGTHS = [6, 2, 4]  # source lengths


def causal_mask(t):
    # True above the diagonal: position i may not attend j > i.
    return torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)


def cross_case(seed):
    torch.manual_seed(seed)
    layer = torch.nn.MultiheadAttention(D, H, batch_first=True)

    def run(x, memory, padding, memory_padding):
        y, _ = layer(x, memory, memory, key_padding_mask=memory_padding, need_weights=False)
        return y
    return layer, run


def decoder_case(seed, norm_first, activation):
    torch.manual_seed(seed)
    layer = torch.nn.TransformerDecoderLayer(D, H, dim_feedforward=FF, dropout=0.1, activation=activation,
                                             batch_first=True, norm_first=norm_first)
    layer.eval()  # no dropout; gradients are still computed

    def run(x, memory, padding, memory_padding):
        return layer(x, memory, tgt_mask=causal_mask(T), tgt_key_padding_mask=padding,
                     memory_key_padding_mask=memory_padding)
    return layer, run


CASES = [  # name, factory
    ("cross", lambda: cross_case(300)),
    ("decoder_post_relu", lambda: decoder_case(301, False, "relu")),
    ("decoder_pre_gelu", lambda: decoder_case(302, True, "gelu")),
]


def run_case(name, factory):
    layer, run = factory()
    with torch.no_grad():
        for pname, p in layer.named_parameters():
            if p.dim() == 1:  # biases and norm scales: off their constant start
                p.add_(torch.empty_like(p).uniform_(-0.2, 0.2))
    x = torch.empty(B, T, D).uniform_(-1.5, 1.5).requires_grad_(True)
    memory = torch.empty(B, S, D).uniform_(-1.5, 1.5).requires_grad_(True)
    lengths, memory_lengths = torch.tensor(LENGTHS), torch.tensor(MEMORY_LENGTHS)
    padding = torch.arange(T)[None, :] >= lengths[:, None]  # [B, T], True at padding
    memory_padding = torch.arange(S)[None, :] >= memory_lengths[:, None]
    y = run(x, memory, padding, memory_padding) * (~padding)[:, :, None]
    weights = torch.empty_like(y).uniform_(-1, 1)
    (y * weights).sum().backward()
    tensors = {"x": x.detach(), "memory": memory.detach(), "lengths": lengths, "memory_lengths": memory_lengths,
               "weights": weights, "output": y.detach(), "grad.x": x.grad, "grad.memory": memory.grad}
    for pname, p in layer.named_parameters():
        tensors[pname] = p.detach()
        tensors["grad." + pname] = p.grad
    return {f"{name}.{k}": v.contiguous() for k, v in tensors.items()}


if __name__ == "__main__":
    torch.set_num_threads(1)
    all_tensors = {}
    for case in CASES:
        all_tensors.update(run_case(*case))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "decoder_reference.safetensors")
    write_safetensors(out, all_tensors, {"torch": torch.__version__, "script": "tests/reference/make_decoder_reference.py"})
    print(f"wrote {len(all_tensors)} tensors to {out}")
