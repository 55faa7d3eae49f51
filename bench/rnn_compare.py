#!/usr/bin/env python3
"""The recurrent benchmarks beside PyTorch, interleaved, with the issue's targets.

  bench/rnn_compare.py --exe build/bench/bench/rnn_bench --rounds 3
  bench/rnn_compare.py --exe build/bench-avx2/bench/rnn_bench --isa avx2

Runs bench/rnn_bench.cpp (Google Benchmark, JSON) and bench/rnn_torch.py on 1 and 2
threads, alternating the two sides each round (the machine is shared and noisy:
both see the same noise), and prints the medians with typenet's ratio:
  lstm_lm, gru_lm   training sequences/s, target typenet >= 1.5x PyTorch
  lstm_step         one generation step at batch 1, target typenet's time <= 0.25x
--isa avx2 limits PyTorch to AVX2 as bench/compare.py does (typenet's side is
whatever --exe was built for: -mno-avx512f for AVX2).
"""
import argparse
import json
import os
import statistics
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TORCH_PYTHON = "/usr/bin/python3"
OPENBLAS_OPENMP = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
# The machine's environment sets OPENBLAS_CORETYPE=Haswell; on AVX-512 PyTorch gets
# OpenBLAS's AVX-512 kernels, as typenet gets its own.
ISA_ENV = {"native": {"OPENBLAS_CORETYPE": "SkylakeX"}, "avx2": {"OPENBLAS_CORETYPE": "Haswell", "DNNL_MAX_CPU_ISA": "AVX2",
                                  "ATEN_CPU_CAPABILITY": "avx2"}}
TARGETS = {"lstm_lm": 1.5, "gru_lm": 1.5, "lstm_step": 4.0}  # typenet rate / PyTorch rate


def typenet(exe, model, threads, min_time):
    out = subprocess.run([exe, f"--benchmark_filter=^{model}/threads:{threads}/", "--benchmark_format=json",
                          f"--benchmark_min_time={min_time}"], check=True, capture_output=True, text=True).stdout
    report = json.loads(out)
    run = report["benchmarks"][0]
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[run["time_unit"]]
    # items per iteration from the wall rate, then per second of CPU time
    items = run["items_per_second"] * run["real_time"] * scale
    return run["items_per_second"], items / (run["cpu_time"] * scale), report.get("context", {})


def torch(model, threads, isa):
    env = dict(os.environ, **ISA_ENV[isa])
    if threads > 1:
        env["LD_LIBRARY_PATH"] = OPENBLAS_OPENMP
    out = subprocess.run([TORCH_PYTHON, str(ROOT / "bench" / "rnn_torch.py"), "--model", model, "--threads",
                          str(threads)], check=True, capture_output=True, text=True, env=env).stdout
    fields = json.loads(out.strip().splitlines()[-1])
    return fields["per_s"], fields["cpu_per_s"]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--exe", required=True)
    parser.add_argument("--models", default="lstm_lm,gru_lm,lstm_step")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--min-time", type=float, default=2.0)
    parser.add_argument("--isa", choices=sorted(ISA_ENV), default="native")
    args = parser.parse_args()
    context = {}
    print("| model | threads | typenet /s | PyTorch /s | ratio | target | typenet /CPU s | PyTorch /CPU s | ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for model in args.models.split(","):
        for threads in [int(t) for t in args.threads.split(",")]:
            ours, theirs = [], []
            for _ in range(args.rounds):
                rate, cpu_rate, context = typenet(args.exe, model, threads, args.min_time)
                ours.append((rate, cpu_rate))
                theirs.append(torch(model, threads, args.isa))
            a, b = (statistics.median(r[0] for r in ours), statistics.median(r[0] for r in theirs))
            ca, cb = (statistics.median(r[1] for r in ours), statistics.median(r[1] for r in theirs))
            print(f"| {model} | {threads} | {a:.1f} | {b:.1f} | {a / b:.2f}x | {TARGETS[model]}x | {ca:.1f} | "
                  f"{cb:.1f} | {ca / cb:.2f}x |", flush=True)
    print(f"\ntypenet: {context.get('typenet_simd', '?')}; PyTorch limited to: {args.isa}")
