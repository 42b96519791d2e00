"""The registry of elementwise rules (`rules.ELEMENTWISE`) against everything made from it:
every rule is a method of Value and of Tensor, an `autograd.NAME` function and a formula
function (or operator), each recording that very rule; and every rule passes gradcheck
through Value and through Tensor."""
from __future__ import annotations

import operator

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, gradcheck, gradgradcheck
from autograd import rules as R
from autograd.cli.formula import _BINARY, FUNCTIONS, build

# Where each rule is smooth, for the checks (the default: (-2, 2) away from 0). A new rule
# whose gradcheck fails here needs its domain listed.
DOMAINS = {"log": (0.2, 3.0), "log1p": (-0.8, 3.0), "sqrt": (0.2, 3.0), "div": (0.5, 2.0),
           "pow": (0.5, 2.0), "asin": (-0.9, 0.9), "acos": (-0.9, 0.9), "atanh": (-0.9, 0.9),
           "acosh": (1.2, 3.0), "log2": (0.2, 3.0), "log10": (0.2, 3.0), "rsqrt": (0.2, 3.0),
           "reciprocal": (0.5, 2.0), "erfinv": (-0.9, 0.9), "fmod": (0.3, 2.0),
           "remainder": (0.3, 2.0), "tan": (-1.2, 1.2), "round": (0.6, 1.4)}
OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
             "**": operator.pow}
RULES = [pytest.param(r, id=r.name) for r in R.ELEMENTWISE]


def _parser_takes_two_arguments() -> bool:
    try:
        build("atan2(x, y)", {"x": 1.0, "y": 2.0})
    except Exception:
        return False
    return True


# Rules of two or more inputs without an operator symbol are formula functions (atan2(x, y))
# once the formula parser accepts functions of several arguments; until then they xfail.
FORMULA_RULES = [
    pytest.param(r, id=r.name, marks=pytest.mark.xfail(
        len(r.grads) > 1 and r.symbol is None and not _parser_takes_two_arguments(),
        reason="the formula parser does not take functions of several arguments yet",
        strict=True))
    for r in R.ELEMENTWISE]


def points(rule, n, seed=0):
    lo, hi = DOMAINS.get(rule.name, (-2.0, 2.0))
    rng = np.random.default_rng(seed)
    x = rng.uniform(lo, hi, n)
    return np.where(np.abs(x) < 0.1, 0.5, x)       # keep away from kinks at 0


def arity(rule):
    return len(rule.grads)


def apply_method(rule, *xs):
    """The rule through the classes' own spelling: an operator, or the named method."""
    if rule.symbol is not None and arity(rule) == 2:
        return OPERATORS[rule.symbol](*xs)
    if rule.symbol == "-" and arity(rule) == 1:
        return -xs[0]
    return getattr(xs[0], rule.name)(*xs[1:])


def test_the_registry_lists_every_elementwise_rule_once():
    assert len(set(R.ELEMENTWISE)) == len(R.ELEMENTWISE)
    defined = {v for v in vars(R).values()
               if isinstance(v, type) and issubclass(v, R.Elementwise) and v is not R.Elementwise}
    assert defined == set(R.ELEMENTWISE)
    assert len({r.name for r in R.ELEMENTWISE}) == len(R.ELEMENTWISE)


@pytest.mark.parametrize("rule", RULES)
def test_value_and_tensor_methods_record_the_rule(rule):
    xs = points(rule, arity(rule))
    v = apply_method(rule, *[Value(x) for x in xs])
    t = apply_method(rule, *[autograd.tensor([x], requires_grad=True) for x in xs])
    assert v._rule is rule and t._rule is rule
    assert isinstance(v, Value) and isinstance(t, Tensor)
    if arity(rule) == 1:      # a named method too, with the rule's name
        assert getattr(Value(xs[0]), rule.name)()._rule is rule
        assert getattr(autograd.tensor(xs[0], requires_grad=True), rule.name)()._rule is rule
    assert getattr(Value, rule.name).__doc__, f"Value.{rule.name} has no docstring"


@pytest.mark.parametrize("rule", RULES)
def test_autograd_function_records_the_rule(rule):
    fn = getattr(autograd, rule.name)
    assert rule.name in autograd.__all__
    xs = points(rule, arity(rule))
    assert fn(*[Value(x) for x in xs])._rule is rule
    assert fn(*[autograd.tensor([x], requires_grad=True) for x in xs])._rule is rule
    raw = fn(*[float(x) for x in xs])               # on plain numbers: the plain result
    assert isinstance(raw, float) and raw == pytest.approx(float(rule.forward(*xs)))


@pytest.mark.parametrize("rule", FORMULA_RULES)
def test_the_formula_command_knows_the_rule(rule):
    xs = points(rule, arity(rule))
    if arity(rule) == 1 and rule.symbol is None:
        assert FUNCTIONS[rule.name] is rule
        out, _ = build(f"{rule.name}(x)", {"x": xs[0]})
    elif arity(rule) == 1:
        out, _ = build(f"{rule.symbol}x", {"x": xs[0]})
    elif rule.symbol is None:       # a function of two or more inputs: atan2(x, y)
        names = "xyzw"[:arity(rule)]
        out, _ = build(f"{rule.name}({', '.join(names)})",
                       {n: x for n, x in zip(names, xs)})
    else:
        assert _BINARY[rule.symbol] is rule
        out, _ = build(f"x {rule.symbol} y", {"x": xs[0], "y": xs[1]})
    assert out._rule is rule


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_passes_gradcheck_through_value_and_tensor(rule):
    xs = points(rule, arity(rule), seed=1)
    f = lambda *a: apply_method(rule, *a)
    assert gradcheck(f, [Value(x) for x in xs])
    shape = (2, 3)
    ts = [autograd.tensor(points(rule, 6, seed=2 + i).reshape(shape), requires_grad=True)
          for i in range(arity(rule))]
    assert gradcheck(f, ts)
    assert gradgradcheck(f, ts)
