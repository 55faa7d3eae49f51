#!/usr/bin/env bash
# OpenMP's waiting threads on a busy machine (issue 17, item 5): LeNet-5 training
# samples/s on 1 and 2 threads, with libgomp's waiting threads spinning (active),
# spinning 300,000 times then sleeping (libgomp's default), spinning 1,000 times
# (GOMP_SPINCOUNT=1000: typenet's default, src/precompiled.cpp) and sleeping at once
# (passive), on an idle machine and with another process keeping one core busy.
# Rounds are interleaved; medians printed.
#
#   bench/omp_wait_policy.sh [--rounds N] [--binary build/bench/bench/cnn_train_bench]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
exe=build/bench/bench/cnn_train_bench
while [[ $# -gt 0 ]]; do
    case $1 in
        --rounds) rounds=$2; shift 2 ;;
        --binary) exe=$2; shift 2 ;;
        *) echo "usage: $0 [--rounds N] [--binary EXE]" >&2; exit 2 ;;
    esac
done
if [[ ! -x $exe ]]; then
    cmake --preset bench >/dev/null
    cmake --build --preset bench --target cnn_train_bench -j"$(nproc)"
    exe=build/bench/bench/cnn_train_bench
fi
results=$(mktemp)
trap 'rm -f "$results"; [[ -n ${hog:-} ]] && kill "$hog" 2>/dev/null || true' EXIT

run() {  # LOAD POLICY THREADS: appends "load policy threads rate"
    local load=$1 policy=$2 threads=$3 rate
    local env=(env -u GOMP_SPINCOUNT OMP_WAIT_POLICY=$policy)
    [[ $policy == spin-300000 ]] && env=(env -u OMP_WAIT_POLICY GOMP_SPINCOUNT=300000)
    [[ $policy == spin-1000 ]] && env=(env -u OMP_WAIT_POLICY GOMP_SPINCOUNT=1000)
    rate=$("${env[@]}" "$exe" --benchmark_filter="^lenet/threads:$threads/" --benchmark_min_time=2 \
        --benchmark_format=json 2>/dev/null |
        python3 -c "import json,sys; print(json.load(sys.stdin)['benchmarks'][0]['items_per_second'])")
    echo "$load $policy $threads $rate" >>"$results"
}

for ((r = 1; r <= rounds; ++r)); do
    for load in idle one-core-busy; do
        hog=
        if [[ $load == one-core-busy ]]; then
            (while :; do :; done) &
            hog=$!
        fi
        for policy in active spin-300000 spin-1000 passive; do
            for threads in 1 2; do run "$load" "$policy" "$threads"; done
        done
        [[ -n $hog ]] && kill "$hog" && wait "$hog" 2>/dev/null || true
        hog=
    done
    echo "round $r/$rounds done" >&2
done

python3 - "$results" <<'PY'
import collections, statistics, sys
rates = collections.defaultdict(list)
for line in open(sys.argv[1]):
    load, policy, threads, rate = line.split()
    rates[(load, policy, threads)].append(float(rate))
print("LeNet-5 training, samples/s (median of the rounds; all rounds in brackets)\n")
print("| machine | waiting threads | 1 thread | 2 threads |")
print("| --- | --- | ---: | ---: |")
for load in ("idle", "one-core-busy"):
    for policy in ("active", "spin-300000", "spin-1000", "passive"):
        cells = []
        for threads in ("1", "2"):
            v = rates[(load, policy, threads)]
            cells.append(f"{statistics.median(v):,.0f} ({', '.join(f'{x:,.0f}' for x in v)})")
        print(f"| {load} | {policy} | {cells[0]} | {cells[1]} |")
PY
