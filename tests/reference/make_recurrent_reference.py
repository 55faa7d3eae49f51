#!/usr/bin/python3
"""Reference values for typenet's recurrent layers, from PyTorch itself.

For each case, a torch.nn.RNN / LSTM / GRU (batch_first=True, one layer, optionally
bidirectional) with PyTorch's default initialisation under a fixed seed, a fixed
input batch x [B, T, D] whose samples have lengths (run through
pack_padded_sequence, enforce_sorted=False), and a fixed random tensor R:

  output   the padded output [B, T, dirs*H] (sequences: pad_packed_sequence, zeros
           at padding), or the last state [B, dirs*H] (h_n, directions side by side)
  loss     sum(output * R)
  grads    d loss / d every parameter and d loss / d x

go into recurrent_reference.safetensors as "<case>.<name>" tensors (state_dict
names, "x", "lengths", "weights" = R, "output", "grad.<name>", "grad.x"). The file
is checked in, so tests/unit/recurrent_reference_test.cpp runs without PyTorch.

Run with Debian's python3-torch:  /usr/bin/python3 tests/reference/make_recurrent_reference.py
"""
import os

import torch

from safetensors_file import write_safetensors
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

B, T, D, H = 3, 5, 4, 3
LENGTHS = [3, 5, 1]  # unsorted on purpose

CASES = [  # name, module, bidirectional, output
    ("rnn", torch.nn.RNN, False, "sequences"),
    ("rnn_bi", torch.nn.RNN, True, "sequences"),
    ("lstm", torch.nn.LSTM, False, "sequences"),
    ("lstm_bi", torch.nn.LSTM, True, "sequences"),
    ("gru", torch.nn.GRU, False, "sequences"),
    ("gru_bi", torch.nn.GRU, True, "sequences"),
    ("rnn_last", torch.nn.RNN, False, "last"),
    ("lstm_bi_last", torch.nn.LSTM, True, "last"),
    ("gru_last", torch.nn.GRU, False, "last"),
]


def run(index, name, module, bidirectional, output):
    torch.manual_seed(100 + index)
    layer = module(D, H, batch_first=True, bidirectional=bidirectional)
    x = torch.empty(B, T, D).uniform_(-1.5, 1.5).requires_grad_(True)
    lengths = torch.tensor(LENGTHS)
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    out, state = layer(packed)
    if output == "sequences":
        y, _ = pad_packed_sequence(out, batch_first=True, total_length=T)
    else:
        h_n = state[0] if module is torch.nn.LSTM else state  # [dirs, B, H]
        y = torch.cat(list(h_n), dim=1)                       # [B, dirs*H]
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
    for i, case in enumerate(CASES):
        all_tensors.update(run(i, *case))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recurrent_reference.safetensors")
    write_safetensors(out, all_tensors, {"torch": torch.__version__, "script": "tests/reference/make_recurrent_reference.py"})
    print(f"wrote {len(all_tensors)} tensors to {out}")
