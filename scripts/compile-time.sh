#!/usr/bin/env bash
# Measures how long each lesson takes to compile and how much memory the compiler
# needs (compile time is part of the product: see docs/performance.md).
#   scripts/compile-time.sh [build-dir]     (default build/release)
# Prints a Markdown table: lesson, seconds, peak MiB (the compile of the one .cpp,
# as CMake runs it, with -O3 -march=native).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
[[ -f "$build/compile_commands.json" ]] || cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
[[ -f "$build/compile_commands.json" ]] || { echo "no compile_commands.json in $build" >&2; exit 1; }

echo "| lesson | compile s | peak MiB |"
echo "| --- | ---: | ---: |"
/usr/bin/python3 - "$build/compile_commands.json" <<'PY' | while IFS=$'\t' read -r name dir cmd; do
import json, sys, shlex, os
for e in json.load(open(sys.argv[1])):
    f = e["file"]
    if "/lessons/" in f:
        args = shlex.split(e["command"]) if "command" in e else e["arguments"]
        if "-o" in args:  # compile to nowhere: only the time and memory matter
            i = args.index("-o")
            del args[i:i + 2]
        print(os.path.basename(f), e["directory"], " ".join(shlex.quote(a) for a in args), sep="\t")
PY
    stats=$( (cd "$dir" && /usr/bin/time -f "%e %M" bash -c "$cmd -o /dev/null" ) 2>&1 >/dev/null | tail -1)
    read -r secs kb <<<"$stats"
    printf "| %s | %s | %d |\n" "$name" "$secs" "$((kb / 1024))"
done
