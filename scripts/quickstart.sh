#!/usr/bin/env bash
# Set up (packages, data), build in Release, and run the flagship lesson.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target lesson-03-multi-layer-perceptron
build/release/lessons/03-multi-layer-perceptron "$@"
