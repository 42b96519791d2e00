"""The chain rule as a table, one row per node, in the order backpropagation visits them.

    >>> y, inputs = sigmoid_circuit()          # the lecture's circuit, from primitive ops
    >>> print(format_chain_rule_table(chain_rule_table(y)))

Backpropagation starts at the output y with dy/dy = 1 and walks the graph backwards
(reverse topological order: every node after all the nodes that use it). When it reaches
a node x, the gradients of x's consumers are known, so

    dy/dx = sum over each edge x -> c of   dy/dc * dc/dx
                                           upstream  local derivative

The local derivative dc/dx comes from c's rule (`autograd.rules`): the rule's formula is
the vector-Jacobian product grads[i](g, out, *inputs) = g * dc/dx, linear in g, so
dc/dx = grads[i](1, out, *inputs). A node used twice (b = a + a) has two edges, and its
gradient is the sum of both products.

The rows come from the engine's reference loop (`autograd.engine.backprop_steps`), which
changes no `.grad`; they show how each gradient is built.
Scalar `Value` graphs only.
"""
from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np

from ..engine import Node, Step, backprop_steps, topological_order
from ..value import Value
from .numbers import fixed

__all__ = ["ChainRuleTerm", "ChainRuleRow", "chain_rule_table", "format_chain_rule_table",
           "chain_rule_html", "walkthrough", "Walkthrough", "sigmoid_circuit", "sigmoid_gate"]


@dataclass(frozen=True)
class ChainRuleTerm:
    """One edge x -> consumer in the chain rule: upstream * local = contribution.

    `local` is d consumer / d x, `upstream` is d root / d consumer, `contribution` is
    their product (computed by the consumer's rule, as backward computes it), and
    `local_formula` is the rule's text for d consumer / d x with the inputs' names filled
    in ("exp(x2)", "-1/x4^2"). `input_index` says which input of the consumer x is.
    """
    consumer: str
    input_index: int
    local_formula: str
    local: Any            # float (Value), array (elementwise Tensor op) or None (a vjp)
    upstream: Any         # float or array
    contribution: Any


@dataclass(frozen=True)
class ChainRuleRow:
    """One node: what it computes, its forward value and its gradient by the chain rule.

    grad = d root / d node = sum(t.contribution for t in terms); the root has no terms and
    grad 1 (the seed, d root / d root). `op` is the name of the op that made the node ('' for
    a leaf), `expression` what it computes ("exp(x2)"; '' for a leaf), and `node` the Value.
    """
    name: str
    op: str
    expression: str
    value: Any            # float, or an array for a Tensor graph
    terms: tuple[ChainRuleTerm, ...]
    grad: Any
    node: Any = field(repr=False, compare=False)


SMALL = 64      # a Tensor graph's table: every tensor at most this many elements


