#!/usr/bin/env bash
# Set up (packages, data), then build and run the whole test suite:
#   1. Release build (-O3, as a learner builds): every lesson and its smoke run, the
#      flagship's full run, compile-fail tests (g++ and clang), the ONNX conformance,
#      allocation and package tests;
#   2. Fuzzers (libFuzzer, clang): each file reader for 20 s from its seed corpus, two at a time
#      (a smoke test of the readers against their corpora: the README says how to fuzz for hours);
#   3. Sanitizer build (ASan + UBSan, at -O0): the unit tests (typenet_tests), here only,
#      and typenet/serve/'s tests (typenet_serve_tests, which also run in the release build).
#      Compiling the unit tests twice, at -O3 and under the sanitizers, was 40% of the
#      suite (release 590 + sanitizer 571 CPU s of 1,581); they are built where they
#      check the most. -O1 tripled the sanitizer build (conv2d_test.cpp 32 -> 121 CPU s);
#      UBSan's vptr, null and alignment checks were a third of it at -O0 (layer_norm_test
#      35 -> 23 s) and are left out: ASan itself stops at a null dereference, and typenet
#      has no virtual calls in its kernels. `cmake --preset release` alone still builds
#      and runs the unit tests at -O3, as developers do.
# Exits non-zero on the first failure. At the end it prints the budget: each stage's
# time, each lesson's compile time, peak compiler memory and smoke-run time, and the
# five slowest compiles of the whole build (every compile is timed by
# scripts/timed-compile.sh, CMake's compiler launcher here).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc)
stages=()
stage_start=$SECONDS
stage_done() {  # NAME: records the time since the previous stage ended
    stages+=("$1	$((SECONDS - stage_start))")
    stage_start=$SECONDS
}

scripts/setup.sh
stage_done "set-up (packages, data)"

mkdir -p build
export TYPENET_COMPILE_LOG=$root/build/compile-times.tsv
rm -f "$TYPENET_COMPILE_LOG"
launcher=-DCMAKE_CXX_COMPILER_LAUNCHER=$root/scripts/timed-compile.sh

echo "== release build and tests (the unit tests run in the sanitizer build)"
# Its own build folder: a developer's build/release keeps its unit tests.
suite=build/suite-release
cmake --preset release -B "$suite" "$launcher" -DTYPENET_BUILD_UNIT_TESTS=OFF >/dev/null
cmake --build "$suite" -j"$jobs"
stage_done "release build"
ctest_log=$suite/ctest.log
ctest --test-dir "$suite" --output-on-failure -j"$jobs" | tee "$ctest_log"
stage_done "release tests (compile-fail, lesson smoke runs, conformance, ...)"

echo "== fuzzers: each reader for 20 s, two at a time (fuzz/; the README says how to run them longer)"
readers=(safetensors idx onnx csv image tokenizer request)
cmake --preset fuzz "$launcher" >/dev/null
# The fuzzers only: they are header-only programs, and the fuzz build of the
# precompiled library would be the longest compile of the whole suite.
cmake --build --preset fuzz -j"$jobs" --target "${readers[@]/%/_fuzzer}"
fuzz_one() {  # READER: 20 s from its seeds; new inputs go to a scratch folder, not into the seeds
    local reader=$1 found dict=() log=build/fuzz/$1-fuzz.log
    found=$(mktemp -d)
    [[ -f fuzz/$reader.dict ]] && dict=(-dict=fuzz/$reader.dict)
    if ! build/fuzz/fuzz/${reader}_fuzzer -max_total_time=20 -print_final_stats=1 "${dict[@]}" \
            -artifact_prefix=build/fuzz/ "$found" fuzz/corpus/$reader >"$log" 2>&1; then
        cat "$log"
        echo "fuzz: $reader reader crashed; the input is in build/fuzz/ (add it to fuzz/corpus/$reader once fixed)"
        rm -rf "$found"
        return 1
    fi
    grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb)" "$log" | sed "s/^/$reader: /"
    rm -rf "$found"
}
running=()
fuzz_failed=0
for reader in "${readers[@]}"; do
    fuzz_one "$reader" &
    running+=($!)
    if ((${#running[@]} >= jobs)); then
        wait "${running[0]}" || fuzz_failed=1
        running=("${running[@]:1}")
    fi
done
for pid in "${running[@]}"; do wait "$pid" || fuzz_failed=1; done
((fuzz_failed == 0)) || exit 1
stage_done "fuzzers (build, 7 readers x 20 s)"

echo "== sanitizer build (ASan + UBSan) and unit tests"
cmake --preset sanitize "$launcher" >/dev/null
# typenet_serve_tests too: the HTTP server's refusals and concurrent clients under ASan
# and LeakSanitizer (a worker that leaked or overran on a bad request shows here).
cmake --build --preset sanitize -j"$jobs" --target typenet_tests typenet_serve_tests
stage_done "sanitizer build"
ctest --preset sanitize -L "^(unit|serve)$"
stage_done "sanitizer unit tests"

# --- The budget ---------------------------------------------------------------------
echo
echo "== where the time went"
total=0
for s in "${stages[@]}"; do
    IFS=$'\t' read -r name secs <<<"$s"
    printf "  %-60s %4d s\n" "$name" "$secs"
    total=$((total + secs))
done
printf "  %-60s %4d s (%d min %d s)\n" "total" "$total" $((total / 60)) $((total % 60))
/usr/bin/python3 - "$TYPENET_COMPILE_LOG" "$ctest_log" <<'PY'
import os, re, sys
compiles = []
for line in open(sys.argv[1]):
    secs, mib, output = line.rstrip("\n").split("\t")
    compiles.append((float(secs), int(mib), output))
smoke = {}
for line in open(sys.argv[2]):
    m = re.search(r"Test\s+#\d+: lesson-(\S+)-smoke \.+\s+\S+\s+([\d.]+) sec", line)
    if m:
        smoke[m.group(1)] = float(m.group(2))
print("\n  lesson                                  compile s   peak MiB   smoke run s")
for secs, mib, output in sorted(compiles, key=lambda c: c[2]):
    m = re.search(r"/build/suite-release/lessons/CMakeFiles/lesson-([^/]+)\.dir/", output)
    if m:
        name = m.group(1)
        print(f"  {name:<38} {secs:10.2f} {mib:10d} {smoke.get(name, float('nan')):13.2f}")
print("\n  the five slowest compiles of the whole build:")
for secs, mib, output in sorted(compiles, reverse=True)[:5]:
    print(f"  {secs:8.2f} s {mib:6d} MiB  {os.path.relpath(output)}")
print(f"\n  {len(compiles)} compiles, {sum(c[0] for c in compiles):.0f} s in all; "
      f"largest {max(c[1] for c in compiles)} MiB")
PY
