"""The types a learner's editor sees: mypy on a learner-style script (tests/typing/) reports
no errors, and the expressions in it have the types they should (Tensor, Value: not Any).
The same script also runs."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "typing" / "learner_script.py"
# The expressions revealed at the end of the script, in order, and the types they must have.
EXPECTED = ["Tensor"] * 6 + ["Any", "Value", "Value", "float"]


def test_the_learner_script_runs():
    subprocess.run([sys.executable, str(SCRIPT)], check=True, cwd=ROOT, timeout=120)


def test_mypy_finds_no_errors_and_the_right_types(tmp_path):
    pytest.importorskip("mypy", reason="mypy is in the dev extra: pip install -e '.[dev]'")
    run = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"),
                          "--no-error-summary", str(SCRIPT.relative_to(ROOT))],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    lines = run.stdout.splitlines()
    errors = [line for line in lines if ": error:" in line]
    assert not errors, "\n".join(errors)
    revealed = [re.search(r'Revealed type is "([^"]+)"', line).group(1) for line in lines
                if "Revealed type" in line]
    assert [t.rpartition(".")[2] for t in revealed] == EXPECTED
