#!/usr/bin/env python3
"""Training and inference throughput: typenet beside PyTorch, with the issues' targets.

Models (--model; each is a benchmark of bench/*.cpp and a PyTorch twin in bench/peers/):
  sgd, adam, bn_dropout     MNIST MLP 784-256-128-10 (bench/mlp_train_bench.cpp, peers/mlp_torch.py):
                            SGD; Adam; BatchNorm + Dropout after each hidden Dense with Adam
  lenet, vgg_small          LeNet-5 on 1x28x28 and VGG-small on 3x32x32, SGD, batch 64
  lenet_infer               LeNet-5 inference at batch 1 (bench/cnn_train_bench.cpp, peers/cnn_torch.py)

Builds the benchmark if needed (CMake, Release, -DTYPENET_BUILD_BENCH=ON), then runs
typenet and PyTorch on 1 and 2 threads, interleaved, several rounds (the machine is
shared and noisy: the two sides see the same noise), and prints the median samples/s
of each with the ratio typenet-best / PyTorch-best against the model's target.

  bench/compare.py                           # sgd, 5 rounds, build dir build/bench
  bench/compare.py --model lenet --rounds 3 --build-dir build/mine --markdown
  bench/compare.py --model lenet --isa avx2  # typenet without AVX-512, PyTorch's kernels at AVX2

--isa avx2 builds typenet in build/bench-avx2 with -march=native -mno-avx512f (the
AVX2 + FMA code path, on whatever core this is) and limits PyTorch to the same
instruction set: OpenBLAS's Haswell kernels (OPENBLAS_CORETYPE=Haswell), oneDNN's
convolutions to AVX2 (DNNL_MAX_CPU_ISA=AVX2) and ATen to AVX2 (ATEN_CPU_CAPABILITY).
The header names the instruction set each side ran, the cores and the CPU model.

Needs Debian's python3-torch and libopenblas0-openmp (apt-get install -y
python3-torch libopenblas0-openmp). PyTorch runs under /usr/bin/python3, the
interpreter that sees Debian's packages; on 2 threads with the OpenMP build of
OpenBLAS, whose threads do not fight torch's own OpenMP team.
Uses only the standard library, so any python3 can run this script.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TORCH_PYTHON = "/usr/bin/python3"
OPENBLAS_OPENMP = "/usr/lib/x86_64-linux-gnu/openblas-openmp"


class Suite:
    """One benchmark executable and its PyTorch twin."""

    def __init__(self, target, script, torch_steps):
        self.target, self.script, self.torch_steps = target, ROOT / "bench" / "peers" / script, torch_steps


MLP = Suite("mlp_train_bench", "mlp_torch.py", 2000)
CNN = Suite("cnn_train_bench", "cnn_torch.py", 300)
# model -> (suite, target ratio typenet-best / PyTorch-best, from the issues)
MODELS = {"sgd": (MLP, 1.3), "adam": (MLP, 1.3), "bn_dropout": (MLP, 1.3),
          "lenet": (CNN, 2.0), "vgg_small": (CNN, 1.2), "lenet_infer": (CNN, 4.0)}


def fail(message):
    sys.exit(f"compare.py: {message}")


# --isa: the extra compiler flags of typenet's build, and the environment that limits
# PyTorch's kernels (OpenBLAS, oneDNN, ATen) to the same instruction set.
ISAS = {"native": ([], {}),
        "avx2": (["-DCMAKE_CXX_FLAGS=-mno-avx512f"],
                 {"OPENBLAS_CORETYPE": "Haswell", "DNNL_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"})}


def build(build_dir, target, cmake_flags):
    """Configures (once) and builds the bench target; returns the executable."""
    if not (build_dir / "CMakeCache.txt").exists():
        subprocess.run(["cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
                        "-DTYPENET_BUILD_BENCH=ON", "-DTYPENET_BUILD_TESTS=OFF",
                        "-DTYPENET_BUILD_LESSONS=OFF", *cmake_flags], check=True)
    subprocess.run(["cmake", "--build", str(build_dir), "--target", target, "-j2"], check=True)
    exe = build_dir / "bench" / target
    if not exe.exists():
        fail(f"the build finished but {exe} is not there")
    return exe


def run_typenet(exe, model, threads, min_time):
    """Returns (samples/s, the benchmark's context: typenet_simd, cores, cpu_model)."""
    out = subprocess.run([str(exe), f"--benchmark_filter=^{model}/threads:{threads}/", "--benchmark_format=json",
                          f"--benchmark_min_time={min_time}"],
                         check=True, capture_output=True, text=True).stdout
    report = json.loads(out)
    runs = report["benchmarks"]
    if len(runs) != 1:
        fail(f"expected one benchmark for {threads} thread(s) from {exe}, got {len(runs)}")
    return runs[0]["items_per_second"], report.get("context", {})


def run_torch(script, model, threads, steps, isa_env):
    """Returns (samples/s, the peer's fields: torch, openblas_core, dnnl_max_isa, aten_cpu)."""
    env = dict(os.environ, **isa_env)
    # An OPENBLAS_CORETYPE inherited from the shell (this workplace's sets Haswell)
    # would hold PyTorch to AVX2 on an AVX-512 machine in a native run: leave the
    # choice to peers/blas_setup.py, which picks the family of the CPU.
    if "OPENBLAS_CORETYPE" not in isa_env:
        env.pop("OPENBLAS_CORETYPE", None)
    if threads > 1:
        env["LD_LIBRARY_PATH"] = OPENBLAS_OPENMP + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH")
                                                    else "")
    out = subprocess.run([TORCH_PYTHON, str(script), "--model", model, "--threads", str(threads),
                          "--steps", str(steps)],
                         check=True, capture_output=True, text=True, env=env).stdout
    fields = dict(f.split("=", 1) for f in out.split() if "=" in f)
    return float(fields["samples_per_s"]), fields


