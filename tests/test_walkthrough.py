"""The chain-rule table: every row of the lecture's sigmoid circuit against closed forms
computed here with `math`, the slides' two-decimal numbers, backward order, a node with
several consumers, the example script, and the single sigmoid op."""
import math
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
from autograd import Value
from autograd.diagrams.walkthrough import (
    ChainRuleRow,
    chain_rule_table,
    format_chain_rule_table,
    sigmoid_circuit,
)

ROOT = Path(__file__).resolve().parent.parent
TOL = 1e-12
W0, X0, W1, X1, W2 = 2.0, -1.0, -3.0, -2.0, -3.0


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# Closed forms, independent of the library. z = w0 x0 + w1 x1 + w2 = 1; y = sigma(z).
Z = W0 * X0 + W1 * X1 + W2
E = math.exp(-Z)                       # x3 = exp(x2) = exp(-z)
X4 = 1.0 + E
S = sigma(Z)
DS = S * (1.0 - S)                     # sigma'(z) = e^-z / (1 + e^-z)^2

# name -> (value, gradient dy/d(name), [(consumer, local derivative), ...])
EXPECTED = {
    "y": (S, 1.0, []),
    "x4": (X4, -1.0 / X4 ** 2, [("y", -1.0 / X4 ** 2)]),
    "x3": (E, -1.0 / X4 ** 2, [("x4", 1.0)]),
    "x2": (-Z, -E / X4 ** 2, [("x3", E)]),
    "sum": (Z, DS, [("x2", -1.0)]),
    "w2": (W2, DS, [("sum", 1.0)]),
    "n3": (W0 * X0 + W1 * X1, DS, [("sum", 1.0)]),
    "n2": (W1 * X1, DS, [("n3", 1.0)]),
    "x1": (X1, DS * W1, [("n2", W1)]),
    "w1": (W1, DS * X1, [("n2", X1)]),
    "n1": (W0 * X0, DS, [("n3", 1.0)]),
    "x0": (X0, DS * W0, [("n1", W0)]),
    "w0": (W0, DS * X0, [("n1", X0)]),
}
OPS = {"y": "div", "x4": "add", "x3": "exp", "x2": "neg", "sum": "add", "n3": "add",
       "n2": "mul", "n1": "mul"}


@pytest.fixture
def rows() -> list[ChainRuleRow]:
    y, _ = sigmoid_circuit()
    return chain_rule_table(y)


def test_closed_forms_are_the_lecture_numbers():
    # guards the hand-written closed forms above: the README's values
    assert S == pytest.approx(0.7310585786300049, abs=TOL)
    assert DS == pytest.approx(0.19661193324148185, abs=TOL)


def test_rows_in_backward_order(rows):
    assert [r.name for r in rows] == ["y", "x4", "x3", "x2", "sum", "w2", "n3", "n2", "x1",
                                      "w1", "n1", "x0", "w0"]
    # each node comes after every node that uses it
    position = {r.name: k for k, r in enumerate(rows)}
    for r in rows:
        for t in r.terms:
            assert position[t.consumer] < position[r.name]


def test_every_row_against_closed_forms(rows):
    assert len(rows) == len(EXPECTED)
    for r in rows:
        value, grad, edges = EXPECTED[r.name]
        assert r.op == OPS.get(r.name, ""), r.name
        assert abs(r.value - value) <= TOL, r.name
        assert abs(r.grad - grad) <= TOL, r.name
        assert [t.consumer for t in r.terms] == [c for c, _ in edges], r.name
        for t, (consumer, local) in zip(r.terms, edges, strict=True):
            assert abs(t.local - local) <= TOL, (r.name, consumer)
            assert abs(t.upstream - EXPECTED[consumer][1]) <= TOL, (r.name, consumer)
            assert abs(t.contribution - t.upstream * t.local) <= TOL, (r.name, consumer)
        if r.terms:
            assert sum(t.contribution for t in r.terms) == r.grad   # what backward adds up


def test_slides_two_decimal_values(rows):
    by = {r.name: r for r in rows}
    values = {"sum": 1.00, "x2": -1.00, "x3": 0.37, "x4": 1.37, "y": 0.73}
    grads = {"y": 1.00, "x4": -0.53, "x3": -0.53, "x2": -0.20, "sum": 0.20,
             "w0": -0.20, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.20}
    assert {n: round(by[n].value, 2) for n in values} == values
    assert {n: round(by[n].grad, 2) for n in grads} == grads
    assert round(by["x2"].terms[0].local, 4) == 0.3679          # the slide's 0.3678...


def test_local_formulas_read_like_the_slides(rows):
    by = {r.name: r for r in rows}
    assert [t.local_formula for t in by["x4"].terms] == ["-1/x4^2"]
    assert [t.local_formula for t in by["x2"].terms] == ["exp(x2)"]
    assert [t.local_formula for t in by["sum"].terms] == ["-1"]
    assert [t.local_formula for t in by["x1"].terms] == ["w1"]
    assert by["y"].expression == "1 / x4" and by["x4"].expression == "x3 + 1"
    assert by["x2"].expression == "-sum" and by["x3"].expression == "exp(x2)"
    assert by["w0"].expression == "" and by["y"].terms == ()


