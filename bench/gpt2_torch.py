#!/usr/bin/python3
"""PyTorch's side of bench/gpt2_forward.cpp: GPT-2 124M's forward at batch 1, 128 tokens.

The network is tests/reference/make_gpt2_reference.py's GPT2 (GPT-2 from its
published equations, Hugging Face's Conv1D as one addmm, the attention written out
as Hugging Face's eager GPT2Attention computes it) at GPT-2 small's size (12 layers,
768, 12 heads, 1024 positions, 50,257 tokens), random weights in float32, under
torch.no_grad(): what `GPT2LMHeadModel(...).eval()(ids).logits` computes. Prints the
best and median of 20 forwards after 3 unmeasured ones, and the resident memory:
after `import torch`, after the weights exist, and the peak (getrusage).

  /usr/bin/python3 bench/gpt2_torch.py [threads] [--write FILE]

--write FILE also writes the weights in Hugging Face's names (with the attn.bias
buffers, as the Hub's file has them), the 128 ids and the logits computed in float64
(reference.ids, reference.logits), for `gpt2_forward --check FILE`: the full
config's logits compared once (500 MB, not checked in).
For 2 threads use the OpenMP OpenBLAS (bench/compare.py says why):
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/gpt2_torch.py 2
"""
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference"))
from make_gpt2_reference import GPT2, random_weights  # noqa: E402
from safetensors_file import write_safetensors  # noqa: E402

FULL = dict(layers=12, dim=768, heads=12, context=1024, vocab=50257)
TOKENS = 128


def resident_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main():
    args = sys.argv[1:]
    write = None
    if "--write" in args:
        i = args.index("--write")
        write = args[i + 1]
        del args[i:i + 2]
    threads = int(args[0]) if args else 1
    torch.set_num_threads(threads)
    start = resident_mib()
    # GPT-2's own initialisation scale (0.02): the logits then stay in GPT-2's range.
    weights = random_weights(**FULL, seed=124, std=0.02)
    buffers = {k: weights.pop(k) for k in [k for k in weights if k.endswith(".attn.bias")]}
    model = GPT2(weights, **FULL)
    ids = torch.randint(0, FULL["vocab"], (1, TOKENS), generator=torch.Generator().manual_seed(7))
    if write:
        with torch.no_grad():
            exact = GPT2({k: v.double() for k, v in weights.items()}, **FULL).forward(ids)
        write_safetensors(write, {**weights, **buffers, "reference.ids": ids[0], "reference.logits": exact[0].float()},
                          {"format": "pt", "script": "bench/gpt2_torch.py"})
        print(f"wrote {write}")
    del buffers
    built = resident_mib()
    times = []
    with torch.no_grad():
        for i in range(23):
            t0 = time.perf_counter()
            logits = model.forward(ids)
            if i >= 3:
                times.append((time.perf_counter() - t0) * 1000)
    assert torch.isfinite(logits).all()
    times.sort()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"torch {torch.__version__}, {threads} thread(s): forward batch 1 x {TOKENS} tokens: best {times[0]:.1f} ms, "
          f"median {times[len(times) // 2]:.1f} ms; resident MiB: after import {start:.0f}, weights built {built:.0f}, "
          f"peak {peak:.0f}")


if __name__ == "__main__":
    main()
