#!/usr/bin/env bash
# Set up (packages, data), then build and run the whole test suite:
#   1. Release build: unit tests, compile-fail tests (g++ and clang), every lesson's smoke run;
#   2. Sanitizer build (ASan + UBSan): the unit tests again.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)

echo "== release build and tests"
cmake --preset release >/dev/null
cmake --build --preset release -j"$jobs"
ctest --preset release -j"$jobs"

echo "== sanitizer build (ASan + UBSan) and unit tests"
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize -j"$jobs" --target typenet_tests
ctest --preset sanitize -L unit
