"""`autograd.gradcheck` and `autograd.numerical_grad`."""
from __future__ import annotations

import math

import pytest
from hypothesis import given

import autograd as ag
from autograd import GradcheckError, Value, gradcheck, numerical_grad
from autograd.rules import Rule
from autograd.testing import floats_in, values


# ------------------------------------------------------------ custom rules for the tests
class WrongSquare(Rule):
    """out = a^2 with a wrong derivative: a instead of 2a."""
    name = "wrong_square"
    forward = staticmethod(lambda a: a * a)
    grads = (lambda g, out, a: g * a,)


class SlightlyOffScale(Rule):
    """out = 3a with derivative 3 (1 + 1e-4): off by a relative 1e-4."""
    name = "slightly_off"
    forward = staticmethod(lambda a: 3 * a)
    grads = (lambda g, out, a: g * 3 * (1 + 1e-4),)


class MulWrongSecond(Rule):
    """out = a * b whose second formula has the wrong sign."""
    name = "mul_wrong_second"
    forward = staticmethod(lambda a, b: a * b)
    grads = (lambda g, out, a, b: g * b,
             lambda g, out, a, b: -g * a)


def custom2(rule, a: Value, b: Value) -> Value:
    return rule.apply(a, b)


# ------------------------------------------------------------ passing
def test_passes_on_correct_functions():
    x, y = Value(0.7, label="x"), Value(1.3, label="y")
    assert gradcheck(lambda a: a * a, [x]) is True
    assert gradcheck(lambda a, b: (a * b).tanh() + b.log() - a / b, [x, y]) is True
    assert gradcheck(lambda a, b: a ** b + 2 ** a - (a - b).abs(), (x, y)) is True
    assert gradcheck(lambda a, b: a * 2.0, [x, y]) is True          # b unused: gradient 0
    assert gradcheck(lambda a: a, [x]) is True                        # the input itself
    assert gradcheck(lambda a: Value(4.0), [x]) is True               # a constant


@given(values(-3, 3), values(0.2, 3), values(-2, 2))
def test_passes_on_random_points(x, y, z):
    assert gradcheck(lambda a, b, c: (a * b + c).sigmoid() * b.sqrt() + (a * c).exp(),
                     [x, y, z])


# ------------------------------------------------------------ failing
def test_fails_on_a_function_that_cuts_its_own_graph():
    x = Value(1.5, label="x")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda v: v * v.data, [x])         # backward sees x.data, not 2x
    err = info.value
    assert isinstance(err, AssertionError)
    msg = str(err)
    assert "input 0" in msg and "'x'" in msg
    [m] = err.mismatches
    assert (m.index, m.label, m.analytic) == (0, "x", 1.5)
    assert m.numerical == pytest.approx(3.0, rel=1e-8)
    assert repr(m.analytic) in msg and repr(m.numerical) in msg


def test_fails_on_a_wrong_rule_and_names_every_bad_input():
    a, b = Value(2.0, label="a"), Value(-1.25, label="b")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: custom2(MulWrongSecond, x, y), [a, b])
    msg = str(info.value)
    assert "input 1 ('b')" in msg and "input 0" not in msg     # only b's formula is wrong
    [m] = info.value.mismatches
    assert m.index == 1 and m.analytic == -2.0 and m.numerical == pytest.approx(2.0, rel=1e-8)
    assert "analytic -2.0" in msg and f"numerical {m.numerical!r}" in msg

    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: WrongSquare.apply(x) + WrongSquare.apply(y), [a, b])
    msg = str(info.value)
    assert "input 0 ('a')" in msg and "input 1 ('b')" in msg and "2 of 2 inputs" in msg
    assert [(m.index, m.analytic) for m in info.value.mismatches] == [(0, 2.0), (1, -1.25)]


def test_unlabelled_inputs_are_named_by_index():
    with pytest.raises(GradcheckError, match=r"input 1 \(unlabelled\)"):
        gradcheck(lambda x, y: x + WrongSquare.apply(y), [Value(1.0), Value(3.0)])


def test_tolerances_are_applied():
    x = Value(2.0, label="x")
    f = lambda v: SlightlyOffScale.apply(v)     # relative error 1e-4
    assert gradcheck(f, [x])                      # default rtol 1e-3
    with pytest.raises(GradcheckError):
        gradcheck(f, [x], rtol=1e-5)
    assert gradcheck(f, [x], rtol=0.0, atol=1e-3)
    with pytest.raises(GradcheckError):
        gradcheck(f, [x], rtol=0.0, atol=1e-5)


