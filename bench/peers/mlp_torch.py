#!/usr/bin/python3
"""PyTorch twin of bench/mlp_train_bench.cpp: trains an MNIST MLP (batch 64,
float32, softmax cross-entropy) and prints training samples/s.

  --model sgd         784-256-128-10, ReLU, plain SGD lr 0.01
  --model adam        the same model, Adam lr 1e-3
  --model bn_dropout  784-256-BN-ReLU-Dropout(0.2)-128-BN-ReLU-Dropout(0.2)-10, Adam lr 1e-3

Data: MNIST's 60,000 training images from data/mnist (scripts/fetch-data.sh),
bytes scaled to [0, 1] per batch, as typenet does; without them, random bytes of
the same shape. The output line says which.

A timed step is what typenet's timed step is: gather the batch from the data
set by shuffled indices, forward, loss, backward, update.

Run with Debian's interpreter (/usr/bin/python3 sees python3-torch). For 2
threads set LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp, or
OpenBLAS's pthreads and torch's OpenMP threads fight over the two cores.

  /usr/bin/python3 bench/peers/mlp_torch.py --model adam --threads 1 --steps 2000
Prints one line: `pytorch model=adam threads=1 samples_per_s=66500.0 ...`.
"""
import argparse
import struct
from pathlib import Path

import blas_setup  # noqa: F401  (OpenBLAS threads and kernels, before torch loads it)
import torch  # noqa: E402
from timed_training import time_training  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent


def read_idx(path):
    """An IDX file (the MNIST format) as a uint8 tensor of its dimensions."""
    raw = path.read_bytes()
    zero, dtype, rank = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        raise SystemExit(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(f">{rank}I", raw[4:4 + 4 * rank])
    data = torch.frombuffer(bytearray(raw[4 + 4 * rank:]), dtype=torch.uint8)
    return data.reshape(dims)


def training_data(samples):
    folder = ROOT / "data" / "mnist"
    images, labels = folder / "train-images-idx3-ubyte", folder / "train-labels-idx1-ubyte"
    if images.exists() and labels.exists():
        return read_idx(images).reshape(-1, 784), read_idx(labels).long(), "MNIST"
    g = torch.Generator().manual_seed(7)
    return (torch.randint(0, 256, (samples, 784), dtype=torch.uint8, generator=g),
            torch.randint(0, 10, (samples,), generator=g), "random")


def make_model(name):
    nn = torch.nn
    if name == "bn_dropout":
        model = nn.Sequential(nn.Linear(784, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.2),
                              nn.Linear(256, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2),
                              nn.Linear(128, 10))
    else:
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "sgd":
        return model, torch.optim.SGD(model.parameters(), lr=0.01)
    return model, torch.optim.Adam(model.parameters(), lr=1e-3)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=("sgd", "adam", "bn_dropout"), default="sgd")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=2000, help="timed training steps")
    ap.add_argument("--warmup", type=int, default=200, help="untimed steps first")
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(42)

    inputs, labels, source = training_data(60000)
    model, optimizer = make_model(args.model)
    seconds, loss = time_training(model, optimizer, inputs, labels, args.batch, args.warmup, args.steps)
    rate = args.steps * args.batch / seconds
    print(f"pytorch model={args.model} threads={args.threads} samples_per_s={rate:.1f} steps={args.steps} "
          f"batch={args.batch} seconds={seconds:.3f} loss={loss.item():.4f} data={source} "
          f"torch={torch.__version__} {blas_setup.describe()}")


if __name__ == "__main__":
    main()
