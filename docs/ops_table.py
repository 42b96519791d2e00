"""Generate docs/ops.md, the table of every op, from the code itself.

    python docs/ops_table.py            # print the table
    python docs/ops_table.py --write    # rewrite docs/ops.md (tests/test_ops_table.py fails
                                        # while the file and the code disagree)

Three tables, each read from the registry rather than written by hand:
- the elementwise rules of `autograd.rules.ELEMENTWISE`, with where each one is reachable
  (Value and Tensor methods, `autograd.NAME`, the formula command) and the dtypes its Tensor
  method gives for integer and float32 inputs, found by calling it;
- every derivative rule of the library's rule modules (`*rules.py`): its PyTorch backward
  node and which inputs get a gradient;
- the index of public names: `autograd.NAME`, `Tensor` methods, `Value` methods and
  `nn.functional.NAME`, and for the ones that run on a tensor alone, the backward node a call
  records (blank: not differentiable, or it needs more arguments than a tensor).
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import autograd  # noqa: E402
import nn.functional as F  # noqa: E402
from autograd import Tensor, Value  # noqa: E402
from autograd.cli.formula import FUNCTIONS  # noqa: E402
from autograd.rules import ELEMENTWISE, Rule, _PerInput  # noqa: E402

OUT = Path(__file__).with_name("ops.md")


def rule_modules() -> list[Any]:
    """The library's rule modules: autograd/*rules.py."""
    names = sorted(m.name for m in pkgutil.iter_modules(autograd.__path__)
                   if m.name.endswith("rules"))
    return [importlib.import_module(f"autograd.{name}") for name in names]


def all_rules() -> list[type[Rule]]:
    seen: dict[type[Rule], None] = {}
    for module in rule_modules():
        for obj in vars(module).values():
            if (inspect.isclass(obj) and issubclass(obj, Rule) and obj.__module__ == module.__name__
                    and obj.forward is not Rule.forward):
                seen[obj] = None
    return list(seen)


def mark(ok: bool) -> str:
    return "yes" if ok else ""


def probe_dtype(method: str, arity: int, dtype: Any) -> str:
    """What `x.method(x, ...)` gives for a tensor of `dtype`: its dtype, or "refused"."""
    x = autograd.tensor(np.array([1, 2], dtype=dtype))
    if not hasattr(x, method):
        return "no method"
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = getattr(x, method)(*([x] * (arity - 1)))
    except (TypeError, RuntimeError, ValueError):
        return "refused"
    return np.dtype(out.dtype).name


def elementwise_table() -> list[str]:
    rows = ["| op | math | Value | Tensor | `autograd.` | formula | backward node | "
            "int64 in | float32 in |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for rule in ELEMENTWISE:
        name = rule.name                  # the method's and the function's name
        arity = len(rule.grads)
        doc = (rule.__doc__ or "").strip().splitlines()
        math = (doc[0].split(";")[0].strip() if doc else "").replace("|", "\\|")
        rows.append(
            f"| `{name}` | `{math}` | {mark(hasattr(Value, name))} | {mark(hasattr(Tensor, name))} "
            f"| {mark(hasattr(autograd, name))} | {mark(name in FUNCTIONS or bool(rule.symbol))} "
            f"| `{rule.torch_name}` | {probe_dtype(name, arity, np.int64)} "
            f"| {probe_dtype(name, arity, np.float32)} |")
    return rows


def inputs_with_grad(rule: type[Rule]) -> str:
    if isinstance(rule.grads, _PerInput):
        return "every input"
    return ", ".join(str(i) for i, g in enumerate(rule.grads) if g is not None) or "none"


def rules_table() -> list[str]:
    rows = ["| rule | module | backward node | inputs with a gradient | elementwise |",
            "| --- | --- | --- | --- | --- |"]
    for rule in sorted(all_rules(), key=lambda r: (r.__module__, r.__name__)):
        rows.append(f"| `{rule.__name__}` | `{rule.__module__}` | `{rule.torch_name or '-'}` | "
                    f"{inputs_with_grad(rule)} | {mark(rule.elementwise)} |")
    return rows


def public(names: Any) -> set[str]:
    return {n for n in names if not n.startswith("_")}


def backward_node(name: str) -> str:
    """The grad_fn a call on one float64 tensor that requires grad records, if any."""
    x = autograd.tensor([[0.5, -1.5], [2.0, 0.25]], requires_grad=True)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = getattr(x, name)()
    except Exception:   # any refusal means: needs more than a tensor; the column stays blank
        return ""
    fn = getattr(out, "grad_fn", None)
    return f"`{fn.name()}`" if fn is not None else ""


def index_table() -> list[str]:
    functions = public(getattr(autograd, "__all__", dir(autograd)))
    functions = {n for n in functions if callable(getattr(autograd, n, None))
                 and not inspect.isclass(getattr(autograd, n))}
    tensor = {n for n in public(dir(Tensor)) if callable(getattr(Tensor, n, None))}
    value = {n for n in public(dir(Value)) if callable(getattr(Value, n, None))}
    functional = {n for n in public(getattr(F, "__all__", dir(F))) if callable(getattr(F, n))}
    rows = ["| name | `autograd.` | `Tensor.` | `Value.` | `nn.functional.` | backward node |",
            "| --- | --- | --- | --- | --- | --- |"]
    for name in sorted(functions | tensor | value | functional):
        node = backward_node(name) if name in tensor else ""
        rows.append(f"| `{name}` | {mark(name in functions)} | {mark(name in tensor)} | "
                    f"{mark(name in value)} | {mark(name in functional)} | {node} |")
    return rows


def render() -> str:
    text = [
        "# Every op",
        "",
        "Generated from the code by `python docs/ops_table.py --write`; "
        "tests/test_ops_table.py fails when this page and the code disagree.",
        "",
        "## Elementwise rules",
        "",
        "One row per rule of `autograd.rules.ELEMENTWISE`: each is a `Value` and a `Tensor` "
        "method, an `autograd.NAME` function and (without an operator symbol) a function of "
        "`python -m autograd draw`. The last two columns are the dtype the Tensor method "
        "returns for int64 and float32 inputs, found by calling it.",
        "",
        *elementwise_table(),
        "",
        "## Derivative rules",
        "",
        "Every rule of the rule modules (`autograd/*rules.py`): the node PyTorch records for the "
        "same op (`grad_fn`) and which inputs it differentiates.",
        "",
        *rules_table(),
        "",
        "## Index",
        "",
        "Every public function and method. The last column is the backward node a call on one "
        "float64 tensor that requires grad records (blank: not differentiable, or it takes more "
        "arguments than the tensor).",
        "",
        *index_table(),
        "",
    ]
    return "\n".join(text)


def main(argv: list[str]) -> int:
    text = render()
    if "--write" in argv:
        OUT.write_text(text)
        print(f"written to {OUT}")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
