#!/usr/bin/python3
"""PyTorch's side of bench/gpt_bench.cpp: the same GPT and modes.

The model is GPT-2's block written from its equations (pre-norm, causal self-
attention through one [D, 3D] projection, GELU feed-forward of 4 D, a final
LayerNorm, the output layer tied to the token embedding), d 128, 4 heads, 4 layers,
83 tokens, no dropout. The attention is written out (softmax(Q K^T / sqrt(d) + mask)
V: torch 1.13 has no fused scaled_dot_product_attention), so that it can keep a
cache:

  gpt_train          batch 16 x 64, cross-entropy, Adam (lr 1e-3): one whole step; samples/s
  generate_cached    256 tokens one at a time from position 0, each step projecting the
                     newest token only and attending the keys and values kept; tokens/s
  generate_uncached  the same without a cache: every step reruns exactly the prefix so far
                     (t positions at step t, as a dynamic framework does); tokens/s

Run with Debian's torch:  /usr/bin/python3 bench/gpt_torch.py [threads]
For 2 threads use the OpenMP OpenBLAS (../shared/design.md says why):
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/gpt_torch.py 2
"""
import math
import sys
import time

import torch
import torch.nn.functional as F

V, D, H, L = 83, 128, 4, 4


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = torch.nn.LayerNorm(D), torch.nn.LayerNorm(D)
        self.c_attn, self.c_proj = torch.nn.Linear(D, 3 * D), torch.nn.Linear(D, D)
        self.fc, self.proj = torch.nn.Linear(D, 4 * D), torch.nn.Linear(4 * D, D)

    def forward(self, x, cache=None):
        b, t, _ = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(D, dim=2)
        q, k, v = (z.view(b, t, H, D // H).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            if cache:
                k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
            cache[:] = [k, v]
        s = q @ k.transpose(-2, -1) / math.sqrt(D // H)
        if t > 1:  # one new query sees every cached key; a whole window is causal
            s = s.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
        y = (s.softmax(-1) @ v).transpose(1, 2).reshape(b, t, D)
        x = x + self.c_proj(y)
        return x + self.proj(F.gelu(self.fc(self.ln_2(x))))


class GPT(torch.nn.Module):
    def __init__(self, context):
        super().__init__()
        self.wte, self.wpe = torch.nn.Embedding(V, D), torch.nn.Embedding(context, D)
        self.h = torch.nn.ModuleList(Block() for _ in range(L))
        self.ln_f = torch.nn.LayerNorm(D)

    def forward(self, ids, start=0, caches=None):
        x = self.wte(ids) + self.wpe(torch.arange(start, start + ids.shape[1]))
        for i, block in enumerate(self.h):
            x = block(x, None if caches is None else caches[i])
        return self.ln_f(x) @ self.wte.weight.t()


def best_rate(fn, items, seconds=3.0, rounds=5):
    for _ in range(2):
        fn()
    best = 0.0
    for _ in range(rounds):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / rounds or n == 0:
            fn()
            n += 1
        best = max(best, n * items / (time.perf_counter() - start))
    return best


def gpt_train():
    torch.manual_seed(42)
    model = GPT(64).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    ids, targets = torch.randint(V, (16, 64)), torch.randint(V, (16, 64))

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(ids).view(-1, V), targets.view(-1)).backward()
        opt.step()
    return best_rate(step, 16)


def generate(cached, tokens=256):
    torch.manual_seed(42)
    model = GPT(tokens).eval()

    def run():
        with torch.no_grad():
            caches = [[] for _ in range(L)] if cached else None
            seq = torch.ones(1, 1, dtype=torch.long)
            for t in range(tokens):
                if cached:
                    logits = model(seq[:, -1:], start=t, caches=caches)
                else:
                    logits = model(seq)
                nxt = torch.full((1, 1), t % V, dtype=torch.long)
                logits[0, -1].log_softmax(-1)
                seq = torch.cat([seq, nxt], dim=1)
    return best_rate(run, tokens, seconds=4.0, rounds=2)


if __name__ == "__main__":
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch.set_num_threads(threads)
    print(f"torch {torch.__version__}, {threads} thread(s)")
    print(f"gpt_train: {gpt_train():.1f} samples/s")
    print(f"generate_cached: {generate(True):.1f} tokens/s")
    print(f"generate_uncached: {generate(False):.1f} tokens/s")
