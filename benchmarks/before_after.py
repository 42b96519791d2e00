"""This tree against an earlier commit, on the eager rows (lecture MLP, scalar MLP):

    python benchmarks/before_after.py a22916d            # a few minutes
    python benchmarks/before_after.py HEAD~3 --rounds 6  # quicker, noisier

The earlier commit's `autograd` and `nn` are unpacked (git archive) into a temporary folder
and both versions run the same workload code, this tree's benchmarks. On a shared machine
a single timing swings by 20-40%, so the two are interleaved:

* lecture MLP: both versions are loaded in one process (each its own copy of the modules)
  and take turns in blocks of 10 steps (`benchmarks.interleaved`), 400 blocks; the ratio of
  the medians is printed;
* scalar MLP (one `Value` per op, and neurons as `lincomb`; gc on and off): the same, one
  step each in turn, 30 pairs per row; the median of the pairs' ratios;
* the million-op chain (benchmarks/depth.py): a fresh process per run, the two versions in
  turns, 6 runs each; the medians of its build time, backward time and peak memory.

A ratio below 1 means this tree is faster.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))       # this tree's `benchmarks` (the workloads import it)
PACKAGES = ("autograd", "nn")

from benchmarks import interleaved  # noqa: E402
from benchmarks.depth import CHILD  # noqa: E402


def unpack(ref: str, dest: Path) -> Path:
    """The packages of commit `ref`, unpacked under dest."""
    tar = subprocess.run(["git", "-C", str(ROOT), "archive", ref, *PACKAGES],
                         capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(dest, filter="data")
    return dest


def _workload(name: str) -> Any:
    """This tree's benchmark module `name`, loaded afresh (its lazy `import autograd` then
    finds whichever version is loaded)."""
    spec = importlib.util.spec_from_file_location(f"_bench_{name}_{random.random()}",
                                                  ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(tree: Path) -> None:
    """Make `tree`'s packages the ones `import autograd` / `import nn` find."""
    for name in list(sys.modules):
        if name.split(".")[0] in PACKAGES:
            del sys.modules[name]
    sys.path.insert(0, str(tree))
    try:
        for p in PACKAGES:
            where = Path(importlib.import_module(p).__file__ or "").resolve()
            if not where.is_relative_to(tree.resolve()):
                raise RuntimeError(f"{p} was imported from {where}, not from {tree}")
    finally:
        sys.path.remove(str(tree))


def lecture_mlp(trees: list[Path], blocks: int = 400) -> tuple[float, float]:
    """Median us per eager step of each tree, in turns in one process."""
    steps: dict[str, Callable[[], float]] = {}
    for k, tree in enumerate(trees):
        _load(tree)
        mlp = _workload("lecture_mlp")
        steps[str(k)] = mlp.ours_trainer(*mlp.make_problem())
    for step in steps.values():
        for _ in range(200):
            step()
    ms = interleaved(steps, 10, blocks)
    return ms["0"] * 1e3, ms["1"] * 1e3


def scalar_mlp(trees: list[Path], fused: bool, gc_on: bool, rounds: int) -> tuple:
    """(ms per step of each tree, the median of the per-round ratios), interleaved in one
    process; each version's workload binds its own `lincomb` in a first step."""
    steps: list[Callable[[], Any]] = []
    for tree in trees:
        _load(tree)
        sm = _workload("scalar_mlp")
        from autograd import Value
        rng = random.Random(0)
        layers = sm.build_mlp(Value, rng)
        X, Y = sm.make_data(rng)

        def step(sm: Any = sm, Value: Any = Value, layers: list = layers, X: list = X,
                 Y: list = Y) -> Any:
            return sm.training_step(Value, layers, X, Y, fused=fused)
        step()
        steps.append(step)
    pairs = []
    for r in range(rounds):
        ms = [0.0, 0.0]
        for k in ((0, 1) if r % 2 else (1, 0)):
            gc.collect()
            if not gc_on:
                gc.disable()
            t = time.perf_counter()
            steps[k]()
            ms[k] = (time.perf_counter() - t) * 1e3
            gc.enable()
        pairs.append(ms)
    before = statistics.median(p[0] for p in pairs)
    after = statistics.median(p[1] for p in pairs)
    return before, after, statistics.median(p[1] / p[0] for p in pairs)


def depth(trees: list[Path], n: int, rounds: int) -> dict[str, tuple[float, float]]:
    """The chain row's build s, backward s and peak bytes per node, median over `rounds`
    fresh processes per tree, in turns."""
    runs: list[list[dict]] = [[], []]
    for r in range(rounds):
        for k in ((0, 1) if r % 2 else (1, 0)):
            tree = str(trees[k].resolve())
            check = (f"import autograd; assert autograd.__file__.startswith({tree!r}), "
                     "autograd.__file__\n")
            env = {**os.environ, "PYTHONPATH": tree}
            out = subprocess.run([sys.executable, "-c", check + CHILD, str(n)], env=env,
                                 cwd=tree, capture_output=True, text=True, check=True).stdout
            runs[k].append(json.loads(out))
    keys = {"build": "build_s", "backward": "backward_s", "peak": "peak_kib"}
    return {name: (statistics.median(d[key] for d in runs[0]),
                   statistics.median(d[key] for d in runs[1])) for name, key in keys.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ref", help="the earlier commit (a22916d, HEAD~1, ...)")
    parser.add_argument("--rounds", type=int, default=30, help="step pairs per scalar row")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: 20 blocks and 2 pairs (numbers meaningless)")
    args = parser.parse_args()
    blocks, rounds = (20, 2) if args.quick else (400, args.rounds)
    chain, chain_runs = (50_000, 1) if args.quick else (1_000_000, 6)
    with tempfile.TemporaryDirectory() as tmp:
        trees = [unpack(args.ref, Path(tmp)), ROOT]
        print(f"| row | {args.ref} | this tree | ratio |\n| --- | --- | --- | --- |")
        a, b = lecture_mlp(trees, blocks)
        print(f"| lecture MLP eager step | {a:.1f} us | {b:.1f} us | {b / a:.3f} |", flush=True)
        for fused in (False, True):
            for gc_on in (True, False):
                a, b, r = scalar_mlp(trees, fused, gc_on, rounds)
                name = ("neurons as lincomb" if fused else "one Value per op") + (
                    "" if gc_on else ", gc off")
                print(f"| scalar MLP step, {name} | {a:.1f} ms | {b:.1f} ms | {r:.3f} |",
                      flush=True)
        d = depth(trees, chain, chain_runs)
        for name, unit, scale in (("build", "us/node", 1e6 / chain),
                                  ("backward", "us/node", 1e6 / chain),
                                  ("peak", "B/node", 1024 / chain)):
            a, b = (v * scale for v in d[name])
            print(f"| {chain:,}-op chain, {name} | {a:.2f} {unit} | {b:.2f} {unit} | "
                  f"{b / a:.3f} |", flush=True)


if __name__ == "__main__":
    main()
