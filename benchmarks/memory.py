"""Resident memory while the lecture's MLP trains: it must stay flat after warm-up."""
from __future__ import annotations

from benchmarks import verdict


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def run(quick: bool = False) -> dict:
    from benchmarks.lecture_mlp import make_problem, ours_trainer
    epochs = 1000 if quick else 10_000
    step = ours_trainer(*make_problem())
    samples = []
    for epoch in range(1, epochs + 1):
        step()
        if epoch % 100 == 0:
            samples.append(rss_kib())
    after_warmup = samples[0]
    return {"epochs": epochs, "rss_after_100_kib": after_warmup, "rss_max_kib": max(samples),
            "growth": (max(samples) - after_warmup) / after_warmup}


def rows(mem: dict) -> list[str]:
    return [f"| memory: {mem['epochs']:,} MLP epochs | RSS {mem['rss_after_100_kib'] / 1024:.1f} "
            f"MiB after 100, max {mem['rss_max_kib'] / 1024:.1f} MiB | | "
            f"{mem['growth'] * 100:+.2f}% | < 5% | {verdict(mem['growth'] < 0.05)} |"]
