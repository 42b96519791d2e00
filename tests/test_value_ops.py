"""Every scalar `Value` op, property-tested with hypothesis.

At each generated point (inside the op's domain, away from kinks and poles) an op must
give the right value (against `math`), the closed-form derivative (to 1e-12) from
backward(), and agree with central finite differences (`autograd.gradcheck`, through
`autograd.testing.assert_grad_matches`, which runs on fresh copies of the inputs).
"""
from __future__ import annotations

import math
import operator

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd as ag
from autograd import Value
from autograd.testing import assert_grad_matches, floats_in, values


def close(a: float, b: float, tol: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def check(f, xs, value, grads) -> None:
    """f(*xs) has this value, backward() gives these gradients, and both agree with
    central differences."""
    out = f(*xs)
    assert isinstance(out, Value)
    assert close(out.data, value), (out.data, value)
    out.backward()
    for i, (x, g) in enumerate(zip(xs, grads, strict=True)):
        assert close(x.grad, g), f"input {i}: backward gave {x.grad!r}, closed form {g!r}"
    assert_grad_matches(f, xs)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# ------------------------------------------------------------ unary ops
# name, call, value, derivative, domain
UNARY = [
    ("neg", lambda a: -a, lambda x: -x, lambda x: -1.0, values(-100, 100)),
    ("exp", lambda a: a.exp(), math.exp, math.exp, values(-20, 20)),
    ("log", lambda a: a.log(), math.log, lambda x: 1 / x, values(0.05, 100)),
    ("sqrt", lambda a: a.sqrt(), math.sqrt, lambda x: 0.5 / math.sqrt(x), values(0.05, 100)),
    ("tanh", lambda a: a.tanh(), math.tanh, lambda x: 1 - math.tanh(x) ** 2, values(-10, 10)),
    ("sigmoid", lambda a: a.sigmoid(), sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x)),
     values(-30, 30)),
    ("relu", lambda a: a.relu(), lambda x: max(x, 0.0), lambda x: float(x > 0),
     values(-10, 10, avoid=[0.0], margin=1e-3)),
    ("abs", lambda a: a.abs(), abs, lambda x: math.copysign(1.0, x),
     values(-10, 10, avoid=[0.0], margin=1e-3)),
    ("builtin abs", lambda a: abs(a), abs, lambda x: math.copysign(1.0, x),
     values(-10, 10, avoid=[0.0], margin=1e-3)),
]


@pytest.mark.parametrize("name, call, value, deriv, domain", UNARY, ids=[u[0] for u in UNARY])
@given(data=st.data())
def test_unary_op(name, call, value, deriv, domain, data):
    x = data.draw(domain, label="x")
    check(call, [x], value(x.data), [deriv(x.data)])
    assert call(x).op == name.split()[-1]


MODULE_FUNCTIONS = [
    ("exp", ag.exp, math.exp, values(-20, 20)),
    ("log", ag.log, math.log, values(0.05, 100)),
    ("sqrt", ag.sqrt, math.sqrt, values(0.05, 100)),
    ("tanh", ag.tanh, math.tanh, values(-10, 10)),
    ("sigmoid", ag.sigmoid, sigmoid, values(-30, 30)),
    ("relu", ag.relu, lambda x: max(x, 0.0), values(-10, 10, avoid=[0.0], margin=1e-3)),
    ("abs", ag.abs, abs, values(-10, 10, avoid=[0.0], margin=1e-3)),
]


@pytest.mark.parametrize("name, fn, value, domain", MODULE_FUNCTIONS,
                         ids=[m[0] for m in MODULE_FUNCTIONS])
@given(data=st.data())
def test_module_function_on_values_and_numbers(name, fn, value, domain, data):
    x = data.draw(domain, label="x")
    out = fn(x)
    assert isinstance(out, Value) and out.op == name and out.parents == (x,)
    assert close(out.data, value(x.data))
    assert_grad_matches(fn, [x])
    # On a plain number: a plain float, the same number, no graph.
    raw = fn(x.data)
    assert type(raw) is float and close(raw, value(x.data))


def test_module_functions_on_ints_and_errors():
    assert ag.exp(0) == 1.0 and ag.log(1) == 0.0 and ag.sqrt(9) == 3.0
    assert ag.relu(-2) == 0.0 and ag.abs(-2) == 2.0 and ag.sigmoid(0) == 0.5
    assert ag.tanh(0) == 0.0 and ag.pow(2, 10) == 1024.0
    with pytest.raises(ValueError, match="log"):
        ag.log(0)
    with pytest.raises(ValueError, match="sqrt"):
        ag.sqrt(-1.0)
    with pytest.raises(TypeError, match="exp"):
        ag.exp("1")


@given(floats_in(-3, 3), floats_in(0.1, 3))
def test_module_pow_on_values_and_numbers(b, a):
    x = Value(a)
    check(lambda v: ag.pow(v, b), [x], a ** b, [b * a ** (b - 1)])
    y = Value(b)
    check(lambda v: ag.pow(a, v), [y], a ** b, [a ** b * math.log(a)])