def test_a_nan_gradient_fails():
    class NanGrad(Rule):
        name = "nan_grad"
        forward = staticmethod(lambda a: a)
        grads = (lambda g, out, a: math.nan,)

    with pytest.raises(GradcheckError, match="nan"):
        gradcheck(lambda v: NanGrad.apply(v), [Value(1.0)])


# ------------------------------------------------------------ leaves the caller's state alone
def test_does_not_touch_data_or_grad():
    x, y = Value(0.5, label="x"), Value(2.0, label="y")
    w = Value(3.0, label="w")                  # a value f closes over
    x.grad, y.grad, w.grad = 7.0, -1.0, 0.25
    assert gradcheck(lambda a, b: a * b * w + w.tanh(), [x, y])
    with pytest.raises(GradcheckError):
        gradcheck(lambda a, b: a * b.data * w, [x, y])
    assert (x.data, y.data, w.data) == (0.5, 2.0, 3.0)
    assert (x.grad, y.grad, w.grad) == (7.0, -1.0, 0.25)


def test_inputs_that_are_interior_nodes_are_treated_as_leaves():
    a = Value(1.2)
    b = a * a
    b.grad = 5.0
    assert gradcheck(lambda v: v.exp(), [b])
    assert b.grad == 5.0 and a.grad == 0.0


# ------------------------------------------------------------ numerical_grad
@given(values(-3, 3), values(-3, 3))
def test_numerical_grad_matches_closed_forms(x, y):
    before = (x.data, y.data)
    n = numerical_grad(lambda a, b: a * b * b + a.exp(), [x, y])
    assert (x.data, y.data) == before and x.grad == 0.0 and y.grad == 0.0
    assert n[0] == pytest.approx(y.data ** 2 + math.exp(x.data), rel=1e-6, abs=1e-6)
    assert n[1] == pytest.approx(2 * x.data * y.data, rel=1e-6, abs=1e-6)


@given(floats_in(-5, 5), floats_in(-5, 5), floats_in(-5, 5))
def test_central_differences_are_exact_for_quadratics(a, b, x):
    # (f(x+e) - f(x-e)) / 2e = 2 a x + b exactly for f = a x^2 + b x (up to rounding).
    [n] = numerical_grad(lambda v: a * v * v + b * v, [Value(x)])
    assert n == pytest.approx(2 * a * x + b, abs=1e-7)


def test_numerical_grad_eps():
    [n] = numerical_grad(lambda v: v ** 3, [Value(1.0)], eps=1e-2)
    assert n == pytest.approx(3 + 1e-4, rel=1e-10)      # 3x^2 + eps^2 (the O(eps^2) term)
    assert isinstance(n, float)


def test_numerical_grad_names_the_point_where_f_is_undefined():
    with pytest.raises(ValueError, match="input 0"):
        numerical_grad(lambda v: v.log(), [Value(1e-7)])


# ------------------------------------------------------------ bad arguments
@pytest.mark.parametrize("check", [gradcheck, numerical_grad])
def test_bad_arguments(check):
    x = Value(1.0)
    with pytest.raises(TypeError, match="must return a Value"):
        check(lambda v: v.data * 2, [x])
    with pytest.raises(ValueError, match="empty"):
        check(lambda: Value(1.0), [])
    with pytest.raises(TypeError, match=r"inputs\[1\] must be an autograd.Value.*float"):
        check(lambda a, b: a * b, [x, 2.0])
    with pytest.raises(TypeError, match=r"list or tuple of Values.*\[x\]"):
        check(lambda v: v, x)
    with pytest.raises(TypeError, match="callable"):
        check(3.0, [x])
    with pytest.raises(TypeError, match="autograd.Value.*Tensor"):     # no mixing
        check(lambda v, t: t.sum(), [x, ag.tensor([1.0, 2.0], requires_grad=True)])
    with pytest.raises(ValueError, match="eps"):
        check(lambda v: v, [x], eps=0.0)


def test_bad_tolerances():
    with pytest.raises(ValueError, match="atol"):
        gradcheck(lambda v: v, [Value(1.0)], atol=-1.0)
    with pytest.raises(ValueError, match="rtol"):
        gradcheck(lambda v: v, [Value(1.0)], rtol=math.nan)


def test_exports():
    assert ag.gradcheck is gradcheck and ag.numerical_grad is numerical_grad
    assert issubclass(ag.GradcheckError, AssertionError)
    for name in ("gradcheck", "numerical_grad", "GradcheckError"):
        assert name in ag.__all__
