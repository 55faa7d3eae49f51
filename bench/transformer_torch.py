#!/usr/bin/python3
"""PyTorch's side of bench/transformer_bench.cpp, the same sizes and modes.

  encoder_block  nn.TransformerEncoderLayer(128, 4, 512, batch_first=True) in train
                 mode (dropout 0.1) on [16, 64, 128]: forward + backward; samples/s
  attention T    nn.MultiheadAttention(128, 4, batch_first=True) under no_grad on
                 [1, T, 128], T = 64, 256, 1024: time per forward, and the peak
                 resident memory growth of a fresh process doing only that (PyTorch
                 1.13 materialises the [B*H, T, T] weights)

Run with Debian's torch:  /usr/bin/python3 bench/transformer_torch.py [threads]
For 2 threads use the OpenMP OpenBLAS (../shared/design.md says why):
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/transformer_torch.py 2
"""
import resource
import subprocess
import sys
import time

import torch


def best_rate(fn, items, seconds=2.0, rounds=5):
    for _ in range(3):
        fn()
    best = 0.0
    for _ in range(rounds):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / rounds:
            fn()
            n += 1
        best = max(best, n * items / (time.perf_counter() - start))
    return best


def encoder_block():
    torch.manual_seed(42)
    layer = torch.nn.TransformerEncoderLayer(128, 4, 512, batch_first=True).train()
    x = torch.rand(16, 64, 128) * 2 - 1
    dy = torch.rand(16, 64, 128) * 2 - 1

    def step():
        layer.zero_grad(set_to_none=True)
        layer(x).backward(dy)
    return best_rate(step, 16)


def attention(t):
    torch.manual_seed(42)
    layer = torch.nn.MultiheadAttention(128, 4, batch_first=True).eval()
    x = torch.rand(1, t, 128) * 2 - 1
    with torch.no_grad():
        return 1e6 / best_rate(lambda: layer(x, x, x, need_weights=False), 1)  # microseconds


def peak_growth_kib(t, threads):
    code = (f"import resource, torch; torch.set_num_threads({threads});"
            "layer = torch.nn.MultiheadAttention(128, 4, batch_first=True).eval();"
            f"x = torch.rand(1, {t}, 128);"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
            "torch.no_grad().__enter__();"
            "[layer(x, x, x, need_weights=False) for _ in range(3)];"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)")
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() or -1)


if __name__ == "__main__":
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch.set_num_threads(threads)
    print(f"torch {torch.__version__}, {threads} thread(s)")
    print(f"encoder_block: {encoder_block():.1f} samples/s")
    for t in (64, 256, 1024):
        print(f"attention T={t}: {attention(t):.1f} us, peak RSS growth {peak_growth_kib(t, threads)} KiB")
