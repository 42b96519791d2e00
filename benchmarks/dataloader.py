"""DataLoader throughput: a shuffled epoch over an MNIST-sized TensorDataset.

60,000 samples (images (60000, 1, 28, 28) float32, int64 labels) in batches of 64 with
shuffle=True, three ways: `autograd.utils.data.DataLoader`; the floor, a numpy loop that draws a
permutation and indexes both arrays with each batch's slice of it; and, where it is installed,
PyTorch's DataLoader on the same arrays (which fetches sample by sample and stacks). Reported
in microseconds per batch, best of the passes; `ratio` is loader / numpy.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

BATCH_SIZE = 64


def make_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.standard_normal((n, 1, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 10, size=n, dtype=np.int64)
    return images, labels


def best_us_per_batch(epochs: dict[str, Callable[[], int]], passes: int) -> tuple[dict, int]:
    """Best-of-`passes` microseconds per batch of each `epoch()` (which returns its batch
    count), and that count. The epochs take turns within each pass, so that a machine whose
    load drifts during the run weighs on all of them alike."""
    best = dict.fromkeys(epochs, float("inf"))
    batches = 0
    for _ in range(passes):
        for name, epoch in epochs.items():
            t = time.perf_counter()
            batches = epoch()
            best[name] = min(best[name], (time.perf_counter() - t) / batches * 1e6)
    return best, batches


def numpy_epoch(images: np.ndarray, labels: np.ndarray) -> Callable[[], int]:
    rng = np.random.default_rng(1)

    def epoch() -> int:
        perm = rng.permutation(len(images))
        count = 0
        for start in range(0, len(perm), BATCH_SIZE):
            idx = perm[start:start + BATCH_SIZE]
            x, y = images[idx], labels[idx]
            count += 1
        assert x.shape[1:] == (1, 28, 28) and y.dtype == np.int64
        return count
    return epoch


def loader_epoch(images: np.ndarray, labels: np.ndarray) -> Callable[[], int]:
    import autograd
    from autograd.utils.data import DataLoader, TensorDataset
    dataset = TensorDataset(autograd.from_numpy(images), autograd.from_numpy(labels))
    loader = DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=True)
    seen = np.concatenate([y.numpy() for _, y in loader])       # once, untimed: every sample
    assert len(seen) == len(labels) and seen.sum() == labels.sum()

    def epoch() -> int:
        count = 0
        for _batch in loader:
            count += 1
        x, y = _batch
        assert x.shape[1:] == (1, 28, 28) and y.dtype == np.int64
        return count
    return epoch


def torch_epoch(images: np.ndarray, labels: np.ndarray) -> Callable[[], int]:
    import torch
    from torch.utils.data import DataLoader, TensorDataset
    dataset = TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    loader = DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=True)

    def epoch() -> int:
        count = 0
        for _batch in loader:
            count += 1
        x, y = _batch
        assert x.shape[1:] == (1, 28, 28) and y.dtype == torch.int64
        return count
    return epoch


def run(quick: bool = False) -> dict:
    n, passes = (6000, 1) if quick else (60000, 3)
    images, labels = make_data(n)
    epochs = {"loader": loader_epoch(images, labels),       # imports autograd (its malloc
              "numpy": numpy_epoch(images, labels)}         # settings then hold for all)
    torch_version = None
    try:
        import torch
        epochs["torch"] = torch_epoch(images, labels)
        torch_version = torch.__version__
    except ImportError:
        pass
    best, batches = best_us_per_batch(epochs, passes)
    result: dict = {"samples": n, "batch_size": BATCH_SIZE, "passes": passes, "batches": batches,
                    "us_per_batch_loader": best["loader"], "us_per_batch_numpy": best["numpy"],
                    "ratio": best["loader"] / best["numpy"], "us_per_batch_torch": None}
    if torch_version is not None:
        result.update(us_per_batch_torch=best["torch"], torch_version=torch_version,
                      ratio_torch=best["loader"] / best["torch"])
    return result


def rows(r: dict) -> list[str]:
    """No target of its own: the loader's cost per batch beside the floor (a numpy slice of a
    permutation) and PyTorch's DataLoader."""
    out = [f"| DataLoader, {r['samples']:,} samples, batches of {r['batch_size']}, shuffled | "
           f"{r['us_per_batch_loader']:.1f} us/batch | numpy slice "
           f"{r['us_per_batch_numpy']:.1f} us/batch | {r['ratio']:.2f}x | | |"]
    if r.get("us_per_batch_torch"):
        out.append(f"| DataLoader | {r['us_per_batch_loader']:.1f} us/batch | PyTorch "
                   f"{r['torch_version']} DataLoader {r['us_per_batch_torch']:.1f} us/batch | "
                   f"{r['us_per_batch_loader'] / r['us_per_batch_torch']:.2f}x | | |")
    return out


if __name__ == "__main__":
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    for key, value in run(quick="--quick" in sys.argv).items():
        print(f"{key:>22}: {value:.2f}" if isinstance(value, float) else f"{key:>22}: {value}")
