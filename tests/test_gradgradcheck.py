"""Second derivatives of every op: gradgradcheck (backward through backward, create_graph=True)
against central differences of the first derivatives, over hypothesis-generated inputs."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import GradcheckError, Value, gradcheck, gradgradcheck
from autograd import rules as R
from autograd.tensor_ops import mse_loss

away = st.floats(0.3, 2.0)
signed = st.floats(-2.0, 2.0).filter(lambda v: abs(v) > 0.2)

VALUE_OPS = {
    "add": (lambda a, b: a + b, [signed, signed]),
    "sub": (lambda a, b: a - b, [signed, signed]),
    "mul": (lambda a, b: a * b, [signed, signed]),
    "div": (lambda a, b: a / b, [signed, signed]),
    "pow const": (lambda a: a ** 3.5, [away]),
    "pow value": (lambda a, b: a ** b, [away, signed]),
    "rpow": (lambda b: 2.0 ** b, [signed]),
    "neg": (lambda a: -a, [signed]),
    "exp": (lambda a: a.exp(), [signed]),
    "log": (lambda a: a.log(), [away]),
    "sqrt": (lambda a: a.sqrt(), [away]),
    "tanh": (lambda a: a.tanh(), [signed]),
    "sigmoid": (lambda a: a.sigmoid(), [signed]),
    "relu": (lambda a: a.relu() * a, [signed]),
    "abs": (lambda a: a.abs() * a, [signed]),
    "lincomb": (lambda a, b, c: ag.lincomb([a, b], [b, c], a), [signed, signed, signed]),
}


@pytest.mark.parametrize("name", list(VALUE_OPS))
@settings(deadline=None, max_examples=25)
@given(data=st.data())
def test_value_second_derivatives(name, data):
    f, domains = VALUE_OPS[name]
    xs = [Value(data.draw(d)) for d in domains]
    # multiply by a smooth function of the inputs, so that second derivatives are nonzero
    assert gradgradcheck(lambda *v: f(*v) * (v[0] * 0.7).tanh(), xs, atol=1e-5, rtol=1e-3)


def arr(rng, shape, lo=-2.0, hi=2.0, away_from_zero=False):
    a = rng.uniform(lo, hi, shape)
    if away_from_zero:
        a = np.where(np.abs(a) < 0.2, 0.7, a)          # off the kinks at 0 and +-0.5
    return ag.tensor(a, requires_grad=True)


TENSOR_OPS = {
    "add broadcast": (lambda a, b: a + b, [(2, 3), (3,)]),
    "sub broadcast": (lambda a, b: a - b, [(2, 1), (1, 3)]),
    "mul broadcast": (lambda a, b: a * b, [(2, 3), (2, 1)]),
    "div": (lambda a, b: a / b, [(2, 3), ("pos", (2, 3))]),
    "pow": (lambda a, b: a ** b, [("pos", (2, 2)), (2, 2)]),
    "pow const": (lambda a: a ** 3, [(2, 3)]),
    "neg": (lambda a: -a, [(3,)]),
    "exp": (lambda a: a.exp(), [(2, 2)]),
    "log": (lambda a: a.log(), [("pos", (2, 2))]),
    "sqrt": (lambda a: a.sqrt(), [("pos", (3,))]),
    "tanh": (lambda a: a.tanh(), [(2, 2)]),
    "sigmoid": (lambda a: a.sigmoid(), [(2, 2)]),
    "relu": (lambda a: a.relu() * a, [("nz", (2, 3))]),
    "abs": (lambda a: a.abs() * a, [("nz", (2, 3))]),
    "clamp": (lambda a: a.clamp(-0.5, 0.5) * a, [("nz", (2, 3))]),
    "maximum": (lambda a, b: ag.maximum(a, b) * a, [(2, 3), (3,)]),
    "minimum": (lambda a, b: ag.minimum(a, b) * b, [(2, 3), (2, 3)]),
    "sum dim": (lambda a: a.sum(dim=1, keepdim=True) * a, [(2, 3)]),
    "mean": (lambda a: a.mean(dim=0) ** 2, [(2, 3)]),
    "max dim": (lambda a: a.max(dim=1).values ** 2, [(2, 3)]),
    "min": (lambda a: a.min() * a, [(2, 3)]),
    "matmul": (lambda a, b: (a @ b).tanh(), [(2, 3), (3, 2)]),
    "matmul batched": (lambda a, b: (a @ b) ** 2, [(2, 2, 3), (3, 2)]),
    "mv": (lambda a, b: ag.mv(a, b) ** 2, [(2, 3), (3,)]),
    "mm": (lambda a, b: ag.mm(a, b).sigmoid(), [(2, 3), (3, 2)]),
    "dot": (lambda a, b: ag.dot(a, b) ** 2, [(3,), (3,)]),
    "linear": (lambda x, w, b: ag.linear(x, w, b).tanh(), [(2, 3), (2, 3), (2,)]),
    "reshape/view": (lambda a: a.reshape(3, 2).view(6) ** 2, [(2, 3)]),
    "transpose/permute": (lambda a: a.transpose(0, 1).permute(1, 0) * a, [(2, 3)]),
    "squeeze/unsqueeze": (lambda a: a.unsqueeze(0).squeeze(0) ** 3, [(2, 3)]),
    "expand": (lambda a: a.expand(2, 3) * a, [(1, 3)]),
    "index basic": (lambda a: a[0, 1:] ** 2, [(2, 3)]),
    "index repeated": (lambda a: a[[0, 0, 1]] ** 2, [(3,)]),
    "index mask": (lambda a: a[a > 0] ** 3, [("nz", (2, 3))]),
    "cat": (lambda a, b: ag.cat([a, b], dim=0) ** 2, [(1, 3), (2, 3)]),
    "stack": (lambda a, b: ag.stack([a, b], dim=1).tanh(), [(3,), (3,)]),
    "where": (lambda a, b: ag.where(a > 0, a * b, b ** 2), [("nz", (2, 3)), (2, 3)]),
    "mse_loss": (lambda a, b: mse_loss(a, b) * a, [(2, 2), (2, 2)]),
}


@pytest.mark.parametrize("name", list(TENSOR_OPS))
@settings(deadline=None, max_examples=8)
@given(seed=st.integers(0, 2**32 - 1))
def test_tensor_second_derivatives(name, seed):
    f, specs = TENSOR_OPS[name]
    rng = np.random.default_rng(seed)
    xs = []
    for spec in specs:
        kind, shape = spec if isinstance(spec[0], str) else ("any", spec)
        if kind == "pos":
            xs.append(arr(rng, shape, 0.3, 2.0))
        else:
            xs.append(arr(rng, shape, away_from_zero=(kind == "nz")))
    assert gradgradcheck(f, xs, atol=1e-5, rtol=1e-3, seed=seed % 1000)


def test_a_rule_that_cuts_its_own_graph_fails_gradgradcheck_but_not_gradcheck(monkeypatch):
    # d/dx tanh x = 1 - tanh^2 x, computed on raw data: right first derivative, but the
    # second derivative would be lost (the formula is a constant to the second backward).
    monkeypatch.setattr(R.Tanh, "grads", (lambda g, out, a: g * (1 - R.data_of(out) ** 2),))
    x = Value(0.4)
    assert gradcheck(lambda v: v.tanh(), [x])
    with pytest.raises(GradcheckError, match="input 0"):
        gradgradcheck(lambda v: v.tanh(), [x])
    t = ag.tensor([0.4, -0.3], requires_grad=True)
    with pytest.raises(GradcheckError, match="element"):
        gradgradcheck(lambda v: v.tanh(), [t])


def test_gradgradcheck_rejects_mixed_or_bad_inputs():
    with pytest.raises(TypeError, match="all Values or all Tensors"):
        gradgradcheck(lambda a, b: a, [Value(1.0), ag.tensor([1.0], requires_grad=True)])
    with pytest.raises(ValueError, match="grad_outputs"):
        gradgradcheck(lambda a: a * 2, [ag.tensor([1.0, 2.0], requires_grad=True)],
                      grad_outputs=np.ones(3))