def chain_rule_table(root: Any, steps: Iterable[Step] | None = None,
                     rename: Mapping[str, str] | None = None,
                     labels: Mapping[Any, str] | None = None) -> list[ChainRuleRow]:
    """One row per node that `root` depends on, in backward order (root first).

    The rows are the engine's reference loop (`engine.backprop_steps`) grouped by the node
    that receives each edge's gradient; pass `steps` when you already ran it (the command
    line does, to draw the same numbers). Nodes without a label get generated names n1,
    n2, ... in forward order (skipping labels already in use); `rename` maps a name to
    the one to print instead ({"sum": "x1"}, as a slide names it); `labels` names nodes
    directly ({node: "W"}; Tensors have no `.label`). The graph and every `.grad` are left
    unchanged.

    A Tensor graph works too when its output has one element and every tensor in it at most
    `SMALL` (64): values, upstream gradients and totals are then arrays; the local
    derivative of an elementwise op is an array (multiplied elementwise), other ops pass
    their vector-Jacobian product (`local` is None).
    """
    if not isinstance(root, Node):
        raise TypeError(f"chain_rule_table: expected a scalar Value or a one-element Tensor, "
                        f"got {type(root).__name__}")
    tensor = not isinstance(root._data, float)
    if tensor and np.size(root._data) != 1:
        raise TypeError(f"chain_rule_table: expected a scalar Value or a one-element Tensor "
                        f"(a loss), got a Tensor of shape {np.shape(root._data)}")
    order = topological_order(root)
    if any(n._rule is not None and n._parents is None for n in order):
        raise ValueError("chain_rule_table: this graph was released by backward(); build it "
                         "again or call backward(retain_graph=True)")
    if tensor:
        big = [n for n in order if np.size(n._data) > SMALL]
        if big:
            raise ValueError(f"chain_rule_table: a table is written for small tensors (at most "
                             f"{SMALL} elements each); this graph has one of shape "
                             f"{np.shape(big[0]._data)}")
    names = _names(order, labels)
    if rename:
        unknown = sorted(set(rename) - set(names.values()))
        if unknown:
            raise ValueError(f"chain_rule_table: rename: no node is named "
                             f"{', '.join(unknown)} (the names: "
                             f"{', '.join(names[n] for n in reversed(order))})")
        names = {n: str(rename.get(v, v)) for n, v in names.items()}
    terms: dict[Node, list[ChainRuleTerm]] = {n: [] for n in order}
    seed: Any = np.ones_like(root._data) if tensor else 1.0
    num = (lambda x: None if x is None else np.array(x, dtype=float)) if tensor else \
        (lambda x: float(x))
    grads: dict[Node, Any] = {root: seed}
    for s in backprop_steps(root, seed) if steps is None else steps:
        consumer = s.node
        texts = [_operand(p, names) for p in consumer._parents]
        local_text = consumer._rule.local[s.index] if s.index < len(consumer._rule.local) else "?"
        terms[s.input].append(ChainRuleTerm(
            consumer=names[consumer], input_index=s.index,
            local_formula=_local_formula(consumer, s.index, local_text, texts),
            local=num(s.local),
            upstream=num(s.upstream), contribution=num(s.contribution)))
        grads[s.input] = s.total
    zero = (lambda n: np.zeros_like(n._data, dtype=float)) if tensor else (lambda n: 0.0)
    return [ChainRuleRow(name=names[n], op=n._rule.name if n._rule else "",
                         expression=_expression(n, names),
                         value=num(n._data) if tensor else n._data,
                         terms=tuple(terms[n]),
                         grad=num(grads[n]) if n in grads else zero(n), node=n)
            for n in order]


def format_chain_rule_table(rows: list[ChainRuleRow], digits: int = 2,
                            partial: str = "\u2202") -> str:
    """The rows as an aligned plain-text table, numbers with `digits` decimals:

        node  computes  value  local derivative  dy/d(node) = upstream * local
        x3    exp(x2)    0.37  1                 dy/dx3 = dy/dx4 * ∂x4/∂x3 = -0.53 * 1.00 = -0.53

    Totals (the gradient of the output) are written dy/dx3, local derivatives (one op's
    own derivative) with `partial` (∂x4/∂x3; pass partial="d" for plain ASCII). A node
    used twice by one op names the argument: `∂c/∂b (as a)`. When the shown factors do
    not multiply to the shown result at this many decimals, the result is marked `≈`.
    """
    return "\n".join(_text_lines(rows, digits, partial))


def _chains(rows: list[ChainRuleRow], digits: int, partial: str
            ) -> list[tuple[str, str, str, str, str]]:
    """(node, computes, value, local, chain) per row, as text."""
    if not rows:
        return []
    root = rows[0].name
    fmt = lambda x: _fmt(x, digits)
    d = lambda num, den: f"d{_wrap(num)}/d{_wrap(den)}"
    p = lambda num, den: f"{partial}{_wrap(num)}/{partial}{_wrap(den)}"
    out = []
    for row in rows:
        total = d(root, row.name)
        if not row.terms:
            chain = f"{total} = {fmt(row.grad)}"
        else:
            uses: dict[str, int] = {}
            for t in row.terms:
                uses[t.consumer] = uses.get(t.consumer, 0) + 1
            symbols = " + ".join(
                f"{d(root, t.consumer)} * {p(t.consumer, row.name)}"
                + (f" (as {chr(ord('a') + t.input_index)})" if uses[t.consumer] > 1 else "")
                for t in row.terms)
            numbers = " + ".join(f"{fmt(t.upstream)} * {fmt(t.local)}" if t.local is not None
                                 else f"vjp({fmt(t.upstream)})" for t in row.terms)
            if all(isinstance(t.local, float) and isinstance(t.upstream, float)
                   for t in row.terms):
                shown = math.fsum(float(fmt(t.upstream)) * float(fmt(t.local))
                                  for t in row.terms)
                eq = "=" if _same(fmt(shown), fmt(row.grad)) else "\u2248"
            else:
                eq = "="
            chain = f"{total} = {symbols} = {numbers} {eq} {fmt(row.grad)}"
        local = ", ".join(t.local_formula for t in row.terms)
        out.append((row.name, row.expression or "(input)", fmt(row.value), local, chain))
    return out


