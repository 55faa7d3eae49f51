#!/usr/bin/python3
"""PyTorch's side of bench/vit_bench.cpp: lesson 44's Vision Transformer, one training step.

nn.Conv2d(1, 64, 7, stride=7) for the patches, a class token, learned positions,
nn.TransformerEncoder of 4 nn.TransformerEncoderLayer(64, 4, 256, dropout=0,
activation="gelu", batch_first=True, norm_first=True), LayerNorm, the class token's
row, nn.Linear(64, 10); batch 64 of random images and labels, cross-entropy, AdamW
(lr 1e-3, weight decay 0.05). Prints the best samples/s of 5 timed rounds.

Run with Debian's torch:  /usr/bin/python3 bench/vit_torch.py [threads]
For 2 threads use the OpenMP OpenBLAS (../shared/design.md says why):
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/vit_torch.py 2
"""
import sys

import torch
import torch.nn.functional as F

from gpt_torch import best_rate  # the same timing: warm-up, then the best of 5 rounds

D, BATCH = 64, 64


class ViT(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_proj = torch.nn.Conv2d(1, D, 7, stride=7)
        self.class_token = torch.nn.Parameter(torch.zeros(1, 1, D))
        self.pos_embedding = torch.nn.Parameter(torch.randn(1, 17, D) * 0.02)
        layer = torch.nn.TransformerEncoderLayer(D, 4, 256, dropout=0.0, activation="gelu", batch_first=True,
                                                 norm_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, 4, enable_nested_tensor=False)
        self.ln = torch.nn.LayerNorm(D)
        self.head = torch.nn.Linear(D, 10)

    def forward(self, x):
        x = self.conv_proj(x).flatten(2).transpose(1, 2)  # [B, 16, D]
        x = torch.cat([self.class_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embedding
        return self.head(self.ln(self.encoder(x))[:, 0])


if __name__ == "__main__":
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(44)
    model = ViT().train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    images, labels = torch.rand(BATCH, 1, 28, 28), torch.randint(10, (BATCH,))

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(images), labels).backward()
        opt.step()

    print(f"torch {torch.__version__}, {threads} thread(s)")
    print(f"vit_train: {best_rate(step, BATCH, seconds=4.0):.1f} samples/s")
