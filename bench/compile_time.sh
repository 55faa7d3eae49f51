#!/usr/bin/env bash
# Compile time is part of the product (docs/performance.md): how long each lesson
# takes to compile and how much memory the compiler needs, beside the anchor, dlib's
# LeNet example (dnn_introduction_ex.cpp from Debian's libdlib19.1, which
# `scripts/setup.sh --bench` installs with libdlib-dev), compiled by the same
# compiler at the same flags, in the same run.
#
#   bench/compile_time.sh [--runs N] [--only REGEX] [build-dir]   (default: 3 runs, build/release)
#
# Each lesson's compile is the one CMake runs (compile_commands.json), output thrown
# away; dlib's example gets that command's compiler and flags (-O3 -march=native
# -std=gnu++20 -fopenmp ...) without typenet's include paths. Runs are interleaved
# (dlib, lesson 1, ..., lesson N, then again) so that a machine that grows busier
# slows both sides alike; each figure is the median of the runs, wall seconds and
# peak resident MiB. The table ends with the ratio to dlib, the slowest lesson and
# the largest. CPU seconds (user) are printed too: on a machine that others load, the
# wall time of a single-threaded compile swings with them and its CPU time much less.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3 only=. build=build/release
while (($#)); do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) build=$1; shift ;;
    esac
done
dlib_example=/usr/share/doc/libdlib19.1/examples/dnn_introduction_ex.cpp
[[ -f $dlib_example ]] || { echo "compile_time: $dlib_example not found: scripts/setup.sh --bench installs libdlib-dev" >&2; exit 1; }
[[ -f $build/compile_commands.json ]] || cmake --preset release >/dev/null
[[ -f $build/compile_commands.json ]] || { echo "compile_time: no compile_commands.json in $build" >&2; exit 1; }
# The lessons' precompiled library is linked, not compiled, by a lesson, and their
# precompiled header (lessons/CMakeLists.txt) is built once per build tree: build both
# first so that no lesson's figure includes them. Configure the build tree with
# -DTYPENET_PRECOMPILE_HEADERS=OFF to time each lesson parsing typenet.hpp itself.
cmake --build "$build" --target typenet_precompiled >/dev/null
cmake --build "$build" --target typenet_lesson_header >/dev/null 2>&1 || true

commands=$(mktemp)
trap 'rm -f "$commands"' EXIT
/usr/bin/python3 - "$build/compile_commands.json" "$dlib_example" "$only" >"$commands" <<'PY'
import json, os, re, shlex, sys
entries, dlib, only = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
lessons = []
for e in entries:
    # The lesson programs only (NN-name.cpp), not the precompiled header's own entries.
    if "/lessons/" not in e["file"] or not re.match(r"\d\d-.*\.cpp$", os.path.basename(e["file"])) \
            or not re.search(only, os.path.basename(e["file"])):
        continue
    args = shlex.split(e["command"]) if "command" in e else e["arguments"]
    i = args.index("-o")
    del args[i:i + 2]          # compile to nowhere: only the time and memory count
    lessons.append((os.path.basename(e["file"]), e["directory"], args))
lessons.sort()
if not lessons:
    sys.exit("compile_time: no lesson matches")
# dlib: the same compiler and code-generation flags, none of typenet's -I/-D.
name, directory, args = lessons[0]
# Without the lessons' precompiled header: -include and the header after it.
plain = [a for i, a in enumerate(args) if a != "-include" and (i == 0 or args[i - 1] != "-include")]
flags = [a for a in plain[1:] if (a == "-DNDEBUG" or not a.startswith(("-I", "-D", "-W", "-c"))) and not a.endswith(".cpp")]
print("dlib dnn_introduction_ex.cpp", directory, shlex.join([args[0]] + flags + ["-c", dlib]), sep="\t")
for name, directory, args in lessons:
    print(name, directory, shlex.join(args), sep="\t")
PY

cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
isa=$(grep -q -w avx512f /proc/cpuinfo && echo avx512f || { grep -q -w avx2 /proc/cpuinfo && echo avx2; } || true)
compiler=$(head -1 "$commands" | cut -f3 | cut -d' ' -f1)
echo "# compile times, $(date -u +%Y-%m-%d), $cpu ($(nproc) cores, widest SIMD: ${isa:-sse}), $($compiler --version | head -1)"
echo "# median of $runs interleaved runs; wall seconds and peak resident MiB of one compile"

declare -A seconds cpu memory
for ((r = 0; r < runs; ++r)); do
    while IFS=$'\t' read -r name dir cmd; do
        stats=$( (cd "$dir" && /usr/bin/time -f "%e %U %M" bash -c "$cmd -o /dev/null") 2>&1 >/dev/null | tail -1)
        read -r s u kb <<<"$stats"
        seconds[$name]+="$s "
        cpu[$name]+="$u "
        memory[$name]+="$((kb / 1024)) "
    done <"$commands"
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
dlib_name="dlib dnn_introduction_ex.cpp"
dlib_s=$(median <<<"${seconds[$dlib_name]}")
dlib_u=$(median <<<"${cpu[$dlib_name]}")
echo
echo "| program | compile s | / dlib | CPU s | / dlib | peak MiB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
slowest="" slowest_s=0 largest="" largest_mb=0
while IFS=$'\t' read -r name dir cmd; do
    s=$(median <<<"${seconds[$name]}")
    u=$(median <<<"${cpu[$name]}")
    mb=$(median <<<"${memory[$name]}")
    ratio=$(awk -v a="$s" -v b="$dlib_s" 'BEGIN {printf "%.2f", a / b}')
    cpu_ratio=$(awk -v a="$u" -v b="$dlib_u" 'BEGIN {printf "%.2f", a / b}')
    printf "| %s | %.2f | %s | %.2f | %s | %d |\n" "$name" "$s" "$ratio" "$u" "$cpu_ratio" "$mb"
    if [[ $name != "$dlib_name" ]]; then
        awk -v a="$s" -v b="$slowest_s" 'BEGIN {exit !(a > b)}' && slowest=$name slowest_s=$s
        ((mb > largest_mb)) && largest=$name largest_mb=$mb
    fi
done <"$commands"
echo
echo "slowest lesson: $slowest, $slowest_s s ($(awk -v a="$slowest_s" -v b="$dlib_s" 'BEGIN {printf "%.2f", a / b}') x dlib's $dlib_s s); largest: $largest, $largest_mb MiB"
