"""Sets up OpenBLAS, which torch's matrix products run on, before torch is imported.

Two things measured on this project's machines make PyTorch several times slower than
it can be, so a comparison with it would flatter typenet:
- OpenBLAS starts one thread per core unless told otherwise: with torch on 1 thread it
  still ran its products on 2 and they fought (LeNet: 800 samples/s instead of 6,700).
  It gets torch's thread count (--threads).
- OpenBLAS 0.3.21 (Debian 12) does not recognise some virtualised CPUs and falls back to
  its generic "Prescott" kernels: a 64x784x256 product ran at 29 GFLOP/s instead of 127
  on an AVX-512 Xeon. Unless OPENBLAS_CORETYPE is set already, the kernel family is
  named from the CPU's flags.

`describe()` names what the peer's kernels were limited to, for the benchmark's header:
OpenBLAS's kernel family, oneDNN's (torch's convolutions) highest instruction set
(DNNL_MAX_CPU_ISA; bench/compare.py --isa avx2 sets it to AVX2 and OpenBLAS to
Haswell, for a peer on the same instruction set as an AVX2 build of typenet) and
ATen's (ATEN_CPU_CAPABILITY), "default" where not set.

Import it first: `import blas_setup  # noqa: F401` before `import torch`.
"""
import os
import sys

_threads = next((sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == "--threads"), "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", _threads)

if "OPENBLAS_CORETYPE" not in os.environ:
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith("flags")), "").split()
    except OSError:
        flags = []
    if "avx512f" in flags:
        os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
    elif "avx2" in flags and "fma" in flags:
        os.environ["OPENBLAS_CORETYPE"] = "Haswell"


def describe():
    """'openblas_core=Haswell dnnl_max_isa=AVX2 aten_cpu=default': fields for the peer's output line."""
    return " ".join(f"{name}={os.environ.get(var) or 'default'}" for name, var in
                    (("openblas_core", "OPENBLAS_CORETYPE"), ("dnnl_max_isa", "DNNL_MAX_CPU_ISA"),
                     ("aten_cpu", "ATEN_CPU_CAPABILITY")))
