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

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..engine import Node, Step, backprop_steps, topological_order
from ..value import Value
from .numbers import fixed

__all__ = ["ChainRuleTerm", "ChainRuleRow", "chain_rule_table", "format_chain_rule_table",
           "sigmoid_circuit"]


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
    local: float
    upstream: float
    contribution: float


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
    value: float
    terms: tuple[ChainRuleTerm, ...]
    grad: float
    node: Any = field(repr=False, compare=False)


def chain_rule_table(root: Value, steps: Iterable[Step] | None = None) -> list[ChainRuleRow]:
    """One row per node that `root` depends on, in backward order (root first).

    The rows are the engine's reference loop (`engine.backprop_steps`) grouped by the node
    that receives each edge's gradient; pass `steps` when you already ran it (the command
    line does, to draw the same numbers). Nodes without a label get generated names n1,
    n2, ... in forward order (skipping labels already in use). The graph and every `.grad`
    are left unchanged.
    """
    if not isinstance(root, Node) or not isinstance(root._data, float):
        raise TypeError(f"chain_rule_table: expected a scalar Value, got {type(root).__name__}")
    order = topological_order(root)
    if any(n._rule is not None and n._parents is None for n in order):
        raise ValueError("chain_rule_table: this graph was released by backward(); build it "
                         "again or call backward(retain_graph=True)")
    names = _names(order)
    terms: dict[Node, list[ChainRuleTerm]] = {n: [] for n in order}
    grads: dict[Node, float] = {root: 1.0}
    for s in backprop_steps(root, 1.0) if steps is None else steps:
        consumer = s.node
        texts = [_operand(p, names) for p in consumer._parents]
        local_text = consumer._rule.local[s.index] if s.index < len(consumer._rule.local) else "?"
        terms[s.input].append(ChainRuleTerm(
            consumer=names[consumer], input_index=s.index,
            local_formula=_substitute(local_text, texts), local=float(s.local),
            upstream=float(s.upstream), contribution=float(s.contribution)))
        grads[s.input] = s.total
    return [ChainRuleRow(name=names[n], op=n._rule.name if n._rule else "",
                         expression=_expression(n, names), value=n._data,
                         terms=tuple(terms[n]), grad=float(grads.get(n, 0.0)), node=n)
            for n in order]


def format_chain_rule_table(rows: list[ChainRuleRow], digits: int = 2) -> str:
    """The rows as an aligned plain-text table, numbers with `digits` decimals:

        node  computes  value  local    dy/d(node) = upstream * local
        x3    exp(x2)    0.37  1        dy/dx3 = dy/dx4 * dx4/dx3 = -0.53 * 1.00 = -0.53
    """
    if not rows:
        return ""
    root = rows[0].name
    fmt = lambda x: fixed(x, digits)
    d = lambda num, den: f"d{_wrap(num)}/d{_wrap(den)}"
    header = ("node", "computes", "value", "local derivative",
              f"{d(root, 'node')} = upstream * local")
    table = [header]
    for row in rows:
        total = d(root, row.name)
        if not row.terms:
            chain = f"{total} = {fmt(row.grad)}"
        else:
            symbols = " + ".join(f"{d(root, t.consumer)} * {d(t.consumer, row.name)}"
                                 for t in row.terms)
            numbers = " + ".join(f"{fmt(t.upstream)} * {fmt(t.local)}" for t in row.terms)
            chain = f"{total} = {symbols} = {numbers} = {fmt(row.grad)}"
        local = ", ".join(t.local_formula for t in row.terms)
        table.append((row.name, row.expression or "(input)", fmt(row.value), local, chain))
    widths = [max(len(line[k]) for line in table) for k in range(len(header))]
    right = {2}                                  # numbers right-aligned
    lines = ["  ".join(cell.rjust(w) if k in right else cell.ljust(w)
                       for k, (cell, w) in enumerate(zip(line, widths, strict=True))).rstrip()
             for line in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


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


# ---------------------------------------------------------------- helpers
def _names(order: list[Any]) -> dict[Any, str]:
    """Labels, or n1, n2, ... for unlabelled nodes, numbered in forward order."""
    taken = {n.label for n in order if n.label}
    names: dict[Any, str] = {}
    k = 0
    for n in reversed(order):
        if n.label:
            names[n] = n.label
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
    text = names[p] if isinstance(p, Node) else _number(p)
    return text if _ATOM.match(text) else f"({text})"


def _wrap(name: str) -> str:
    """`x4` stays as it is after a 'd' (dx4); a longer name gets parentheses: d(sum)."""
    return name if re.fullmatch(r"[A-Za-z]\d*", name) else f"({name})"


def _substitute(text: str, operands: list[str]) -> str:
    """A rule's formula text, written in a, b, c..., with the inputs filled in."""
    letters = {chr(ord("a") + i): s for i, s in enumerate(operands)}
    return re.sub(r"\b[a-z]\b", lambda m: letters.get(m.group(0), m.group(0)), text)


def _expression(node: Node, names: dict[Node, str]) -> str:
    rule = node._rule
    if rule is None:
        return ""
    ops = [_operand(p, names) for p in node._parents]
    if rule.symbol and len(ops) == 2:
        return f"{ops[0]} {rule.symbol} {ops[1]}"
    if rule.symbol and len(ops) == 1:
        return f"{rule.symbol}{ops[0]}"
    extra = [repr(s) for s in node._saved]
    return f"{rule.name}({', '.join(ops + extra)})"
