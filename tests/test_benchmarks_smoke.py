"""The benchmarks' quick mode runs end to end (a smoke test: no timing is asserted)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmarks_run_and_agree(tmp_path):
    out = tmp_path / "results.md"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick",
                          "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    text = out.read_text()
    for name in ("lecture MLP", "scalar MLP step", "depth", "memory", "DataLoader", "conv2d",
                 "digits CNN", "compiled"):
        assert name in text
    # the three trainers start from the same weights: their loss curves must agree
    agree = re.search(r"ours vs numpy ([\d.e+-]+) relative", text)
    assert agree and float(agree.group(1)) < 1e-4
    scalar = re.search(r"scalar step loss vs reference ([\d.e+-]+)", text)
    assert scalar and float(scalar.group(1)) < 1e-9
