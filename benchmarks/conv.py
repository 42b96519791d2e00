"""conv2d forward + backward: this library against PyTorch on the CPU, both on one thread.

The case: a (64, 16, 28, 28) batch, 32 filters 3 x 3, padding 1, bias (a CNN's second layer
on MNIST-sized images), in float32 (what the CNN example trains in) and float64. One step
is y = conv2d(x, w, b); y.sum().backward() (gradients of x, w and b). Best of several
runs, milliseconds per step. PyTorch runs with torch.set_num_threads(1) (restored after);
numpy's BLAS is limited to one thread as well when threadpoolctl is installed (`blas_threads`
says what it ran with), so the ratio compares one core with one core.
"""
from __future__ import annotations

import time
from contextlib import nullcontext
from typing import Any, Callable

import numpy as np

from benchmarks import verdict

FULL = dict(batch=64, channels=16, size=28, filters=32)
QUICK = dict(batch=4, channels=4, size=12, filters=8)


def _best_ms(step: Callable[[], Any], repeats: int, inner: int) -> float:
    step()                                          # warm up (allocations, caches)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(inner):
            step()
        best = min(best, (time.perf_counter() - t) / inner * 1e3)
    return best


def _problem(dtype: Any, batch: int, channels: int, size: int, filters: int) -> tuple:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, channels, size, size)).astype(dtype)
    w = (rng.standard_normal((filters, channels, 3, 3)) / np.sqrt(9 * channels)).astype(dtype)
    b = rng.standard_normal(filters).astype(dtype)
    return x, w, b


def ours_step(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> Callable[[], Any]:
    import autograd
    import nn.functional as F
    X, W, B = (autograd.tensor(a, requires_grad=True) for a in (x, w, b))

    def step() -> Any:
        for t in (X, W, B):
            t.grad = None
        y = F.conv2d(X, W, B, padding=1)
        y.sum().backward()
        return y
    return step


def torch_step(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> Callable[[], Any]:
    import torch
    X, W, B = (torch.tensor(a, requires_grad=True) for a in (x, w, b))

    def step() -> Any:
        for t in (X, W, B):
            t.grad = None
        y = torch.nn.functional.conv2d(X, W, B, padding=1)
        y.sum().backward()
        return y
    return step


def _one_blas_thread() -> Any:
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError:                             # pragma: no cover - optional
        return nullcontext(), "default"
    return threadpool_limits(limits=1, user_api="blas"), 1


def run(quick: bool = False) -> dict:
    shape = QUICK if quick else FULL
    repeats, inner = (2, 2) if quick else (5, 3)
    result: dict = {"case": f"({shape['batch']}, {shape['channels']}, {shape['size']}, "
                            f"{shape['size']}) x {shape['filters']} 3x3, padding 1"}
    result["blas_threads"] = _one_blas_thread()[1]
    torch: Any
    try:
        import torch
    except ImportError:                             # pragma: no cover - optional
        torch = None
    for dtype in (np.float32,) if quick else (np.float32, np.float64):
        name = np.dtype(dtype).name
        problem = _problem(dtype, **shape)
        with _one_blas_thread()[0]:                # a fresh limit each time (not re-entrant)
            ours = _best_ms(ours_step(*problem), repeats, inner)
        result[f"ours_ms_{name}"] = ours
        if torch is None:
            result[f"torch_ms_{name}"] = None
            continue
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            theirs = _best_ms(torch_step(*problem), repeats, inner)
        finally:
            torch.set_num_threads(before)
        result[f"torch_ms_{name}"] = theirs
        result[f"ratio_{name}"] = ours / theirs
        # the same numbers: outputs agree
        y, ty = ours_step(*problem)(), torch_step(*problem)()
        result[f"max_rel_diff_{name}"] = float(np.max(np.abs(y._data - ty.detach().numpy()))
                                               / np.max(np.abs(ty.detach().numpy())))
    if torch is not None:
        result["torch_version"] = torch.__version__
    return result


def rows(r: dict) -> list[str]:
    out = []
    for name in ("float32", "float64"):
        if f"ours_ms_{name}" not in r:
            continue
        case = f"conv2d forward + backward, {r['case']}, {name}"
        if r.get(f"torch_ms_{name}") is None:
            out.append(f"| {case} | {r[f'ours_ms_{name}']:.1f} ms | PyTorch not installed | | "
                       "<= 2x | |")
            continue
        x = r[f"ratio_{name}"]
        out.append(f"| {case} | {r[f'ours_ms_{name}']:.1f} ms | PyTorch {r['torch_version']}, 1 "
                   f"thread: {r[f'torch_ms_{name}']:.1f} ms | {x:.2f}x | <= 2x | "
                   f"{verdict(x <= 2)} |")
    return out


if __name__ == "__main__":                          # python -m benchmarks.conv
    for key, value in run().items():
        print(f"{key}: {value}")
