"""The lecture's MLP (1 -> 6 -> 10 -> 6 -> 1, ReLU, 1,000 samples of y = x^2 + 3, SGD lr 0.01):
this library against a hand-written numpy forward/backward and against PyTorch (float64 all).

All three start from the same weights and data; the loss curves must agree to 1e-4 relative.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from benchmarks import verdict

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


def time_trainer(make: Callable, problem: tuple, steps: int, repeats: int) -> tuple[float, list]:
    """Best-of-`repeats` milliseconds per step, and the loss curve of the first run."""
    best, curve = float("inf"), None
    for _ in range(repeats):
        step = make(*problem)
        t = time.perf_counter()
        losses = [step() for _ in range(steps)]
        best = min(best, (time.perf_counter() - t) / steps * 1e3)
        curve = curve or losses
    return best, curve


def run(quick: bool = False) -> dict:
    steps, repeats = (300, 1) if quick else (2000, 3)
    problem = make_problem()
    result = {"steps": steps}
    ms_numpy, curve_numpy = time_trainer(numpy_trainer, problem, steps, repeats)
    ms_ours, curve_ours = time_trainer(ours_trainer, problem, steps, repeats)
    result.update(numpy_ms=ms_numpy, ours_ms=ms_ours,
                  agree_numpy=max(abs(a - b) / abs(b) for a, b in zip(curve_ours, curve_numpy)))
    try:
        import torch
        torch.manual_seed(0)
        ms_torch, curve_torch = time_trainer(torch_trainer, problem, steps, repeats)
        result.update(torch_ms=ms_torch, torch_version=torch.__version__,
                      torch_threads=torch.get_num_threads(),
                      agree_torch=max(abs(a - b) / abs(b) for a, b in zip(curve_ours, curve_torch)))
    except ImportError:
        result["torch_ms"] = None
    return result


def rows(mlp: dict) -> list[str]:
    r = mlp["ours_ms"] / mlp["numpy_ms"]
    out = [f"| lecture MLP, {mlp['steps']} steps | {mlp['ours_ms']:.3f} ms/step | hand-written "
           f"numpy {mlp['numpy_ms']:.3f} ms/step | {r:.2f}x | <= 1.25x | {verdict(r <= 1.25)} |"]
    if mlp.get("torch_ms"):
        r = mlp["ours_ms"] / mlp["torch_ms"]
        out.append(f"| lecture MLP | {mlp['ours_ms']:.3f} ms/step | PyTorch {mlp['torch_version']} "
                   f"float64, {mlp['torch_threads']} threads: {mlp['torch_ms']:.3f} ms/step | "
                   f"{r:.2f}x | <= 0.5x | {verdict(r <= 0.5)} |")
    else:
        out.append("| lecture MLP | | PyTorch not installed: skipped | | <= 0.5x | |")
    return out
