"""docs/ops.md is generated from the code (docs/ops_table.py): the page must be what the
generator makes of the code as it is now, and every registered rule must have its row."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from autograd.rules import ELEMENTWISE

ROOT = Path(__file__).resolve().parent.parent


def generator():
    spec = importlib.util.spec_from_file_location("ops_table", ROOT / "docs" / "ops_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_is_what_the_code_generates():
    page = (ROOT / "docs" / "ops.md").read_text()
    assert page == generator().render(), (
        "docs/ops.md is out of date: run `python docs/ops_table.py --write`")


def test_every_registered_rule_has_a_row_with_its_backward_node():
    page = (ROOT / "docs" / "ops.md").read_text()
    for rule in ELEMENTWISE:
        assert f"| `{rule.name}` |" in page and f"`{rule.torch_name}`" in page, rule


def test_the_table_changes_with_the_code(monkeypatch):
    ops = generator()
    before = ops.render()
    monkeypatch.setattr(ops, "ELEMENTWISE", ops.ELEMENTWISE[:-1])
    assert ops.render() != before
