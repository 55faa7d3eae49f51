"""The timed training loop both PyTorch twins run: what typenet's timed step is.

Each step gathers a batch of bytes by shuffled index, scales it to [0, 1], and runs
forward, cross-entropy, backward and the optimizer's update. `warmup` steps go
untimed first. Returns (seconds for `steps` steps, the last loss).
"""
import time

import torch


def time_training(model, optimizer, inputs, labels, batch, warmup, steps):
    samples = inputs.shape[0]
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    order = torch.randperm(samples)
    position = 0

    def step():
        nonlocal order, position
        if position + batch > samples:
            order = torch.randperm(samples)
            position = 0
        idx = order[position:position + batch]
        position += batch
        x = inputs.index_select(0, idx).float().mul_(1.0 / 255.0)
        t = labels.index_select(0, idx)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), t)
        loss.backward()
        optimizer.step()
        return loss

    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        loss = step()
    return time.perf_counter() - start, loss
