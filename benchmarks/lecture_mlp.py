"""The lecture's MLP (1 -> 6 -> 10 -> 6 -> 1, ReLU, 1,000 samples of y = x^2 + 3, SGD lr 0.01):
this library against a hand-written numpy forward/backward and against PyTorch (float64 all).

All three start from the same weights and data; the loss curves must agree to 1e-4 relative.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from benchmarks import interleaved, verdict

SIZES = [(1, 6), (6, 10), (10, 6), (6, 1)]


def make_problem(seed: int = 0, n: int = 1000) -> tuple:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 1))
    y = x ** 2 + 3
    weights = [rng.uniform(-1, 1, (o, i)) / np.sqrt(i) for i, o in SIZES]
    biases = [rng.uniform(-1, 1, (o,)) / np.sqrt(i) for i, o in SIZES]
    return x, y, weights, biases


def numpy_trainer(x, y, weights, biases, lr=0.01) -> Callable[[], float]:
    """Forward and backward written out by hand: the floor for any numpy-backed engine."""
    W = [w.copy() for w in weights]
    B = [b.copy() for b in biases]

    def step() -> float:
        acts = [x]
        h = x
        for k in range(4):
            z = h @ W[k].T + B[k]
            h = np.maximum(z, 0) if k < 3 else z
            acts.append(h)
        diff = h - y
        loss = float(np.mean(diff * diff))
        g = diff * (2.0 / diff.size)                    # dL/d(output)
        for k in reversed(range(4)):
            if k < 3:
                g = g * (acts[k + 1] > 0)               # through the ReLU
            gw, gb = g.T @ acts[k], g.sum(0)
            if k > 0:
                g = g @ W[k]
            W[k] -= lr * gw
            B[k] -= lr * gb
        return loss
    return step


def ours_trainer(x, y, weights, biases, lr=0.01) -> Callable[[], float]:
    import autograd
    import nn
    net = nn.Sequential(nn.Linear(1, 6), nn.ReLU(), nn.Linear(6, 10), nn.ReLU(),
                        nn.Linear(10, 6), nn.ReLU(), nn.Linear(6, 1))
    for layer, w, b in zip(net[::2], weights, biases):
        layer.weight.data[...] = w
        layer.bias.data[...] = b
    X, Y = autograd.tensor(x), autograd.tensor(y)
    loss_func = nn.MSELoss()
    optimizer = nn.optim.SGD(net.parameters(), lr=lr)

    def step() -> float:
        optimizer.zero_grad()
        loss = loss_func(net(X), Y)
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def torch_trainer(x, y, weights, biases, lr=0.01) -> Callable[[], float]:
    import torch
    net = torch.nn.Sequential(torch.nn.Linear(1, 6), torch.nn.ReLU(), torch.nn.Linear(6, 10),
                              torch.nn.ReLU(), torch.nn.Linear(10, 6), torch.nn.ReLU(),
                              torch.nn.Linear(6, 1)).double()
    with torch.no_grad():
        for layer, w, b in zip(net[::2], weights, biases):
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(b))
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    loss_func = torch.nn.MSELoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)

    def step() -> float:
        optimizer.zero_grad()
        loss = loss_func(net(X), Y)
        loss.backward()
        optimizer.step()
        return loss.item()
    return step


def run(quick: bool = False) -> dict:
    """Each trainer's loss curve over `steps` steps from the same start, then the three
    timed in turns (`interleaved`): the median ms per step."""
    steps, rounds = (300, 6) if quick else (2000, 40)
    problem = make_problem()
    makers: dict[str, Callable] = {"numpy": numpy_trainer, "ours": ours_trainer}
    result: dict = {"steps": steps, "torch_ms": None}
    threads = None
    try:
        import torch
        torch.manual_seed(0)
        # one thread: a second one spins after each step, and in turns it would take the
        # core from whichever trainer runs next
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        makers["torch"] = torch_trainer
        result.update(torch_version=torch.__version__, torch_threads=1)
    except ImportError:
        pass
    try:
        trainers = {name: make(*problem) for name, make in makers.items()}
        curves = {name: [step() for _ in range(steps)] for name, step in trainers.items()}
        ms = interleaved(trainers, max(steps // (4 * rounds), 10), rounds)
    finally:
        if threads is not None:
            torch.set_num_threads(threads)
    for name in trainers:
        result[f"{name}_ms"] = ms[name]
    ours = curves["ours"]
    result["agree_numpy"] = max(abs(a - b) / abs(b) for a, b in zip(ours, curves["numpy"]))
    if "torch" in curves:
        result["agree_torch"] = max(abs(a - b) / abs(b) for a, b in zip(ours, curves["torch"]))
    return result


def rows(mlp: dict) -> list[str]:
    r = mlp["ours_ms"] / mlp["numpy_ms"]
    out = [f"| lecture MLP, {mlp['steps']} steps | {mlp['ours_ms']:.3f} ms/step | hand-written "
           f"numpy {mlp['numpy_ms']:.3f} ms/step | {r:.2f}x | <= 1.25x | {verdict(r <= 1.25)} |"]
    if mlp.get("torch_ms"):
        r = mlp["ours_ms"] / mlp["torch_ms"]
        out.append(f"| lecture MLP | {mlp['ours_ms']:.3f} ms/step | PyTorch {mlp['torch_version']} "
                   f"float64, {mlp['torch_threads']} thread{'s' * (mlp['torch_threads'] != 1)}: "
                   f"{mlp['torch_ms']:.3f} ms/step | "
                   f"{r:.2f}x | <= 0.5x | {verdict(r <= 0.5)} |")
    else:
        out.append("| lecture MLP | | PyTorch not installed: skipped | | <= 0.5x | |")
    return out
