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
    # a node used twice: its gradient is the explicit sum over its uses, each local
    # derivative a partial (∂) and named by the argument it is
    assert ("dc/db = dc/dc * ∂c/∂b (as a) + dc/dc * ∂c/∂b (as b) = 1.00 * 6.00 + 1.00 * 6.00 "
            "= 12.00") in text
    assert ("dc/da = dc/db * ∂b/∂a (as a) + dc/db * ∂b/∂a (as b) = 12.00 * 1.00 + 12.00 * "
            "1.00 = 24.00") in text


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
                 "dy/dx4 = dy/dy * ∂y/∂x4 = 1.00 * -0.53 = -0.53",
                 "dy/dx3 = dy/dx4 * ∂x4/∂x3 = -0.53 * 1.00 = -0.53",
                 "dy/dx2 = dy/dx3 * ∂x3/∂x2 = -0.53 * 0.37 = -0.20",
                 "dy/d(sum) = dy/dx2 * ∂x2/∂(sum) = -0.20 * -1.00 = 0.20",
                 "dy/dx1 = dy/dn2 * ∂n2/∂x1 = 0.20 * -3.00 ≈ -0.59"):
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


def test_rejects_tensors_with_more_than_one_element_at_the_output():
    t = autograd.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="one-element"):
        chain_rule_table(t * t)
    with pytest.raises(TypeError, match="Value or a one-element Tensor"):
        chain_rule_table(3.0)


def test_exports():
    assert autograd.chain_rule_table is chain_rule_table
    assert autograd.format_chain_rule_table is format_chain_rule_table
    assert autograd.sigmoid_circuit is sigmoid_circuit


def test_example_script_prints_the_numbers():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "chain_rule.py"), "--quick"],
                         capture_output=True, text=True, check=True, cwd=ROOT, timeout=60).stdout
    for line in ("dy/dy = 1.00", "= -0.53", "dy/dx3 = dy/dx4 * ∂x4/∂x3 = -0.53 * 1.00 = -0.53",
                 "-0.20", "dy/d(sum) = dy/dx2 * ∂x2/∂(sum) = -0.20 * -1.00 = 0.20",
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


# ---------------------------------------------------------------- issue 15: reads like the lecture
def test_locals_are_partials_and_totals_are_d():
    y, _ = sigmoid_circuit()
    text = format_chain_rule_table(chain_rule_table(y))
    assert "dy/dx4 = dy/dy * ∂y/∂x4 = 1.00 * -0.53 = -0.53" in text
    assert "dy/dy * dy/dx4" not in text
    ascii_text = format_chain_rule_table(chain_rule_table(y), partial="d")
    assert "dy/dx3 = dy/dx4 * dx4/dx3" in ascii_text and "∂" not in ascii_text


def test_products_that_do_not_check_at_two_decimals_are_marked():
    y, _ = sigmoid_circuit()
    text = format_chain_rule_table(chain_rule_table(y))
    assert "dy/dx1 = dy/dn2 * ∂n2/∂x1 = 0.20 * -3.00 ≈ -0.59" in text   # 0.60 from the shown
    assert "dy/dw0 = dy/dn1 * ∂n1/∂w0 = 0.20 * -1.00 = -0.20" in text
    text4 = format_chain_rule_table(chain_rule_table(y), digits=4)
    assert "0.1966 * -3.0000 = -0.5898" in text4                        # checks at 4


def test_power_rule_is_simplified():
    x = Value(3.0, label="x")
    y = x ** 2 + x ** 3 + x ** -1 + x ** 1.5
    by = {r.expression: r for r in chain_rule_table(y)}
    assert by["x ** 2"].node is not None
    x_row = [r for r in chain_rule_table(y) if r.name == "x"][0]
    assert sorted(t.local_formula for t in x_row.terms) == sorted(
        ["2*x", "3*x^2", "-x^(-2)", "1.5*x^0.5"])


def test_rename_and_walkthrough_object():
    y, _ = sigmoid_circuit()
    w = autograd.diagrams.walkthrough(y, names={"n3": "partial_sum"})
    assert "dy/d(partial_sum)" in str(w) and "n3" not in str(w)
    assert "dy/dx4 = dy/dy * dy/dx4" in repr(w)                       # ASCII repr
    page = w._repr_html_()
    assert page.startswith("<table") and "∂x4/∂x3" in page and "<td" in page
    assert page.count("<tr>") == len(w.rows) + 1
    assert w.names[y] == "y"
    src = w.diagram().source
    assert "<B>partial_sum</B>" in src and "<B>n1</B>" in src and "data 0.73<" in src
    with pytest.raises(ValueError, match="no node is named nope"):
        chain_rule_table(y, rename={"nope": "x"})


def test_the_grouped_gate_gives_the_same_gradients():
    y, a = sigmoid_circuit()
    g, b = autograd.diagrams.sigmoid_gate()
    y.backward()
    g.backward()
    for name in a:
        assert a[name].grad == pytest.approx(b[name].grad, abs=1e-15)
    assert len(chain_rule_table(g)) == 10 and len(chain_rule_table(y)) == 13


def test_small_tensor_graphs_get_a_table_too():
    """A small Tensor graph: values, upstream gradients and totals are arrays; the totals are
    backward's gradients."""
    W = autograd.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = autograd.tensor([2.0, 0.5], requires_grad=True)
    x = autograd.tensor([1.0, -1.0])
    y = (W @ x + b).relu().sum()
    rows = chain_rule_table(y, labels={W: "W", b: "b", y: "y"})
    by = {r.name: r for r in rows}
    y.backward(retain_graph=True)
    assert (by["W"].grad == W.grad._data).all() and (by["b"].grad == b.grad._data).all()
    text = str(autograd.diagrams.walkthrough(y, labels={W: "W", b: "b", y: "y"}))
    assert "dy/db = dy/dn2 * ∂n2/∂b = [1.00, 0.00] * [1.00, 1.00] = [1.00, 0.00]" in text
    assert "dy/dW = dy/dn1 * ∂n1/∂W = vjp([1.00, 0.00]) = [[1.00, -1.00], [0.00, 0.00]]" in text
    with pytest.raises(ValueError, match="small tensors"):
        chain_rule_table((autograd.randn(100, requires_grad=True) * 2).sum())
    with pytest.raises(TypeError, match="one-element"):
        chain_rule_table(autograd.randn(3, requires_grad=True) * 2)
