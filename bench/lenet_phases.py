#!/usr/bin/env python3
"""LeNet-5's phase table for several builds side by side: runs bench/lenet_phases.cpp of
each build directory, interleaved, for several rounds, and prints the median
microseconds per step (batch 64) of every phase as a Markdown table.

  bench/lenet_phases.py build/bench build/bench-avx2 --threads 1 --rounds 5
"""
import argparse
import statistics
import subprocess
from collections import defaultdict
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build_dirs", nargs="+", type=Path)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=300)
    args = ap.parse_args()
    times = [defaultdict(list) for _ in args.build_dirs]
    names = ["?"] * len(args.build_dirs)
    order = []
    for _ in range(args.rounds):
        for i, d in enumerate(args.build_dirs):
            out = subprocess.run([str(d / "bench" / "lenet_phases"), str(args.threads), str(args.steps)],
                                 check=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                words = line.split()
                if words[0] == "phase":
                    key = " ".join(words[1:-1])
                    if key not in order:
                        order.append(key)
                    times[i][key].append(float(words[-1]))
                elif words[0] == "simd":
                    names[i] = words[1]
    print(f"| phase (us per step, {args.threads} thread(s), median of {args.rounds}) | " +
          " | ".join(names) + (" | ratio |" if len(names) == 2 else " |"))
    print("|---|" + "---:|" * (len(names) + (len(names) == 2)))
    for key in order:
        med = [statistics.median(t[key]) for t in times]
        if max(med) < 0.5:
            continue  # a layer fused into the previous one
        ratio = f" | {med[1] / med[0]:.2f}" if len(med) == 2 and med[0] > 0 else ""
        print(f"| {key} | " + " | ".join(f"{m:.0f}" for m in med) + ratio + " |")


if __name__ == "__main__":
    main()
