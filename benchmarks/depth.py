"""A chain of a million ops, built and backpropagated: microseconds and bytes per node.

Runs in a fresh process so that peak memory (VmHWM: the process's high-water mark of
resident memory, which unlike ru_maxrss starts afresh at exec) belongs to this chain alone.
"""
from __future__ import annotations

import json
import subprocess
import sys

from benchmarks import verdict

CHILD = r"""
import json, sys, time


def hwm_kib():
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith('VmHWM'))


from autograd import Value
n = int(sys.argv[1])
base = hwm_kib()
x = Value(0.5)
t = time.perf_counter()
for i in range(n // 2):
    x = x * 1.0000001
    x = x + 1e-7
t_build = time.perf_counter() - t
t = time.perf_counter()
x.backward()
t_back = time.perf_counter() - t
peak = hwm_kib()
# Where the time goes: the same chain again with the cyclic GC off while it is built, and
# the backward pass split into its topological sort and its walk.
del x
import gc
from autograd.engine import topological_order
gc.collect()
gc.disable()
x = Value(0.5)
t = time.perf_counter()
for i in range(n // 2):
    x = x * 1.0000001
    x = x + 1e-7
t_build_nogc = time.perf_counter() - t
gc.enable()
t = time.perf_counter()
order = topological_order(x)
t_topo = time.perf_counter() - t
del order
print(json.dumps({"nodes": n, "build_s": t_build, "backward_s": t_back,
                  "peak_kib": peak - base, "build_nogc_s": t_build_nogc, "topo_s": t_topo}))
"""


def run(quick: bool = False) -> dict:
    n = 200_000 if quick else 1_000_000
    out = subprocess.run([sys.executable, "-c", CHILD, str(n)], capture_output=True, text=True,
                         check=True)
    r = json.loads(out.stdout)
    r["us_per_node"] = (r["build_s"] + r["backward_s"]) / r["nodes"] * 1e6
    r["bytes_per_node"] = r["peak_kib"] * 1024 / r["nodes"]
    return r


def rows(deep: dict) -> list[str]:
    return [f"| depth: {deep['nodes']:,}-op chain | {deep['us_per_node']:.2f} us/node (build "
            f"{deep['build_s']:.2f} s, backward {deep['backward_s']:.2f} s), "
            f"{deep['bytes_per_node']:.0f} B/node peak | | | <= 1 us/node | "
            f"{verdict(deep['us_per_node'] <= 1.0)} |"]
