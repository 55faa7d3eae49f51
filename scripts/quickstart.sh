#!/usr/bin/env bash
# Set up (packages, data), build in Release, and run the flagship lesson.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target lesson-15-lenet5
build/release/lessons/15-lenet5 "$@"
