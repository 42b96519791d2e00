"""Benchmarks, side by side with the alternatives: each module has `run(quick) -> dict` and
`rows(result) -> list[str]` (its lines of the table in RESULTS.md); run.py runs them all."""


import statistics
import time
from typing import Any, Callable


def interleaved(steps: dict[str, Callable[[], Any]], block: int, rounds: int) -> dict[str, float]:
    """Median milliseconds per call of each function, timed in turns: `rounds` rounds of
    `block` calls each, the order reversed every other round. On a shared machine whose
    speed swings by 20-40% over seconds, every function sees the same swings, so their
    ratios hold where separate best-of timings do not."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    order = list(steps.items())
    for r in range(rounds):
        for name, fn in (order if r % 2 == 0 else order[::-1]):
            t = time.perf_counter()
            for _ in range(block):
                fn()
            times[name].append((time.perf_counter() - t) / block * 1e3)
    return {name: statistics.median(v) for name, v in times.items()}


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"
