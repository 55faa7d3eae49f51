#!/usr/bin/env bash
# Set up (packages, data), then build and run the whole test suite:
#   1. Release build: unit tests, compile-fail tests (g++ and clang), every lesson's smoke run;
#   2. Fuzzers (libFuzzer, clang): each file reader for 30 s from its seed corpus;
#   3. Sanitizer build (ASan + UBSan): the unit tests again.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)

echo "== release build and tests"
cmake --preset release >/dev/null
cmake --build --preset release -j"$jobs"
ctest --preset release -j"$jobs"

echo "== fuzzers: each reader for 30 s (fuzz/; the README says how to run them longer)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$jobs"
for reader in safetensors idx onnx csv image; do
    found=$(mktemp -d)   # new inputs go here, not into the checked-in seeds
    dict=()
    [[ -f fuzz/$reader.dict ]] && dict=(-dict=fuzz/$reader.dict)
    log=build/fuzz/$reader-fuzz.log
    if ! build/fuzz/fuzz/${reader}_fuzzer -max_total_time=30 -print_final_stats=1 "${dict[@]}" \
            -artifact_prefix=build/fuzz/ "$found" fuzz/corpus/$reader >"$log" 2>&1; then
        cat "$log"
        echo "fuzz: $reader reader crashed; the input is in build/fuzz/ (add it to fuzz/corpus/$reader once fixed)"
        exit 1
    fi
    grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb)" "$log" | sed "s/^/$reader: /"
    rm -rf "$found"
done

echo "== sanitizer build (ASan + UBSan) and unit tests"
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize -j"$jobs" --target typenet_tests
ctest --preset sanitize -L unit
