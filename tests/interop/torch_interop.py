#!/usr/bin/python3
"""typenet's checkpoints in PyTorch and back, with the same networks on both sides.

    torch_interop.py PATH/TO/torch_interop DIR

For each network of NETS (between them every layer typenet has, and every container):
1. The C++ program saves a model (save_model) and its output on an input.
2. PyTorch loads that file into the equivalent plain nn.Sequential with
   load_state_dict(strict=True), the names as they are, and must reproduce the output.
3. PyTorch writes its own randomly initialised weights (its state_dict, as it is);
   the C++ program loads them with load_model and must reproduce PyTorch's output.
Outputs agree to 1e-5, relative to the output's size (at least 1).

The files are read and written with struct + json (the format is that simple), since
Debian has no python3-safetensors.
"""
import collections
import json
import struct
import subprocess
import sys
from pathlib import Path

import torch

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
NAMES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    blob = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n])
    header.pop("__metadata__", None)
    data = blob[8 + n :]
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        tensor = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[info["dtype"]])
        out[name] = tensor.reshape(info["shape"])
    return out


def write_safetensors(path, tensors, metadata=None):
    header, chunks, offset = {"__metadata__": {"format": "pt", **(metadata or {})}}, [], 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


nn = torch.nn


class Residual(nn.Sequential):
    """typenet's Residual<L...>: its layers as an nn.Sequential, plus the skip (docs/design.md)."""

    def forward(self, x):
        return x + super().forward(x)


def block():  # Sequential<ReLU, Dense<8>>
    return nn.Sequential(nn.ReLU(), nn.Linear(8, 8))


# torch_interop.cpp's networks, layer for layer, as plain nn.Sequentials.
NETS = {
    "mlp": lambda: nn.Sequential(
        nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Dropout(0.2),
        nn.Linear(8, 8, bias=False), nn.Sigmoid(), nn.Linear(8, 8), nn.LeakyReLU(0.01), nn.Linear(8, 8), nn.ELU(),
        nn.Linear(8, 8), nn.SELU(), nn.Linear(8, 8), nn.GELU(), nn.Linear(8, 8), nn.Identity(), nn.Linear(8, 3),
        nn.Softmax(dim=-1)),
    "cnn": lambda: nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, dilation=2, padding=2), nn.AvgPool2d(2), nn.Conv2d(6, 8, 3, stride=2, padding=1, bias=False),
        nn.Dropout2d(0.1), nn.Flatten(), nn.Linear(32, 3)),
    "cnn2": lambda: nn.Sequential(
        nn.Conv2d(2, 4, (3, 2), stride=(2, 1)), nn.BatchNorm2d(4), nn.ELU(), nn.MaxPool2d(3, 2, padding=1),
        nn.AvgPool2d(2, 1, padding=1, count_include_pad=False), nn.Conv2d(4, 5, 3, padding=1),
        nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()),  # GlobalAvgPool: one layer, no parameters
        nn.Linear(5, 2)),
    "tokens": lambda: nn.Sequential(
        nn.Embedding(11, 6, padding_idx=0), nn.Linear(6, 4), nn.Tanh(), nn.Flatten(), nn.Linear(20, 3)),
    "blocks": lambda: nn.Sequential(
        nn.Linear(4, 8),
        nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8)),  # Sequential<...> block
        Residual(nn.Linear(8, 8), nn.Tanh()),  # Residual<Dense<8>, Tanh>
        nn.Sequential(*[nn.Linear(8, 8) for _ in range(2)]),  # Repeat<2, Dense<8>>
        nn.Sequential(*[block() for _ in range(2)]),  # Repeat<2, Block>
        nn.Sequential(*[nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8)) for _ in range(2)]),
        nn.Linear(8, 8).requires_grad_(False),  # Frozen<Dense<8>>
        nn.BatchNorm1d(8), nn.Linear(8, 3)),
}


def load_strict(net, tensors):
    """load_state_dict(strict=True) on the file's tensors as they are, no prefix added.

    The dict carries the state_dict's version metadata, as a state_dict() saved by
    PyTorch does: then BatchNorm does not fill in a missing num_batches_tracked, so
    the file must hold every key itself."""
    state = collections.OrderedDict(tensors)
    state._metadata = net.state_dict()._metadata
    net.load_state_dict(state, strict=True)


def main():
    exe, work = sys.argv[1], Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    failures = 0

    subprocess.run([exe, "export", str(work)], check=True)
    for name, make in NETS.items():
        net = make().eval()
        try:
            load_strict(net, read_safetensors(work / f"{name}.typenet.safetensors"))
        except RuntimeError as e:
            print(f"{name:8} PyTorch cannot load typenet's file: {e}")
            failures += 1
            continue
        io = read_safetensors(work / f"{name}.typenet_io.safetensors")
        x = io["input"].long() if name == "tokens" else io["input"]
        with torch.no_grad():
            out = net(x)
        diff = ((out - io["output"]).abs() / io["output"].abs().clamp(min=1)).max().item()
        print(f"{name:8} PyTorch on typenet's weights: largest difference from typenet's output {diff:.3g}")
        failures += diff > 1e-5

    torch.manual_seed(3)
    for name, make in NETS.items():
        theirs = make().eval()
        with torch.no_grad():  # running statistics away from their defaults, as training leaves them
            for m in theirs.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm):
                    m.running_mean.normal_(0, 0.3)
                    m.running_var.uniform_(0.5, 2.0)
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.normal_(0, 0.2)
                    m.num_batches_tracked.fill_(12)
            shape = read_safetensors(work / f"{name}.typenet_io.safetensors")["input"].shape
            x = torch.randint(0, 11, shape) if name == "tokens" else torch.randn(shape)
            write_safetensors(work / f"{name}.torch.safetensors", theirs.state_dict())
            write_safetensors(work / f"{name}.torch_io.safetensors", {"input": x.float(), "output": theirs(x)})
    failures += subprocess.run([exe, "check", str(work)]).returncode != 0

    print("torch interop: both directions agree" if failures == 0 else f"torch interop: {failures} check(s) FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
