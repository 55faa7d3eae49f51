#!/usr/bin/python3
"""Reference logits of GPT-2, from its published equations, in Hugging Face's names.

Hugging Face's `transformers` is not in Debian, so GPT-2 is written out here from
Radford et al. 2019 and OpenAI's gpt-2/src/model.py (which Hugging Face's GPT2Model
reproduces, names and layouts included):

    h   = wte[ids] + wpe[0 .. T-1]
    per block i:
        a   = ln_1(h)                                  LayerNorm, eps 1e-5
        qkv = a @ c_attn.weight + c_attn.bias          Conv1D: weight [in, out] = [D, 3D]
        q, k, v = split(qkv), each cut into H heads of D/H
        y   = softmax(q k^T / sqrt(D/H) + causal mask) v, heads joined
        h   = h + (y @ attn.c_proj.weight + attn.c_proj.bias)
        m   = gelu_new(ln_2(h) @ mlp.c_fc.weight + mlp.c_fc.bias)      [D, 4D]
        h   = h + (m @ mlp.c_proj.weight + mlp.c_proj.bias)            [4D, D]
    logits = ln_f(h) @ wte^T                           the head tied to the embedding

    gelu_new(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))

Random weights under a fixed seed, wider than GPT-2's initialisation (N(0, 0.02^2)) so
that every block and the positions move the logits (a misplaced tensor shows), and
every bias and LayerNorm parameter off its constant,
written with Hugging Face's names and Conv1D's [in, out] layouts, exactly as the
Hub's gpt2/model.safetensors holds them: no "transformer." prefix, no lm_head.weight,
and each block's causal-mask buffer h.<i>.attn.bias [1, 1, n_ctx, n_ctx] (F32), which
a loader must skip.

tests/reference/gpt2_reference.safetensors, for tests/unit/gpt2_compat_test.cpp (no
PyTorch needed to run it): the small config below, plus
    reference.ids        I64 [2, 32]   two sequences of token ids
    reference.logits     F32 [2, 32, V]
    reference.prompt     I64 [5]       a prompt for greedy generation
    reference.generated  I64 [8]       the 8 ids greedy decoding appends to it
    reference.step_log_probs F32 [8, V] the log-probabilities each generated id was
                                       chosen from (the whole prefix rerun each step:
                                       what a KV-cached session must reproduce)
The logits are computed in float64 from the float32 weights, so they are GPT-2's to
float32 rounding, whatever the order of typenet's sums.

Run with Debian's python3-torch:  /usr/bin/python3 tests/reference/make_gpt2_reference.py
bench/gpt2_torch.py imports GPT2 and random_weights from here.
"""
import json
import math
import os

import torch

from safetensors_file import write_safetensors

SMALL = dict(layers=2, dim=64, heads=4, context=32, vocab=101)  # 101: not a multiple of a SIMD width


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def layer_norm(x, weight, bias):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), weight, bias, eps=1e-5)


def conv1d(x, weight, bias):
    """Hugging Face's Conv1D: weight [in, out], x W + b, as one addmm."""
    return torch.addmm(bias, x.reshape(-1, weight.shape[0]), weight).reshape(*x.shape[:-1], weight.shape[1])


