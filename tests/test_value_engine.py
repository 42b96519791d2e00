"""The engine as seen through `Value`: depth, memory, accumulation, graph structure, errors."""
from __future__ import annotations

import gc
import math
import weakref

import pytest
from hypothesis import given

from autograd import Value
from autograd.testing import values


# ------------------------------------------------------------ depth and memory
def test_a_million_op_chain_backpropagates():
    # y_k = -(-(y_{k-1} * 1)) + x: four ops per step, so dy/dx = steps + 1 exactly.
    steps = 250_000
    x = Value(0.5, label="x")
    y = x
    for _ in range(steps):
        z = -(y * 1.0)
        y = -z + x
    assert y.data == pytest.approx(0.5 * (steps + 1))
    y.backward()                                   # iterative: no RecursionError
    assert x.grad == steps + 1.0
    y.backward()                                   # a Value graph can be walked again
    assert x.grad == 2 * (steps + 1.0)


def _graph_with_interior_refs():
    a, b = Value(1.5, label="a"), Value(-0.5, label="b")
    c = a * b
    d = c.tanh() + a
    e = (d * c).sigmoid() / (b ** 2)
    return e, [weakref.ref(n) for n in (c, d, e)], (a, b)


@pytest.mark.parametrize("run_backward", [False, True])
def test_graph_is_freed_by_reference_counting_alone(run_backward):
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        root, refs, leaves = _graph_with_interior_refs()
        if run_backward:
            root.backward()
            assert leaves[0].grad != 0.0
        assert all(r() is not None for r in refs)
        del root
        assert [r() for r in refs] == [None, None, None], "a reference cycle keeps nodes alive"
    finally:
        if was_enabled:
            gc.enable()


# ------------------------------------------------------------ accumulation
def test_leaves_accumulate_interior_nodes_hold_the_latest_backward():
    a = Value(2.0)
    b = a * a              # db/da = 2a = 4
    c = b * 3.0            # dc/db = 3
    c.backward()
    assert (a.grad, b.grad, c.grad) == (12.0, 3.0, 1.0)
    c.backward()
    assert a.grad == 24.0              # leaves: summed over backward calls (PyTorch)
    assert (b.grad, c.grad) == (3.0, 1.0)   # interior: this call's gradient only
    b.backward()                       # another root in the same graph
    assert a.grad == 28.0 and b.grad == 1.0
    a.grad = 0.0                       # reset between steps
    c.backward(gradient=0.5)
    assert a.grad == 6.0 and b.grad == 1.5


def test_separate_losses_sum_into_shared_leaves():
    w = Value(3.0)
    (w * 2.0).backward()
    (w * w).backward()
    assert w.grad == 2.0 + 6.0


@given(values(-10, 10))
def test_a_node_used_twice_gets_the_sum_over_paths(a):
    b = a + a
    c = b * b              # c = 4 a^2
    c.backward()
    assert b.grad == 2 * b.data
    assert a.grad == pytest.approx(8 * a.data, rel=1e-12, abs=1e-12)


def test_diamond_graph():
    x = Value(0.3)
    y = x.exp()
    z = y * x.tanh() + y.log()     # e^x tanh x + x
    z.backward()
    expected = math.exp(0.3) * math.tanh(0.3) + math.exp(0.3) * (1 - math.tanh(0.3) ** 2) + 1
    assert x.grad == pytest.approx(expected, rel=1e-12)


# ------------------------------------------------------------ graph structure
def test_inputs_are_kept_in_argument_order_and_constants_as_floats():
    a, b = Value(1.0), Value(2.0)
    assert (a - b)._parents == (a, b) and (b - a)._parents == (b, a)
    assert (a / b).parents == (a, b) and (b ** a).parents == (b, a)
    for out, expected in (((a - 2), (a, 2.0)), ((2 - a), (2.0, a)), ((a * 3), (a, 3.0)),
                          ((3 / a), (3.0, a)), ((2 ** a), (2.0, a)), ((a ** 2), (a, 2.0))):
        assert out.parents == expected
        const = [p for p in out.parents if p is not a]
        assert len(const) == 1 and type(const[0]) is float
    assert a.exp().parents == (a,) and a.parents == ()


