#!/usr/bin/python3
"""typenet's checkpoints in PyTorch and back, with the same network on both sides.

    torch_interop.py PATH/TO/torch_interop DIR

1. The C++ program saves a model (save_model) and its output on an input.
2. PyTorch loads that file into the equivalent nn.Sequential (under `layers`) with
   load_state_dict(strict=True) and must reproduce the output.
3. PyTorch writes its own randomly initialised weights; the C++ program loads them
   with load_model and must reproduce PyTorch's output.

The files are read and written with struct + json (the format is that simple), since
Debian has no python3-safetensors.
"""
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


def write_safetensors(path, tensors):
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


class Net(torch.nn.Module):
    """typenet's Sequential<Input<6>, Dense<16>, ReLU, Dense<8>, BatchNorm<>, Tanh, Dense<3>>."""

    def __init__(self):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 8), torch.nn.BatchNorm1d(8),
            torch.nn.Tanh(), torch.nn.Linear(8, 3))

    def forward(self, x):
        return self.layers(x)


def main():
    exe, work = sys.argv[1], Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    failures = 0

    subprocess.run([exe, "export", str(work)], check=True)
    net = Net().eval()
    net.load_state_dict(read_safetensors(work / "typenet.safetensors"), strict=True)
    io = read_safetensors(work / "typenet_io.safetensors")
    with torch.no_grad():
        diff = (net(io["input"]) - io["output"]).abs().max().item()
    print(f"PyTorch on typenet's weights: largest difference from typenet's output {diff:.3g}")
    failures += diff > 1e-5

    torch.manual_seed(3)
    theirs = Net().eval()
    with torch.no_grad():  # running statistics away from their defaults, as training leaves them
        bn = theirs.layers[3]
        bn.running_mean.normal_(0, 0.3)
        bn.running_var.uniform_(0.5, 2.0)
        bn.num_batches_tracked.fill_(12)
        x = torch.randn(5, 6)
        write_safetensors(work / "torch.safetensors", theirs.state_dict())
        write_safetensors(work / "torch_io.safetensors", {"input": x, "output": theirs(x)})
    failures += subprocess.run([exe, "check", str(work)]).returncode != 0

    print("torch interop: both directions agree" if failures == 0 else f"torch interop: {failures} direction(s) FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
