#!/usr/bin/env bash
# bench/serve_load beside its PyTorch baseline, interleaved, on loopback:
#   lesson 46's server (typenet/serve/, --workers W) and bench/peers/serve_torch.py
#   (Python's ThreadingHTTPServer + Debian's torch), the same checkpoint, each sent
#   10,000 MNIST test digits from 16 concurrent clients, ROUNDS times in turn.
#
#   bench/serve_load.sh [ROUNDS=3] [WORKERS=4]
# Needs build/release/lessons/46-serving (cmake --preset release), build/bench/bench/serve_load
# (cmake --preset bench; scripts/setup.sh --bench) and python3-torch. Trains lesson 46's
# model first unless out/46-serving/mnist-cnn.safetensors exists.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
workers=${2:-4}
lesson=build/release/lessons/46-serving
client=build/bench/bench/serve_load
checkpoint=out/46-serving/mnist-cnn.safetensors
[[ -x $lesson && -x $client ]] || { echo "serve_load.sh: build $lesson and $client first" >&2; exit 1; }
[[ -f $checkpoint ]] || "$lesson" >/dev/null
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_health() {  # PORT: until GET /health answers (at most 60 s)
    for _ in $(seq 600); do
        /usr/bin/python3 -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$1/health', timeout=1)" \
            2>/dev/null && return 0
        sleep 0.1
    done
    echo "serve_load.sh: no server on port $1" >&2
    return 1
}
run() {  # LABEL COMMAND...: start a server, load it, stop it
    local label=$1 port pid log
    shift
    port=$(free_port)
    log=$(mktemp)
    "$@" --port "$port" >"$log" 2>&1 &
    pid=$!
    wait_health "$port"
    grep -m1 "serving on" "$log" | sed "s/^/  /"
    rm -f "$log"
    "$client" --url "http://127.0.0.1:$port" --requests 10000 --clients 16 --label "$label" | tail -n +2 || status=1
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}
status=0
"$client" --url http://127.0.0.1:1 --requests 1 --clients 1 2>/dev/null | head -1 || true   # the machine line
for round in $(seq "$rounds"); do
    echo "round $round"
    run "typenet  ($workers workers)" "$lesson" --serve --workers "$workers"
    run "torch    (http.server)" /usr/bin/python3 bench/peers/serve_torch.py "$checkpoint" --threads 1
done
exit $status
