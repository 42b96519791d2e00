"""The README's Python listings run as printed (PyTorch's own listing only with torch)."""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


@pytest.mark.parametrize("i", range(len(BLOCKS)))
def test_readme_listing_runs(i):
    code = BLOCKS[i]
    if "import torch" in code:
        pytest.importorskip("torch")
    namespace: dict = {"__name__": f"readme_block_{i}"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"README.md block {i}", "exec"), namespace)
        for name, f in list(namespace.items()):
            if name.startswith("test_") and callable(f):
                f()                                 # the hypothesis example runs for real
    # a `print(...)  # 0.73` line promises that output
    for expected in re.findall(r"^\s*print\(.*#\s*(\S+)", code, re.M):
        assert expected.rstrip(",") in out.getvalue(), expected


def test_there_are_listings():
    assert len(BLOCKS) >= 5