def _fmt(x: Any, digits: int) -> str:
    """A number with `digits` decimals; an array as [0.73, -0.53] on one line."""
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            return fixed(float(x), digits)
        formatter: Any = {"float_kind": lambda v: fixed(v, digits)}
        return " ".join(np.array2string(x, separator=", ", max_line_width=10_000,
                                        formatter=formatter).split())
    return fixed(x, digits)


def _same(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


def _text_lines(rows: list[ChainRuleRow], digits: int, partial: str) -> list[str]:
    if not rows:
        return [""]
    header = ("node", "computes", "value", "local derivative",
              f"d{_wrap(rows[0].name)}/d(node) = upstream * local")
    table = [header, *_chains(rows, digits, partial)]
    widths = [max(len(line[k]) for line in table) for k in range(len(header))]
    right = {2}                                  # numbers right-aligned
    lines = ["  ".join(cell.rjust(w) if k in right else cell.ljust(w)
                       for k, (cell, w) in enumerate(zip(line, widths, strict=True))).rstrip()
             for line in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def chain_rule_html(rows: list[ChainRuleRow], digits: int = 2) -> str:
    """The table as an HTML <table> (what Jupyter shows for `walkthrough(y)`)."""
    cols = ("node", "computes", "value", "local derivative",
            f"d{_wrap(rows[0].name)}/d(node) = upstream \u00d7 local" if rows else "")
    head = "".join(f"<th style='text-align:left'>{html.escape(c)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td style='text-align:{'right' if k == 2 else 'left'};"
                         f"font-family:monospace'>{html.escape(c)}</td>"
                         for k, c in enumerate(line)) + "</tr>"
        for line in _chains(rows, digits, "\u2202"))
    return (f"<table class='chalkgrad-chain-rule'><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


class Walkthrough:
    """The chain-rule table of a graph: `print()` it for text, Jupyter shows HTML.

    `rows` are `chain_rule_table(root)`'s; `names` the name of every node, the same
    names the diagram of `walkthrough(y).diagram()` labels its boxes with.
    """

    def __init__(self, root: Any, digits: int = 2, names: Mapping[str, str] | None = None,
                 labels: Mapping[Any, str] | None = None) -> None:
        self.root, self.digits = root, digits
        self.rows = chain_rule_table(root, rename=names, labels=labels)

    @property
    def names(self) -> dict[Any, str]:
        """{node: its name in the table}."""
        return {r.node: r.name for r in self.rows}

    def __str__(self) -> str:
        return format_chain_rule_table(self.rows, self.digits)

    def __repr__(self) -> str:
        return format_chain_rule_table(self.rows, self.digits, partial="d")

    def _repr_html_(self) -> str:
        return chain_rule_html(self.rows, self.digits)

    def diagram(self, **kwargs: Any) -> Any:
        """The graph drawn with the table's names on its boxes (`draw_graph` keywords)."""
        from .drawing import draw_graph
        kwargs.setdefault("decimals", self.digits)
        return draw_graph(self.root, names=self.names, **kwargs)


def walkthrough(root: Any, digits: int = 2, names: Mapping[str, str] | None = None,
                labels: Mapping[Any, str] | None = None) -> Walkthrough:
    """The chain-rule table of `root` (a Value, or a small Tensor graph), printable and
    shown as HTML in Jupyter. `names` renames nodes: {"sum": "x1"} (old name -> new), as
    the slides name them; `labels` names nodes directly ({W: "W"})."""
    return Walkthrough(root, digits, names, labels)


def sigmoid_circuit(w0: float = 2, x0: float = -1, w1: float = -3, x1: float = -2,
                    w2: float = -3) -> tuple[Value, dict[str, Value]]:
    """The lecture's circuit y = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2))), from primitive ops.

    Labelled as on the slides: sum = w0*x0 + w1*x1 + w2 (the slides' interior "x1"),
    x2 = -sum, x3 = exp(x2), x4 = x3 + 1, y = 1 / x4. Returns y and the inputs by name
    (w0, x0, w1, x1, w2). At the default point y = sigma(1) = 0.73.
    """
    inputs = {name: Value(v, label=name) for name, v in
              (("w0", w0), ("x0", x0), ("w1", w1), ("x1", x1), ("w2", w2))}
    v = inputs
    s = v["w0"] * v["x0"] + v["w1"] * v["x1"] + v["w2"]
    s.label = "sum"
    x2 = -s
    x2.label = "x2"
    x3 = x2.exp()
    x3.label = "x3"
    x4 = x3 + 1
    x4.label = "x4"
    y = 1 / x4
    y.label = "y"
    return y, inputs


def sigmoid_gate(w0: float = 2, x0: float = -1, w1: float = -3, x1: float = -2,
                 w2: float = -3) -> tuple[Value, dict[str, Value]]:
    """The same circuit with the sigmoid as one gate: y = sigmoid(w0*x0 + w1*x1 + w2).
    Its local derivative sigma(z)*(1 - sigma(z)) = 0.73 * 0.27 = 0.20 replaces the four
    steps of `sigmoid_circuit`, and the inputs get the same gradients."""
    inputs = {name: Value(v, label=name) for name, v in
              (("w0", w0), ("x0", x0), ("w1", w1), ("x1", x1), ("w2", w2))}
    v = inputs
    s = v["w0"] * v["x0"] + v["w1"] * v["x1"] + v["w2"]
    s.label = "sum"
    y = s.sigmoid()
    y.label = "y"
    return y, inputs


# ---------------------------------------------------------------- helpers
def _names(order: list[Any], labels: Mapping[Any, str] | None = None) -> dict[Any, str]:
    """Labels (`labels`, then `.label`), or n1, n2, ... for unlabelled nodes, numbered in
    forward order."""
    given = {id(k): str(v) for k, v in (labels or {}).items()}
    def label(n: Any) -> str:
        return given.get(id(n)) or getattr(n, "label", "") or ""

    taken = {label(n) for n in order if label(n)}
    names: dict[Any, str] = {}
    k = 0
    for n in reversed(order):
        if label(n):
            names[n] = label(n)
            continue
        k += 1
        while f"n{k}" in taken:
            k += 1
        names[n] = f"n{k}"
    return names


def _number(x: float) -> str:
    if isinstance(x, float) and math.isfinite(x) and x.is_integer():
        return str(int(x))
    return repr(x)


_ATOM = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*$|^\d+(\.\d+)?$")


def _operand(p: Any, names: dict[Node, str]) -> str:
    """How an input appears inside a formula: its name, or the constant; parenthesised
    unless it is a single name or a non-negative number."""
    if isinstance(p, Node):       # a tensor without requires_grad is not in the table
        text = names[p] if p in names else getattr(p, "label", "") or " ".join(
            np.array2string(np.asarray(p._data), separator=", ").split())
    else:
        text = _number(p)
    return text if _ATOM.match(text) else f"({text})"


def _wrap(name: str) -> str:
    """`x4` stays as it is after a 'd' (dx4); a longer name gets parentheses: d(sum)."""
    return name if re.fullmatch(r"[A-Za-z]\d*", name) else f"({name})"


def _substitute(text: str, operands: list[str]) -> str:
    """A rule's formula text, written in a, b, c..., with the inputs filled in."""
    letters = {chr(ord("a") + i): s for i, s in enumerate(operands)}
    return re.sub(r"\b[a-z]\b", lambda m: letters.get(m.group(0), m.group(0)), text)


def _local_formula(node: Node, index: int, text: str, operands: list[str]) -> str:
    """The rule's local derivative with the inputs filled in, simplified where an input
    is a constant: the power rule b*a^(b-1) with b = 2 reads 2*x, with b = 3 3*x^2."""
    parents = node._parents
    if node._rule.name == "pow" and index == 0 and not isinstance(parents[1], Node):
        b = float(parents[1])
        base = operands[0]
        if b == 0:
            return "0"
        if b == 1:
            return "1"
        coef = "-" if b == -1 else f"{_number(b)}*"
        exponent = b - 1
        if exponent == 1:
            return f"{coef}{base}"
        shown = _number(exponent)
        return f"{coef}{base}^{shown if exponent >= 0 else '(' + shown + ')'}"
    return _substitute(text, operands)


def _expression(node: Node, names: dict[Node, str]) -> str:
    rule = node._rule
    if rule is None:
        return ""
    ops = [_operand(p, names) for p in node._parents]
    if rule.symbol and len(ops) == 2:
        return f"{ops[0]} {rule.symbol} {ops[1]}"
    if rule.symbol and len(ops) == 1:
        return f"{rule.symbol}{ops[0]}"
    extra = [repr(s) for s in node._saved if not isinstance(s, np.ndarray)]
    return f"{rule.name}({', '.join(ops + extra)})"
