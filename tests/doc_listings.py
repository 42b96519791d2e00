"""Run the Python listings of a docs page in order and compare what each prints with the
```text block that follows it on the page (numbers compared to 6 significant digits: the
last digits of a central difference are rounding, which varies with the platform)."""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
_NUMBER = r"-?\d+\.\d+(?:e-?\d+)?"


def assert_same_text(printed: str | None, shown: str) -> None:
    why = f"the page shows\n{shown}\nthe code prints\n{printed}"
    assert printed is not None, why
    assert re.split(_NUMBER, printed) == re.split(_NUMBER, shown), why
    for a, b in zip(re.findall(_NUMBER, printed), re.findall(_NUMBER, shown)):
        assert float(a) == pytest.approx(float(b), rel=1e-6), why


def run_page(name: str, min_listings: int = 1) -> dict:
    """Execute docs/NAME's listings in one namespace; returns the namespace."""
    path = DOCS / name
    blocks = re.findall(r"```(python|text)\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    assert sum(kind == "python" for kind, _ in blocks) >= min_listings
    namespace: dict = {"__name__": f"docs_{path.stem}"}
    printed = None
    for kind, code in blocks:
        if kind == "python":
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"docs/{name}", "exec"), namespace)
            printed = out.getvalue()
        else:
            assert_same_text(printed, code)
            printed = None
    return namespace
