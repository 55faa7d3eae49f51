#!/usr/bin/python3
"""PyTorch twin of bench/cnn_train_bench.cpp: the CNN module's speed targets.

  --model lenet        LeNet-5 on 1x28x28: conv 6@5x5 pad 2, maxpool 2, conv 16@5x5, maxpool 2,
                       fc 120, fc 84, fc 10, ReLU; SGD lr 0.01, batch 64; training samples/s
  --model vgg_small    VGG-small on 3x32x32: conv 32, 32, maxpool, conv 64, 64, maxpool (3x3, pad 1),
                       fc 256, fc 10, ReLU; SGD lr 0.01, batch 64; training samples/s
  --model lenet_infer  LeNet-5 inference at batch 1 (eval, no_grad); samples/s = 1 / latency

A timed training step is what typenet's is: gather the batch by shuffled indices from a
data set of bytes, scale to [0, 1], forward, cross-entropy, backward, update. The data
are random bytes of the model's input shape (throughput does not depend on the values).

Run with Debian's interpreter (/usr/bin/python3 sees python3-torch). For 2 threads set
LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp (see bench/peers/mlp_torch.py).

  /usr/bin/python3 bench/peers/cnn_torch.py --model lenet --threads 1 --steps 300
Prints one line: `pytorch model=lenet threads=1 samples_per_s=10600.0 ...`.
"""
import argparse
import time

import blas_setup  # noqa: F401  (OpenBLAS threads and kernels, before torch loads it)
import torch  # noqa: E402
from timed_training import time_training  # noqa: E402

nn = torch.nn


def lenet():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def vgg_small():
    return nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(64 * 8 * 8, 256), nn.ReLU(), nn.Linear(256, 10))


MODELS = {"lenet": (lenet, (1, 28, 28)), "vgg_small": (vgg_small, (3, 32, 32)), "lenet_infer": (lenet, (1, 28, 28))}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=tuple(MODELS), default="lenet")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=300, help="timed steps (training) or inferences")
    ap.add_argument("--warmup", type=int, default=30, help="untimed steps first")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--samples", type=int, default=10000, help="size of the random data set")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    make, shape = MODELS[args.model]
    model = make()
    g = torch.Generator().manual_seed(7)
    inputs = torch.randint(0, 256, (args.samples, *shape), dtype=torch.uint8, generator=g)
    labels = torch.randint(0, 10, (args.samples,), generator=g)

    if args.model == "lenet_infer":
        model.eval()
        x = inputs[:1].float().mul_(1.0 / 255.0)
        with torch.no_grad():
            for _ in range(args.warmup * 10):
                model(x)
            start = time.perf_counter()
            for _ in range(args.steps * 10):
                y = model(x)
            seconds = time.perf_counter() - start
        count = args.steps * 10
        print(f"pytorch model={args.model} threads={args.threads} samples_per_s={count / seconds:.1f} "
              f"us_per_sample={1e6 * seconds / count:.2f} seconds={seconds:.3f} out0={y[0, 0].item():.4f} "
              f"torch={torch.__version__} {blas_setup.describe()}")
        return

    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    seconds, loss = time_training(model, optimizer, inputs, labels, args.batch, args.warmup, args.steps)
    print(f"pytorch model={args.model} threads={args.threads} samples_per_s={args.steps * args.batch / seconds:.1f} "
          f"steps={args.steps} batch={args.batch} seconds={seconds:.3f} loss={loss.item():.4f} "
          f"torch={torch.__version__} {blas_setup.describe()}")


if __name__ == "__main__":
    main()
