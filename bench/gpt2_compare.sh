#!/usr/bin/env bash
# GPT-2 124M's forward (batch 1, 128 tokens) in typenet and PyTorch, side by side:
#   bench/gpt2_compare.sh [GPT2_FORWARD] [rounds]
# GPT2_FORWARD is the built bench/gpt2_forward.cpp (default build/bench/bench/gpt2_forward:
# cmake --preset bench && cmake --build build/bench --target gpt2_forward).
#
# First the check, once: bench/gpt2_torch.py writes random GPT-2 weights in Hugging
# Face's names (and its float64 logits) to a scratch file, and gpt2_forward loads them
# with load_hugging_face_gpt2 and compares its logits. Then `rounds` rounds, each
# typenet and PyTorch on 1 and 2 threads, interleaved (the machine is shared: a round
# shows what the others' load did to both); the first round also runs GPT2Small bound
# to its whole context of 1024 (`full`). Every run is its own process, so that its
# peak resident memory is its own. No weights are downloaded.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
exe=${1:-$repo/build/bench/bench/gpt2_forward}
rounds=${2:-3}
openblas_openmp=/usr/lib/x86_64-linux-gnu/openblas-openmp  # bench/compare.py says why
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

torch() {  # threads
    if (($1 > 1)); then
        LD_LIBRARY_PATH=$openblas_openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} /usr/bin/python3 "$repo/bench/gpt2_torch.py" "$1"
    else
        /usr/bin/python3 "$repo/bench/gpt2_torch.py" "$1"
    fi
}

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p') (family $(lscpu | sed -n 's/^CPU family: *//p'), model $(lscpu | sed -n 's/^Model: *//p')), $(nproc) cores, $(grep -q avx512f /proc/cpuinfo && echo AVX-512 || echo 'AVX2, no AVX-512'); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "== check: the full config's logits"
/usr/bin/python3 "$repo/bench/gpt2_torch.py" 1 --write "$scratch/gpt2.safetensors" >/dev/null
"$exe" 1 --check "$scratch/gpt2.safetensors" | grep -E "loaded|logits"
rm -f "$scratch/gpt2.safetensors"
for ((r = 1; r <= rounds; ++r)); do
    echo "== round $r (load average $(cut -d' ' -f1 /proc/loadavg))"
    for threads in 1 2; do
        "$exe" "$threads" | tail -1
        torch "$threads"
        ((r == 1)) && "$exe" "$threads" full | tail -1
    done
done