# ------------------------------------------------------------ binary ops, two Values
# name, operator, value, d/da, d/db, domain of a, domain of b
BINARY = [
    ("add", operator.add, operator.add, lambda a, b: 1.0, lambda a, b: 1.0,
     values(-100, 100), values(-100, 100)),
    ("sub", operator.sub, operator.sub, lambda a, b: 1.0, lambda a, b: -1.0,
     values(-100, 100), values(-100, 100)),
    ("mul", operator.mul, operator.mul, lambda a, b: b, lambda a, b: a,
     values(-30, 30), values(-30, 30)),
    ("div", operator.truediv, operator.truediv, lambda a, b: 1 / b, lambda a, b: -a / b ** 2,
     values(-10, 10), values(-10, 10, avoid=[0.0], margin=0.1)),
    ("pow", operator.pow, operator.pow, lambda a, b: b * a ** (b - 1),
     lambda a, b: a ** b * math.log(a), values(0.1, 5), values(-3, 3)),
]


@pytest.mark.parametrize("name, op, value, da, db, dom_a, dom_b", BINARY,
                         ids=[b[0] for b in BINARY])
@given(data=st.data())
def test_binary_op_on_two_values(name, op, value, da, db, dom_a, dom_b, data):
    a, b = data.draw(dom_a, label="a"), data.draw(dom_b, label="b")
    check(op, [a, b], value(a.data, b.data), [da(a.data, b.data), db(a.data, b.data)])
    out = op(a, b)
    assert out.op == name and out.parents == (a, b)


# ------------------------------------------------------------ a Value and a plain number
constants = st.one_of(floats_in(-10, 10), st.integers(-10, 10))
nonzero_constants = st.one_of(floats_in(-10, 10).filter(lambda c: abs(c) >= 0.1),
                              st.integers(-10, 10).filter(bool))

# name, operator, domain of the Value, domain of the constant
WITH_CONSTANT = [
    ("add", operator.add, values(-100, 100), constants, constants),
    ("sub", operator.sub, values(-100, 100), constants, constants),
    ("mul", operator.mul, values(-30, 30), constants, constants),
    ("div", operator.truediv, values(-10, 10, avoid=[0.0], margin=0.1),
     nonzero_constants, constants),
]


@pytest.mark.parametrize("name, op, dom_v, right_consts, left_consts", WITH_CONSTANT,
                         ids=[w[0] for w in WITH_CONSTANT])
@given(data=st.data())
def test_value_op_number_and_number_op_value(name, op, dom_v, right_consts, left_consts, data):
    v = data.draw(dom_v, label="v")
    c = data.draw(right_consts, label="c (v op c)")
    out = op(v, c)
    assert out.op == name and out.parents == (v, float(c)) and type(out.parents[1]) is float
    assert close(out.data, op(v.data, float(c)))
    assert_grad_matches(lambda x: op(x, c), [v])

    k = data.draw(left_consts, label="k (k op v)")
    out = op(k, v)
    assert out.op == name and out.parents == (float(k), v) and type(out.parents[0]) is float
    assert close(out.data, op(float(k), v.data))
    assert_grad_matches(lambda x: op(k, x), [v])


@given(values(0.1, 5), floats_in(-3, 3))
def test_pow_value_to_a_number(v, c):
    check(lambda x: x ** c, [v], v.data ** c, [c * v.data ** (c - 1)])
    assert (v ** c).parents == (v, c)


@given(values(-4, 4, avoid=[0.0], margin=0.1), st.integers(-3, 4))
def test_pow_negative_base_integer_exponent(v, n):
    # v ** 2.0 and friends: a negative base is fine when the exponent is a whole number.
    for exponent in (n, float(n)):
        v = Value(v.data)
        check(lambda x: x ** exponent, [v], v.data ** n,
              [n * v.data ** (n - 1) if n != 0 else 0.0])
        assert isinstance((v ** exponent).data, float)     # never a complex number


@given(floats_in(0.1, 5), values(-3, 3))
def test_pow_number_to_a_value(c, v):
    check(lambda x: c ** x, [v], c ** v.data, [c ** v.data * math.log(c)])
    assert (c ** v).parents == (c, v)


@given(values(-10, 10))
def test_two_to_the_v(v):
    check(lambda x: 2 ** x, [v], 2.0 ** v.data, [2.0 ** v.data * math.log(2.0)])
    out = 2 ** v
    assert out.op == "pow" and out.parents == (2.0, v) and type(out.parents[0]) is float


def test_unary_plus_is_identity():
    v = Value(3.0)
    assert +v is v


# ------------------------------------------------------------ identities
@given(values(-10, 10), values(-10, 10), values(-10, 10))
def test_distributive_law_gradients(a, b, c):
    left = a * b + a * c
    left.backward()
    g1 = (a.grad, b.grad, c.grad)
    a2, b2, c2 = (Value(x.data) for x in (a, b, c))
    right = a2 * (b2 + c2)
    right.backward()
    assert close(left.data, right.data, 1e-9)
    for x, y in zip(g1, (a2.grad, b2.grad, c2.grad), strict=True):
        assert close(x, y)
    assert close(a.grad, b.data + c.data) and close(b.grad, a.data) and close(c.grad, a.data)


