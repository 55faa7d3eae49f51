#!/usr/bin/python3
"""The baseline for bench/serve_load: lesson 46's model served the way a PyTorch user
would without a serving framework: Python's http.server (one thread per connection)
and Debian's torch doing the inference.

    /usr/bin/python3 bench/peers/serve_torch.py CHECKPOINT [--port 8081] [--threads 1]

CHECKPOINT is lesson 46's mnist-cnn.safetensors, read here without the safetensors
package (an 8-byte header length, a JSON header, raw little-endian floats) into the
same network as a plain nn.Sequential, load_state_dict(strict=True): the names are
typenet's. POST /predict takes {"pixels": [784 numbers]} and answers {"class": k,
"label": "k", "probability": p, "probabilities": [...]}, as typenet's server does;
GET /health answers {"status": "ok"}. --threads sets torch's intra-op threads for
each forward (1: the server already runs one forward per connection thread).
"""
import argparse
import json
import struct
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import blas_setup  # noqa: F401  (OpenBLAS threads and kernels, before torch loads it)
import torch
from torch import nn


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = {"F32": torch.float32, "I64": torch.int64}[info["dtype"]]
        tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(info["shape"])
    return tensors


def mnist_cnn():
    # lessons/46-serving.cpp's MnistCnn (lesson 19's), layer for layer.
    return nn.Sequential(
        nn.Conv2d(1, 8, 5, bias=False), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5, bias=False), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.25), nn.Linear(128, 10))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("checkpoint")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = mnist_cnn()
    model.load_state_dict(read_safetensors(args.checkpoint), strict=True)
    model.eval()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the C++ client asks for
        # Headers and body are separate writes: without this each answer waits 40 ms
        # for the client's delayed ACK (Nagle), as typenet's server did before it set
        # TCP_NODELAY. The same fix on both sides, so the comparison is of the rest.
        disable_nagle_algorithm = True

        def reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/health":
                self.reply(200, {"status": "ok"})
            else:
                self.reply(404, {"error": "no such endpoint", "status": 404})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            if self.path != "/predict" or length > 1 << 20:
                self.rfile.read(min(length, 1 << 20))
                return self.reply(404 if self.path != "/predict" else 413, {"error": "refused"})
            try:
                pixels = json.loads(self.rfile.read(length))["pixels"]
                x = torch.tensor(pixels, dtype=torch.float32).reshape(1, 1, 28, 28)
            except (ValueError, KeyError, TypeError, RuntimeError) as e:
                return self.reply(400, {"error": str(e), "status": 400})
            with torch.no_grad():
                p = torch.softmax(model(x)[0].double(), 0)
            k = int(p.argmax())
            self.reply(200, {"class": k, "label": str(k), "probability": float(p[k]), "probabilities": p.tolist()})

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # listen()'s backlog; socketserver's 5 drops SYNs under 16 clients
        daemon_threads = True

    server = Server(("127.0.0.1", args.port), Handler)
    print(f"serving on http://127.0.0.1:{server.server_address[1]}/ (torch {torch.__version__}, "
          f"{args.threads} intra-op thread(s), {blas_setup.describe()})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
