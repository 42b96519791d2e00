"""Run every benchmark side by side and print (and save) one table of ratios.

    python benchmarks/run.py            # full run, writes benchmarks/RESULTS.md
    python benchmarks/run.py --quick    # seconds; a smoke test (CI runs it)
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import (  # noqa: E402
    compiled,
    conv,
    dataloader,
    depth,
    digits_cnn,
    lecture_mlp,
    memory,
    scalar_mlp,
)

# Each module: run(quick) -> dict of measurements, rows(dict) -> the table's lines.
BENCHMARKS = (lecture_mlp, scalar_mlp, depth, memory, dataloader, conv, digits_cnn, compiled)


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import numpy
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
            f"numpy {numpy.__version__}")


NOTES = """Notes. The lecture MLP rows (eager and compiled) time their trainers in turns
(`benchmarks.interleaved`: blocks of steps, the order reversed every other round, the median
per step), so that the machine's swings hit all of them alike; the other rows are the best
of several runs (a fresh graph each step). All trainers start from the same weights and data. The rows in parentheses are not targets: they
show the scalar engine on micrograd's own way of writing a neuron (one node per `*` and `+`).
On this shared 2-core machine the timings of one row swing by 20-40% between runs, so a row
near its target can read met in one run and missed in the next; before/after comparisons of
the eager paths: `python benchmarks/before_after.py REF` (both versions in one process,
in turns). Where the
time goes, with the profiles: docs/performance.md (the engine) and docs/compile.md (the
compiled step)."""


def table(results: dict) -> list[str]:
    rows = ["| benchmark | measurement | reference | ratio | target | |",
            "| --- | --- | --- | --- | --- | --- |"]
    for module in BENCHMARKS:
        rows += module.rows(results[module.__name__.rsplit(".", 1)[1]])
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke test in seconds")
    ap.add_argument("--out", default=None, help="write the results here (default: "
                    "benchmarks/RESULTS.md for a full run, nothing for --quick)")
    args = ap.parse_args(argv)
    results = {m.__name__.rsplit(".", 1)[1]: m.run(args.quick) for m in BENCHMARKS}
    rows = table(results)
    mlp, scalar, deep = results["lecture_mlp"], results["scalar_mlp"], results["depth"]
    agree = [f"Loss curves agree: ours vs numpy {mlp['agree_numpy']:.1e} relative"]
    if mlp.get("torch_ms"):
        agree.append(f"ours vs PyTorch {mlp['agree_torch']:.1e}")
    agree.append(f"scalar step loss vs reference {scalar['loss_agree']:.1e} (lincomb "
                 f"{scalar['fused_agree']:.1e})")
    n = deep["nodes"] / 1e6
    profile = (f"Depth, where the time goes (us per node): build {deep['build_s'] / n:.2f} with "
               f"the cyclic GC on, {deep['build_nogc_s'] / n:.2f} with it off; backward "
               f"{deep['backward_s'] / n:.2f}, of which the topological sort alone takes "
               f"{deep['topo_s'] / n:.2f}.")
    print("\n".join(rows))
    print("; ".join(agree))
    print(profile)
    out = args.out or (None if args.quick else str(Path(__file__).with_name("RESULTS.md")))
    if out:
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        mode = "quick" if args.quick else "full"
        text = [f"# Benchmark results ({mode} run)", "",
                f"Machine: {machine()}. Date: {now}. Command: `python benchmarks/run.py"
                f"{' --quick' if args.quick else ''}`.", "", *rows, "", "; ".join(agree) + ".",
                "", profile, "", NOTES, ""]
        Path(out).write_text("\n".join(text))
        print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