def test_table_leaves_the_graph_and_grads_alone():
    y, inputs = sigmoid_circuit()
    chain_rule_table(y)
    assert all(v.grad == 0.0 for v in inputs.values()) and y.grad == 0.0
    y.backward()
    rows = chain_rule_table(y)
    by = {r.name: r for r in rows}
    for name, v in inputs.items():
        assert by[name].grad == v.grad                               # the same as backward()


def test_node_with_several_consumers_sums_over_them():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    c = b * b
    c.label = "c"
    rows = chain_rule_table(c)
    by = {r.name: r for r in rows}
    assert [r.name for r in rows] == ["c", "b", "a"]
    # c = b^2: two edges b -> c, each with local derivative b = 2a = 6
    assert [(t.consumer, t.input_index, t.local) for t in by["b"].terms] == [("c", 0, 6.0),
                                                                             ("c", 1, 6.0)]
    assert by["b"].grad == 2 * 6.0
    # b = a + a: two edges a -> b, local 1 each; dc/da = 8a = 24
    assert [t.local for t in by["a"].terms] == [1.0, 1.0]
    assert [t.upstream for t in by["a"].terms] == [12.0, 12.0]
    assert by["a"].grad == 8 * 3.0
    text = format_chain_rule_table(rows)
    assert "dc/db = dc/dc * dc/db + dc/dc * dc/db = 1.00 * 6.00 + 1.00 * 6.00 = 12.00" in text
    assert "dc/da = dc/db * db/da + dc/db * db/da = 12.00 * 1.00 + 12.00 * 1.00 = 24.00" in text


def test_generated_names_skip_labels_in_use():
    a = Value(1.0, label="n1")
    b = a * 2.0
    c = b + a
    rows = chain_rule_table(c)
    assert sorted(r.name for r in rows) == ["n1", "n2", "n3"]
    assert rows[0].expression == "n2 + n1"


def test_format_reads_like_the_slides(rows):
    text = format_chain_rule_table(rows)
    for line in ("dy/dy = 1.00",
                 "dy/dx4 = dy/dy * dy/dx4 = 1.00 * -0.53 = -0.53",
                 "dy/dx3 = dy/dx4 * dx4/dx3 = -0.53 * 1.00 = -0.53",
                 "dy/dx2 = dy/dx3 * dx3/dx2 = -0.53 * 0.37 = -0.20",
                 "dy/d(sum) = dy/dx2 * dx2/d(sum) = -0.20 * -1.00 = 0.20",
                 "dy/dx1 = dy/dn2 * dn2/dx1 = 0.20 * -3.00 = -0.59"):
        assert line in text
    lines = text.splitlines()
    assert len(lines) == 2 + len(rows)
    # aligned: the value column ends at the same place on every line
    ends = {line.index(f"{r.value:.2f}") + len(f"{r.value:.2f}")
            for line, r in zip(lines[2:], rows, strict=True)}
    assert len(ends) == 1
    assert "-0.5344" in format_chain_rule_table(rows, digits=4)


def test_sigmoid_op_gives_the_same_gradients(rows):
    by = {r.name: r.grad for r in rows}
    w = {n: Value(v, label=n) for n, v in (("w0", W0), ("x0", X0), ("w1", W1), ("x1", X1),
                                           ("w2", W2))}
    s = (w["w0"] * w["x0"] + w["w1"] * w["x1"] + w["w2"]).sigmoid()
    s.backward()
    assert abs(s.data - next(r.value for r in rows if r.name == "y")) <= TOL
    for name, v in w.items():
        assert abs(v.grad - by[name]) <= TOL, name


def test_rejects_tensors():
    t = autograd.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError):
        chain_rule_table((t * t).sum())


def test_exports():
    assert autograd.chain_rule_table is chain_rule_table
    assert autograd.format_chain_rule_table is format_chain_rule_table
    assert autograd.sigmoid_circuit is sigmoid_circuit


def test_example_script_prints_the_numbers():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "chain_rule.py"), "--quick"],
                         capture_output=True, text=True, check=True, cwd=ROOT, timeout=60).stdout
    for line in ("dy/dy = 1.00", "= -0.53", "dy/dx3 = dy/dx4 * dx4/dx3 = -0.53 * 1.00 = -0.53",
                 "= -0.20", "dy/d(sum) = dy/dx2 * dx2/d(sum) = -0.20 * -1.00 = 0.20",
                 "0.73 * 0.27 = 0.20"):
        assert line in out
    grads = {"w0": "-0.20", "x0": "0.39", "w1": "-0.39", "x1": "-0.59", "w2": "0.20"}
    for name, g in grads.items():
        line = next(ln for ln in out.splitlines() if ln.startswith(f"dy/d{name} "))
        assert line.split()[1:] == [g, g, g], line      # primitive ops, sigmoid op, closed form
    four = subprocess.run([sys.executable, str(ROOT / "examples" / "chain_rule.py"),
                           "--digits", "4"], capture_output=True, text=True, check=True,
                          cwd=ROOT, timeout=60).stdout
    assert "-0.5898" in four and "0.1966" in four