class GPT2:
    """GPT-2's forward over a dict of Hugging Face-named tensors (no nn.Module: the names
    are the file's and nothing else)."""

    def __init__(self, weights, layers, dim, heads, context, vocab):
        self.w, self.layers, self.dim, self.heads, self.context, self.vocab = weights, layers, dim, heads, context, vocab

    def forward(self, ids):  # ids [B, T] -> logits [B, T, V]
        w, D, H = self.w, self.dim, self.heads
        B, T = ids.shape
        h = w["wte.weight"][ids] + w["wpe.weight"][:T]
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        for i in range(self.layers):
            p = f"h.{i}."
            a = layer_norm(h, w[p + "ln_1.weight"], w[p + "ln_1.bias"])
            qkv = conv1d(a, w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"])
            q, k, v = (t.reshape(B, T, H, D // H).transpose(1, 2) for t in qkv.split(D, dim=-1))
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(D // H)
            y = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1) @ v
            y = y.transpose(1, 2).reshape(B, T, D)
            h = h + conv1d(y, w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"])
            m = layer_norm(h, w[p + "ln_2.weight"], w[p + "ln_2.bias"])
            m = gelu_new(conv1d(m, w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"]))
            h = h + conv1d(m, w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"])
        h = layer_norm(h, w["ln_f.weight"], w["ln_f.bias"])
        return h @ w["wte.weight"].T


def random_weights(layers, dim, heads, context, vocab, seed, std=0.15):
    """Hugging Face's GPT-2 tensors, shapes and layouts, random (float32). The
    projections' weights are N(0, std^2) (GPT-2 trains from 0.02)."""
    g = torch.Generator().manual_seed(seed)
    normal = lambda *shape, std: torch.randn(*shape, generator=g) * std
    D = dim
    # Wider than GPT-2's 0.02 by default: at 0.02 a small random GPT-2's logits are the
    # tied table's echo of the last id, and greedy decoding repeats one id from the
    # first step.
    w = {"wte.weight": normal(vocab, D, std=2 * std), "wpe.weight": normal(context, D, std=2 * std)}
    for i in range(layers):
        p = f"h.{i}."
        for ln in ("ln_1", "ln_2"):
            w[p + ln + ".weight"] = 1.0 + normal(D, std=0.1)
            w[p + ln + ".bias"] = normal(D, std=0.1)
        # Conv1D(nf, nx): weight [nx, nf] = [in, out], bias [out].
        for name, n_in, n_out in (("attn.c_attn", D, 3 * D), ("attn.c_proj", D, D),
                                  ("mlp.c_fc", D, 4 * D), ("mlp.c_proj", 4 * D, D)):
            w[p + name + ".weight"] = normal(n_in, n_out, std=std)
            w[p + name + ".bias"] = normal(n_out, std=0.05)
        # GPT2Attention's causal-mask buffer, saved in the Hub's file (not a parameter).
        w[p + "attn.bias"] = torch.tril(torch.ones(context, context)).reshape(1, 1, context, context)
    w["ln_f.weight"] = 1.0 + normal(D, std=0.1)
    w["ln_f.bias"] = normal(D, std=0.1)
    return w


def greedy(model, prompt, steps):
    """Greedy decoding, the whole prefix rerun each step; returns (ids, log-probs per step)."""
    ids, log_probs = list(prompt), []
    for _ in range(steps):
        logits = model.forward(torch.tensor([ids]))[0, -1]
        lp = torch.log_softmax(logits, dim=-1)
        log_probs.append(lp)
        ids.append(int(lp.argmax()))
    return ids[len(prompt):], torch.stack(log_probs)


def main():
    torch.set_num_threads(1)
    x = torch.linspace(-6, 6, 1001, dtype=torch.float64)  # the equation is PyTorch's approximate='tanh'
    assert torch.allclose(gelu_new(x), torch.nn.functional.gelu(x, approximate="tanh"), rtol=0, atol=1e-12)
    cfg = SMALL
    weights = random_weights(**cfg, seed=2019)
    exact = GPT2({k: v.double() for k, v in weights.items()}, **cfg)
    g = torch.Generator().manual_seed(7)
    ids = torch.randint(0, cfg["vocab"], (2, cfg["context"]), generator=g)
    prompt = torch.randint(0, cfg["vocab"], (5,), generator=g)
    with torch.no_grad():
        logits = exact.forward(ids)
        generated, step_log_probs = greedy(exact, prompt.tolist(), 8)
    tensors = dict(weights)
    tensors["reference.ids"] = ids
    tensors["reference.logits"] = logits.float()
    tensors["reference.prompt"] = prompt
    tensors["reference.generated"] = torch.tensor(generated)
    tensors["reference.step_log_probs"] = step_log_probs.float()
    meta = {"format": "pt", "torch": torch.__version__, "script": "tests/reference/make_gpt2_reference.py",
            "config": json.dumps(cfg)}
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpt2_reference.safetensors")
    write_safetensors(out, tensors, meta)
    print(f"wrote {len(tensors)} tensors ({os.path.getsize(out)} bytes) to {out}; generated {generated}")


if __name__ == "__main__":
    main()