def test_op_names():
    a, b = Value(2.0), Value(3.0)
    ops = {"add": a + b, "sub": a - b, "mul": a * b, "div": a / b, "pow": a ** b,
           "neg": -a, "exp": a.exp(), "log": a.log(), "sqrt": a.sqrt(), "tanh": a.tanh(),
           "sigmoid": a.sigmoid(), "relu": a.relu(), "abs": a.abs()}
    for name, node in ops.items():
        assert node.op == name and not node.is_leaf
    assert a.op == "" and a.is_leaf
    assert (1 + a).op == "add" and (1 - a).op == "sub" and (2 * a).op == "mul"
    assert (1 / a).op == "div" and abs(a).op == "abs"


def test_repr_is_readable():
    x = Value(2.0, label="x")
    assert repr(x) == "Value(data=2.0, grad=0.0, label='x')"
    y = x * 3
    y.backward()
    r = repr(y)
    assert r.startswith("Value(") and "data=6.0" in r and "grad=1.0" in r and "op='mul'" in r
    assert "\n" not in r and "label" not in r
    assert float(y) == 6.0


# ------------------------------------------------------------ bad input
@pytest.mark.parametrize("bad", ["x", None, 1 + 2j, [1.0], "1.0"])
def test_value_rejects_non_real_data(bad):
    with pytest.raises(TypeError, match="real number"):
        Value(bad)


@pytest.mark.parametrize("x", [0.0, -1.0, -1e-300])
def test_log_outside_its_domain(x):
    with pytest.raises(ValueError, match="log"):
        Value(x).log()


@pytest.mark.parametrize("x", [-1.0, -1e-300])
def test_sqrt_of_a_negative_number(x):
    with pytest.raises(ValueError, match="sqrt"):
        Value(x).sqrt()


@pytest.mark.parametrize("make", [lambda: Value(1.0) / 0, lambda: Value(1.0) / 0.0,
                                  lambda: Value(1.0) / Value(0), lambda: 1 / Value(0),
                                  lambda: Value(0.0) / Value(0.0)],
                         ids=["v/0", "v/0.0", "v/Value(0)", "1/Value(0)", "0/0"])
def test_division_by_zero(make):
    with pytest.raises(ZeroDivisionError, match="div"):
        make()


@pytest.mark.parametrize("make", [lambda: Value(-8.0) ** 0.5, lambda: Value(-8.0) ** Value(1 / 3),
                                  lambda: (-8) ** Value(0.5), lambda: Value(-1e-9) ** 2.5])
def test_negative_base_to_a_non_integer_power_is_an_error_not_a_complex(make):
    with pytest.raises(ValueError, match="pow"):
        make()


def test_zero_to_a_negative_power():
    with pytest.raises(ZeroDivisionError, match="pow"):
        Value(0) ** -1
    with pytest.raises(ZeroDivisionError, match="pow"):
        Value(0.0) ** Value(-0.5)


def test_exponent_gradient_needs_a_positive_base():
    # (-2) ** 2.0 is fine forward, but d/db a^b = a^b ln a has no real value at a = -2.
    a, b = Value(-2.0), Value(2.0)
    out = a ** b
    assert out.data == 4.0
    with pytest.raises(ValueError, match="pow"):
        out.backward()


def test_sqrt_at_zero_has_an_infinite_derivative():
    # Documented IEEE behaviour (as PyTorch): inf, not a ZeroDivisionError.
    x = Value(0.0)
    y = x.sqrt()
    assert y.data == 0.0
    y.backward()
    assert x.grad == math.inf


def test_exp_overflows_to_inf():
    x = Value(1000.0)
    y = x.exp()
    assert y.data == math.inf
    y.backward()
    assert x.grad == math.inf


def test_kinks_use_zero_at_zero():
    for op in (Value.relu, Value.abs):
        x = Value(0.0)
        op(x).backward()
        assert x.grad == 0.0


def test_pow_overflow_is_signed_inf():
    assert (Value(10.0) ** 400).data == math.inf
    assert (Value(-10.0) ** 401).data == -math.inf
    assert (Value(-10.0) ** 400).data == math.inf


# ------------------------------------------------------------ known bugs (see the report)
def test_pow_one_half_at_zero_has_an_infinite_derivative_like_sqrt():
    x = Value(0.0)
    (x ** 0.5).backward()
    assert x.grad == math.inf


def test_zero_power_has_zero_derivative_at_zero():
    x = Value(0.0)
    (x ** 0).backward()
    assert x.grad == 0.0