@given(values(-10, 10))
def test_tanh_is_a_rescaled_sigmoid(x):
    t = x.tanh()
    t.backward()
    y = Value(x.data)
    s = 2 * (2 * y).sigmoid() - 1
    s.backward()
    assert close(t.data, s.data)
    assert close(x.grad, y.grad)


@given(values(0.01, 100))
def test_exp_of_log_is_identity(x):
    out = x.log().exp()
    out.backward()
    assert close(out.data, x.data, 1e-12)
    assert close(x.grad, 1.0)


@given(values(-10, 10))
def test_log_of_exp_is_identity(x):
    out = x.exp().log()
    out.backward()
    assert close(out.data, x.data) and close(x.grad, 1.0)


@given(values(-20, 20), values(-20, 20))
def test_subtraction_is_adding_the_negation_and_division_is_a_power(a, b):
    d1 = a - b
    d1.backward()
    a2, b2 = Value(a.data), Value(b.data)
    d2 = a2 + (-b2)
    d2.backward()
    assert d1.data == d2.data and (a.grad, b.grad) == (a2.grad, b2.grad) == (1.0, -1.0)
    if abs(b.data) >= 0.1:
        a3, b3, a4, b4 = (Value(x.data) for x in (a, b, a, b))
        q1, q2 = a3 / b3, a4 * b4 ** -1
        q1.backward()
        q2.backward()
        assert close(q1.data, q2.data, 1e-12)
        assert close(a3.grad, a4.grad, 1e-12) and close(b3.grad, b4.grad, 1e-12)


@given(values(-10, 10))
def test_square_three_ways(x):
    ys = [Value(x.data) for _ in range(3)]
    outs = [ys[0] * ys[0], ys[1] ** 2, ys[2] ** 2.0]
    for o in outs:
        o.backward()
    assert close(outs[0].data, outs[1].data) and outs[1].data == outs[2].data
    for y in ys:
        assert close(y.grad, 2 * x.data)


@given(values(-30, 30))
def test_sigmoid_derivative_closed_form(x):
    s = x.sigmoid()
    s.backward()
    assert close(x.grad, s.data * (1 - s.data), 1e-12)
    assert close(s.data, sigmoid(x.data), 1e-12)


@given(values(-10, 10))
def test_tanh_derivative_closed_form(x):
    t = x.tanh()
    t.backward()
    assert close(x.grad, 1 - t.data ** 2, 1e-12)


@pytest.mark.parametrize("x", [-1000.0, -745.0, 745.0, 1000.0])
def test_sigmoid_saturates_without_overflow(x):
    v = Value(x)
    s = v.sigmoid()
    s.backward()
    assert s.data == (1.0 if x > 0 else pytest.approx(0.0, abs=1e-300))
    assert math.isfinite(v.grad) and v.grad == pytest.approx(0.0, abs=1e-300)


# ------------------------------------------------------------ compositions
@given(values(-3, 3), values(0.1, 3), values(-2, 2, avoid=[0.0], margin=0.2))
def test_a_composite_expression(x, y, z):
    assume(abs(x.data - z.data) > 0.01)         # |a - c| has a kink at a = c
    def f(a, b, c):
        return ((a * b).tanh() + b.log() - (c ** 2).sqrt() / b + (a / c).sigmoid()
                + 3 ** (a * 0.5) + (-a).relu() * 0.0 + (a - c).abs().exp() * 0.01)

    assert_grad_matches(f, [x, y, z])


# ------------------------------------------------------------ lincomb: a neuron as one node
@given(st.lists(st.tuples(floats_in(-3, 3), floats_in(-3, 3)), min_size=1, max_size=6),
       floats_in(-3, 3))
def test_lincomb_matches_the_sum_of_products_and_its_gradients(pairs, bias):
    ws = [Value(w) for w, _ in pairs]
    xs = [Value(x) for _, x in pairs]
    b = Value(bias)
    out = ag.lincomb(ws, xs, b)
    assert out.op == "lincomb" and len(out.parents) == 2 * len(pairs) + 1
    exact = math.fsum([w * x for w, x in pairs]) + bias
    assert out.data == exact
    assert_grad_matches(lambda *v: ag.lincomb(v[:len(pairs)], v[len(pairs):-1], v[-1]).tanh(),
                        [*ws, *xs, b])


def test_lincomb_constants_and_errors():
    w, x = Value(2.0), Value(-1.5)
    out = ag.lincomb([w, 3], [x, x], 0.5)          # 2 x + 3 x + 0.5
    out.backward()
    assert out.data == -7.0 and x.grad == 5.0 and w.grad == -1.5
    assert out.parents[1] == 3.0 and out.parents[-1] == 0.5      # constants kept, as floats
    with pytest.raises(ValueError, match="2 weights but 1 inputs"):
        ag.lincomb([w, w], [x])
    with pytest.raises(TypeError, match="lincomb.*str"):
        ag.lincomb([w], ["a"])
