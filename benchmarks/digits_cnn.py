"""One training epoch of the digits CNN (examples/digits_cnn.py's model), ours against PyTorch.

The model: Conv2d(1, 16, 3, padding=1) + BatchNorm2d + ReLU + MaxPool2d(2), Conv2d(16, 32, 3,
padding=1) + BatchNorm2d + ReLU + MaxPool2d(2), Flatten, Dropout(0.25), Linear(128, 10);
cross-entropy, Adam (lr 1e-2), float32, batches of 64 over 1,437 images of 8x8 (the digits
training split's size). The images are random here: an epoch's time does not depend on what
they show, and the benchmark then needs neither scikit-learn nor the example. Both libraries
start from the same weights and see the same batches, both in float32 (our model is made
with `.float()`, PyTorch's default dtype); PyTorch runs on one thread and numpy's BLAS is
limited to one thread too (threadpoolctl, when installed). Reported: ms per epoch, best of
the passes (the two libraries take turns).
"""
from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Callable

import numpy as np

if __package__ in (None, ""):                       # run as a script: python benchmarks/...
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import verdict  # noqa: E402

N_TRAIN, BATCH_SIZE = 1437, 64


def make_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.uniform(0, 1, (N_TRAIN, 1, 8, 8)).astype(np.float32)
    labels = rng.integers(0, 10, N_TRAIN).astype(np.int64)
    return images, labels


def build(nn: Any) -> Any:
    """The model, from a module namespace that spells PyTorch's names (ours or torch.nn)."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(128, 10))


def batches(n: int, seed: int) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i:i + BATCH_SIZE] for i in range(0, n, BATCH_SIZE)]


def _epochs(net: Any, opt: Any, loss_fn: Any, x_all: Any, y_all: Any, n: int,
            index: Callable[[np.ndarray], Any]) -> Callable[[], float]:
    """One training epoch per call, the same code for both libraries (`index` makes a
    batch's index array into what the library indexes with)."""
    epoch_no = [0]

    def epoch() -> float:
        total = 0.0
        for idx in batches(n, epoch_no[0]):
            i = index(idx)
            opt.zero_grad()
            loss = loss_fn(net(x_all[i]), y_all[i])
            loss.backward()
            opt.step()
            total += loss.item()
        epoch_no[0] += 1
        return total
    return epoch


def ours_epoch(images: np.ndarray, labels: np.ndarray, state: dict) -> Callable[[], float]:
    import autograd
    import nn
    autograd.manual_seed(0)
    net = build(nn).float()                         # float32, PyTorch's default dtype
    net.load_state_dict({k: autograd.from_numpy(v.copy()) for k, v in state.items()})
    return _epochs(net, nn.optim.Adam(net.parameters(), lr=1e-2), nn.CrossEntropyLoss(),
                   autograd.from_numpy(images), autograd.from_numpy(labels), len(images),
                   lambda idx: idx)


def torch_epoch(images: np.ndarray, labels: np.ndarray, state: dict) -> Callable[[], float]:
    import torch
    torch.manual_seed(0)
    net = build(torch.nn)
    net.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})
    return _epochs(net, torch.optim.Adam(net.parameters(), lr=1e-2), torch.nn.CrossEntropyLoss(),
                   torch.from_numpy(images), torch.from_numpy(labels), len(images),
                   torch.from_numpy)


def initial_state() -> dict:
    """One set of starting weights (PyTorch's initialisation, drawn by our nn), as arrays."""
    import autograd
    import nn
    autograd.manual_seed(0)
    return {k: v.numpy().copy() for k, v in build(nn).state_dict().items()}


def _one_blas_thread() -> Any:
    """numpy's BLAS limited to one thread (as PyTorch below), when threadpoolctl is there."""
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError:                             # pragma: no cover - optional
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def run(quick: bool = False) -> dict:
    passes = 1 if quick else 3
    images, labels = make_data()
    if quick:
        images, labels = images[:256], labels[:256]
    state = initial_state()
    epochs: dict[str, Callable[[], float]] = {"ours": ours_epoch(images, labels, state)}
    result: dict = {"images": len(images), "batch_size": BATCH_SIZE, "torch_ms": None}
    threads = None
    try:
        import torch
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        epochs["torch"] = torch_epoch(images, labels, state)
        result["torch_version"] = torch.__version__
    except ImportError:
        pass
    best = dict.fromkeys(epochs, float("inf"))
    losses: dict[str, list[float]] = {name: [] for name in epochs}
    try:
        with _one_blas_thread():
            for _ in range(passes):
                for name, epoch in epochs.items():  # taking turns: load drift hits both alike
                    t = time.perf_counter()
                    losses[name].append(epoch())
                    best[name] = min(best[name], (time.perf_counter() - t) * 1e3)
    finally:
        if threads is not None:
            import torch
            torch.set_num_threads(threads)
    result["ours_ms"] = best["ours"]
    if "torch" in best:
        result["torch_ms"] = best["torch"]
        # Dropout draws differ between the libraries, so the losses agree only roughly
        result["first_epoch_loss"] = (losses["ours"][0], losses["torch"][0])
    return result


def rows(r: dict) -> list[str]:
    name = f"digits CNN, one epoch ({r['images']:,} 8x8 images, batches of {r['batch_size']})"
    if not r.get("torch_ms"):
        return [f"| {name} | {r['ours_ms']:.0f} ms | PyTorch not installed: skipped | | "
                "<= 1x | |"]
    ratio = r["ours_ms"] / r["torch_ms"]
    return [f"| {name} | {r['ours_ms']:.0f} ms | PyTorch {r['torch_version']} float32, 1 "
            f"thread: {r['torch_ms']:.0f} ms | {ratio:.2f}x | <= 1x | {verdict(ratio <= 1)} |"]


if __name__ == "__main__":
    print("\n".join(rows(run(quick="--quick" in sys.argv))))
