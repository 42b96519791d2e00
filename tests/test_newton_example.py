"""examples/newton.py: one Newton step (gradient and Hessian by autograd) reaches the
least-squares solution of the lecture's regression; gradient descent is printed beside it."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "newton.py"), *args],
                         capture_output=True, text=True, timeout=120, cwd=ROOT / "examples",
                         env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout


def number(pattern: str, text: str) -> float:
    return float(re.search(pattern, text).group(1))


@pytest.mark.parametrize("mode", [["--quick"], [], ["--quick", "--seed", "3"]])
def test_one_newton_step_is_the_least_squares_solution(mode):
    text = run(*mode)
    assert number(r"difference to lstsq: ([\d.e+-]+)", text) < 1e-8
    # the Hessian by double backward is functional.hessian's and the closed form's
    assert number(r"to functional.hessian: ([\d.e+-]+)", text) < 1e-12
    assert number(r"to \(2/N\) A\^T A: +([\d.e+-]+)", text) < 1e-12
    theta = [float(v) for v in re.search(r"Newton, one step: +theta = \[(.*?)\]",
                                         text).group(1).split()]
    assert theta == pytest.approx([1, 2, 3, 5], abs=1e-8)      # w_true, b_true: no noise

    rows = {int(s): float(v) for s, v in re.findall(r"^ +(\d+) +([\d.e+-]+) ", text, re.M)}
    assert list(rows) == ([1, 10, 100] if "--quick" in mode else [1, 10, 100, 500])
    losses = list(rows.values())
    assert losses == sorted(losses, reverse=True)              # gradient descent creeps down
    newton = number(r"(?m)^Newton +([\d.e+-]+)", text)
    assert newton < 1e-20 < losses[-1]                         # Newton is there in one step
