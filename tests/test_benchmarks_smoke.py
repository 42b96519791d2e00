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


def test_before_after_compares_this_tree_with_a_commit():
    """Both versions load side by side in one process and fill every row of the table."""
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "before_after.py"), "HEAD",
                          "--quick"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    rows = [line for line in run.stdout.splitlines()
            if re.match(r"\| (lecture|scalar|[0-9,]+-op chain)", line)]
    assert len(rows) == 8, run.stdout
    for row in rows:
        ratio = float(row.rstrip(" |").rsplit("|", 1)[1])
        assert 0.2 < ratio < 5, row
