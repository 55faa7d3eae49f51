#!/usr/bin/python3
"""PyTorch twin of bench/rnn_bench.cpp (same models, same batch, same optimizer).

  lstm_lm    Embedding(65, 128), LSTM(128, 256, batch_first), Linear(256, 65);
             cross-entropy over all 32 x 64 positions, Adam lr 2e-3: sequences/s
  gru_lm     the same with GRU
  lstm_step  generation: the same LSTM model on one id at batch 1, (h, c) carried
             between calls, under torch.no_grad(): steps/s

  /usr/bin/python3 bench/rnn_torch.py --model lstm_lm --threads 1
Prints one JSON line: {"model", "threads", "per_s" (wall clock), "cpu_per_s" (per second of
the process's CPU time: on 1 thread, the rate a loaded machine does not distort), ...}.
For 2 threads run it with LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp
(../shared/design.md: the pthread OpenBLAS and torch's OpenMP fight over the cores).
"""
import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "peers"))
import blas_setup  # noqa: E402,F401  (OpenBLAS threads and kernels, before torch loads it)
import torch  # noqa: E402

VOCAB, EMB, HIDDEN, T, B = 65, 128, 256, 64, 32


class CharLM(torch.nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.embed = torch.nn.Embedding(VOCAB, EMB)
        self.rnn = cell(EMB, HIDDEN, batch_first=True)
        self.head = torch.nn.Linear(HIDDEN, VOCAB)

    def forward(self, ids, state=None):
        y, state = self.rnn(self.embed(ids), state)
        return self.head(y), state


def train(cell, steps, warmup):
    torch.manual_seed(42)
    model = CharLM(cell)
    adam = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    data = [(torch.randint(0, VOCAB, (B, T)), torch.randint(0, VOCAB, (B, T))) for _ in range(8)]

    def step(i):
        ids, targets = data[i % len(data)]
        adam.zero_grad(set_to_none=True)
        logits, _ = model(ids)
        loss = loss_fn(logits.reshape(-1, VOCAB), targets.reshape(-1))
        loss.backward()
        adam.step()
        return loss

    for i in range(warmup):
        step(i)
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(steps):
        loss = step(i)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return steps * B / seconds, steps * B / cpu, float(loss)


def generate(steps, warmup):
    torch.manual_seed(42)
    model = CharLM(torch.nn.LSTM).eval()
    state, ids = None, torch.tensor([[1]])
    with torch.no_grad():
        for _ in range(warmup):
            _, state = model(ids, state)
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(steps):
            logits, state = model(torch.tensor([[(i * 7) % VOCAB]]), state)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return steps / seconds, steps / cpu, float(logits[0, 0, 0])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["lstm_lm", "gru_lm", "lstm_step"], default="lstm_lm")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=0, help="timed steps (default: 30 training, 5000 generation)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.model == "lstm_step":
        per_s, cpu_per_s, loss = generate(args.steps or 5000, 200)
    else:
        per_s, cpu_per_s, loss = train(torch.nn.LSTM if args.model == "lstm_lm" else torch.nn.GRU, args.steps or 30, 3)
    print(json.dumps({"model": args.model, "threads": args.threads, "per_s": per_s, "cpu_per_s": cpu_per_s, "loss": loss,
                      "torch": torch.__version__, "peer": blas_setup.describe()}))