def header(context, peer):
    """Two lines: what typenet's kernels were compiled for, and what PyTorch's were limited to."""
    return (f"typenet: {context.get('typenet_simd', '?')}, {context.get('cores', '?')} cores, "
            f"{context.get('cpu_model', '?')}\n"
            f"PyTorch {peer.get('torch', '?')}: OpenBLAS {peer.get('openblas_core', '?')}, "
            f"oneDNN max ISA {peer.get('dnnl_max_isa', '?')}, ATen {peer.get('aten_cpu', '?')}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=tuple(MODELS), default="sgd")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds; medians are reported")
    ap.add_argument("--isa", choices=tuple(ISAS), default="native",
                    help="native: -march=native; avx2: without AVX-512, both sides (see above)")
    ap.add_argument("--build-dir", type=Path, help="default build/bench, or build/bench-avx2 with --isa avx2")
    ap.add_argument("--binary", type=Path, help="use this benchmark executable instead of building")
    ap.add_argument("--min-time", type=float, default=2.0, help="seconds per typenet measurement")
    ap.add_argument("--torch-steps", type=int, help="timed steps per PyTorch measurement (default per suite)")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = ap.parse_args()

    if not Path(TORCH_PYTHON).exists() or subprocess.run([TORCH_PYTHON, "-c", "import torch"],
                                                         capture_output=True).returncode != 0:
        fail(f"{TORCH_PYTHON} cannot import torch: apt-get install -y python3-torch libopenblas0-openmp")
    if not Path(OPENBLAS_OPENMP).is_dir():
        fail(f"{OPENBLAS_OPENMP} is missing: apt-get install -y libopenblas0-openmp")
    suite, target = MODELS[args.model]
    torch_steps = args.torch_steps or suite.torch_steps
    cmake_flags, isa_env = ISAS[args.isa]
    build_dir = args.build_dir or ROOT / "build" / ("bench" if args.isa == "native" else f"bench-{args.isa}")
    exe = args.binary or build(build_dir.resolve(), suite.target, cmake_flags)

    samples = {key: [] for key in ("typenet 1T", "typenet 2T", "PyTorch 1T", "PyTorch 2T")}
    context, peer = {}, {}
    for r in range(args.rounds):
        for threads in (1, 2):
            rate, context = run_typenet(exe, args.model, threads, args.min_time)
            samples[f"typenet {threads}T"].append(rate)
            rate, peer = run_torch(suite.script, args.model, threads, torch_steps, isa_env)
            samples[f"PyTorch {threads}T"].append(rate)
        print(f"round {r + 1}/{args.rounds}: " +
              "  ".join(f"{k} {v[-1] / 1e3:.1f}k" for k, v in samples.items()), file=sys.stderr, flush=True)

    medians = {k: statistics.median(v) for k, v in samples.items()}
    typenet_best = max(medians["typenet 1T"], medians["typenet 2T"])
    torch_best = max(medians["PyTorch 1T"], medians["PyTorch 2T"])
    ratio = typenet_best / torch_best
    verdict = "met" if ratio >= target else "NOT met"

    title = f"'{args.model}': samples/s, median of {args.rounds} interleaved rounds\n{header(context, peer)}"
    if args.markdown:
        print(f"{title.replace(chr(10), '  '+chr(10))}\n\n| run | median samples/s | all rounds |\n|---|---:|---|")
        for k, v in samples.items():
            print(f"| {k} | {medians[k]:,.0f} | {', '.join(f'{x:,.0f}' for x in v)} |")
        print(f"\ntypenet-best / PyTorch-best = {typenet_best:,.0f} / {torch_best:,.0f} = **{ratio:.2f}x** "
              f"(target >= {target}x: {verdict})")
    else:
        print(title)
        print(f"{'run':<12} {'median':>10}   all rounds")
        for k, v in samples.items():
            print(f"{k:<12} {medians[k]:>10,.0f}   {' '.join(f'{x:,.0f}' for x in v)}")
        print(f"typenet-best / PyTorch-best = {typenet_best:,.0f} / {torch_best:,.0f} = {ratio:.2f}x "
              f"(target >= {target}x: {verdict})")


if __name__ == "__main__":
    main()
