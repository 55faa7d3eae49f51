#!/usr/bin/python3
"""PyTorch twin of bench/mlp_train_bench.cpp: trains the MLP 784-256-128-10
(ReLU, softmax cross-entropy, plain SGD lr 0.01, batch 64, float32) and prints
training samples/s.

Data: random inputs in [0, 1) and random labels 0-9 of MNIST's shape (60,000
samples of 784 floats). Throughput does not depend on the values, and both
sides use the same kind of data, so no download is needed.

A timed step is what typenet's timed step is: gather the batch from the data
set by shuffled indices, forward, loss, backward, update.

Run with Debian's interpreter (/usr/bin/python3 sees python3-torch). For 2
threads set LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp, or
OpenBLAS's pthreads and torch's OpenMP threads fight over the two cores.

  /usr/bin/python3 bench/peers/mlp_torch.py --threads 1 --steps 2000
Prints one line: `pytorch threads=1 samples_per_s=66500.0 ...`.
"""
import argparse
import time

import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=2000, help="timed training steps")
    ap.add_argument("--warmup", type=int, default=200, help="untimed steps first")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--samples", type=int, default=60000, help="size of the random data set")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(42)

    inputs = torch.rand(args.samples, 784)
    labels = torch.randint(0, 10, (args.samples,))
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

    order = torch.randperm(args.samples)
    position = 0

    def step():
        nonlocal order, position
        if position + args.batch > args.samples:
            order = torch.randperm(args.samples)
            position = 0
        idx = order[position:position + args.batch]
        position += args.batch
        x = inputs.index_select(0, idx)
        t = labels.index_select(0, idx)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), t)
        loss.backward()
        optimizer.step()
        return loss

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        loss = step()
    seconds = time.perf_counter() - start
    rate = args.steps * args.batch / seconds
    print(f"pytorch threads={args.threads} samples_per_s={rate:.1f} steps={args.steps} "
          f"batch={args.batch} seconds={seconds:.3f} loss={loss.item():.4f} torch={torch.__version__}")


if __name__ == "__main__":
    main()
