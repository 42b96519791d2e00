"""The activation functions (nn.functional) and modules (nn.activation) against PyTorch:
values and gradients (float64, rtol 1e-10, including at the kinks), node names, second
derivatives, float32, inplace=, and the modules' reprs."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn.activation as A
import nn.functional as F
from autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RTOL = 1e-10
KINKS = np.array([-6.0, -3.0, -1.0, -0.0, 0.0, 1.0, 3.0, 6.0, 20.0, 25.0, -20.0, 1e-8, -1e-8])

# name: (ours, torch's, twice differentiable)
CASES = {
    "leaky_relu": (F.leaky_relu, TF.leaky_relu, False),
    "leaky_relu_0.2": (lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2), False),
    "elu": (F.elu, TF.elu, False),
    "elu_2": (lambda x: F.elu(x, alpha=2.0), lambda x: TF.elu(x, alpha=2.0), False),
    "selu": (F.selu, TF.selu, False),
    "celu": (F.celu, TF.celu, False),
    "celu_0.5": (lambda x: F.celu(x, 0.5), lambda x: TF.celu(x, 0.5), False),
    "gelu": (F.gelu, TF.gelu, True),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x: TF.gelu(x, approximate="tanh"), True),
    "silu": (F.silu, TF.silu, True),
    "mish": (F.mish, TF.mish, True),
    "softplus": (F.softplus, TF.softplus, True),
    "softplus_2_5": (lambda x: F.softplus(x, beta=2, threshold=5),
                     lambda x: TF.softplus(x, beta=2, threshold=5), False),
    "softsign": (F.softsign, TF.softsign, False),
    "hardtanh": (F.hardtanh, TF.hardtanh, False),
    "hardtanh_-2_3": (lambda x: F.hardtanh(x, -2.0, 3.0), lambda x: TF.hardtanh(x, -2.0, 3.0),
                      False),
    "relu6": (F.relu6, TF.relu6, False),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid, False),
    "hardswish": (F.hardswish, TF.hardswish, False),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid, True),
}


# gelu's tanh form at x < -5: 1 + tanh(inner) cancels, and PyTorch's tanh differs from numpy's
# in the last bit there (1 + tanh is 0 or 1.1e-16): an absolute tolerance of a few dozen ulps of 1
ATOL = {"gelu_tanh": 1e-14}


def compare(ours, theirs, a, rtol=RTOL, atol=1e-300):
    x = autograd.tensor(a.copy(), requires_grad=True)
    t = torch.tensor(a.copy(), requires_grad=True)
    out, ref = ours(x), theirs(t)
    assert out.shape == tuple(ref.shape) and str(out.dtype) == str(ref.dtype)[6:]
    assert out.grad_fn.name() == ref.grad_fn.name()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=rtol,
                               atol=atol)
    u = np.random.default_rng(1).uniform(0.5, 1.5, out.shape).astype(a.dtype)
    out.backward(autograd.tensor(u))
    ref.backward(torch.tensor(u))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol)
    return x, t


shapes = st.sampled_from([(), (1,), (4,), (2, 3), (0,), (3, 0, 2)])
values = st.floats(-30, 30, allow_nan=False) | st.sampled_from(list(KINKS))


@pytest.mark.parametrize("name", list(CASES))
@settings(max_examples=15)
@given(data=st.data())
def test_activation_matches_torch(name, data):
    shape = data.draw(shapes)
    n = int(np.prod(shape))
    a = np.array(data.draw(st.lists(values, min_size=n, max_size=n)), dtype=np.float64)
    ours, theirs, _ = CASES[name]
    compare(ours, theirs, a.reshape(shape), atol=ATOL.get(name, 1e-300))


@pytest.mark.parametrize("name", list(CASES))
def test_activation_at_the_kinks_and_extremes(name):
    ours, theirs, _ = CASES[name]
    compare(ours, theirs, np.concatenate([KINKS, [-800.0, 800.0, -40.0, 40.0, -7.1886]]),
            atol=ATOL.get(name, 1e-300))


@pytest.mark.parametrize("name", list(CASES))
def test_activation_in_float32(name):
    ours, theirs, _ = CASES[name]
    a = np.random.default_rng(2).uniform(-8, 8, 40).astype(np.float32)
    x, _ = compare(ours, theirs, a, rtol=2e-6, atol=2e-6)   # float32 erf, exp differ in ulps
    assert x.grad.dtype == autograd.float32


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c[2]])
def test_second_derivatives_match_torch(name):
    ours, theirs, _ = CASES[name]
    a = np.linspace(-4, 4, 9) + 0.05
    x = autograd.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    (g,) = autograd.grad(ours(x).sum(), [x], create_graph=True)
    (tg,) = torch.autograd.grad(theirs(t).sum(), [t], create_graph=True)
    (gg,) = autograd.grad((g * g).sum(), [x])
    (tgg,) = torch.autograd.grad((tg * tg).sum(), [t])
    np.testing.assert_allclose(gg.numpy(), tgg.numpy(), rtol=1e-9, atol=1e-300)
    assert gradgradcheck(ours, [autograd.tensor(a, requires_grad=True)])


@pytest.mark.parametrize("name", ["elu", "selu", "celu", "leaky_relu", "softsign", "hardswish"])
def test_piecewise_second_derivatives_away_from_the_kinks(name):
    ours, theirs, _ = CASES[name]
    a = np.array([-2.5, -1.3, -0.4, 0.4, 1.3, 2.5])
    assert gradcheck(ours, [autograd.tensor(a, requires_grad=True)])
    assert gradgradcheck(ours, [autograd.tensor(a, requires_grad=True)])


@pytest.mark.parametrize("dim", [0, 1, -1, 2])
def test_glu_matches_torch(dim):
    a = np.random.default_rng(3).normal(size=(4, 6, 2))
    compare(lambda x: F.glu(x, dim), lambda x: TF.glu(x, dim), a)
    assert gradgradcheck(lambda x: F.glu(x, dim), [autograd.tensor(a, requires_grad=True)])


def test_glu_errors():
    with pytest.raises(RuntimeError, match="even"):
        F.glu(autograd.randn(3, 5))
    with pytest.raises(IndexError, match="dim"):
        F.glu(autograd.randn(2, 4), dim=2)
    with pytest.raises(RuntimeError, match="scalars"):
        F.glu(autograd.tensor(1.0))


def test_bad_arguments():
    x = autograd.randn(3)
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(x, approximate="erf")
    with pytest.raises(ValueError, match="min_val"):
        F.hardtanh(x, 2.0, 1.0)
    with pytest.raises(ValueError, match="min_val"):
        A.Hardtanh(2.0, 1.0)
    with pytest.raises(TypeError, match="Tensor"):
        F.silu([1.0, 2.0])
    with pytest.raises(RuntimeError, match="floating point"):
        F.elu(autograd.tensor([1, 2]))


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "selu", "celu", "silu", "mish",
                                  "hardtanh", "relu6", "hardsigmoid", "hardswish"])
def test_inplace_changes_the_input_and_keeps_the_graph_as_torch(name):
    fn, tfn = getattr(F, name), getattr(TF, name)
    a = np.array([-2.0, -0.5, 0.5, 2.0, 7.0])
    x = autograd.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    h, th = x * 1.5, t * 1.5
    out, ref = fn(h, inplace=True), tfn(th, inplace=True)
    assert out is h
    np.testing.assert_allclose(h.detach().numpy(), th.detach().numpy(), rtol=RTOL)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=RTOL)
    with pytest.raises(RuntimeError):             # a leaf that requires grad, as in PyTorch
        fn(autograd.tensor(a, requires_grad=True), inplace=True)
    plain = autograd.tensor(a)
    fn(plain, inplace=True)
    np.testing.assert_allclose(plain.numpy(), tfn(torch.tensor(a)).numpy(), rtol=RTOL)


MODULES = [
    ("LeakyReLU", (), {}), ("LeakyReLU", (0.2, True), {}), ("ELU", (), {}),
    ("ELU", (), {"alpha": 0.5, "inplace": True}), ("SELU", (), {}), ("SELU", (True,), {}),
    ("CELU", (), {}), ("CELU", (2.0,), {}), ("GELU", (), {}), ("GELU", ("tanh",), {}),
    ("SiLU", (), {}), ("SiLU", (True,), {}), ("Mish", (), {}), ("Softplus", (), {}),
    ("Softplus", (2, 10), {}), ("Softsign", (), {}), ("Hardtanh", (), {}),
    ("Hardtanh", (-2, 3), {}), ("Hardtanh", (-2.5, 3.5, True), {}), ("ReLU6", (), {}),
    ("ReLU6", (True,), {}), ("Hardsigmoid", (), {}), ("Hardswish", (True,), {}),
    ("LogSigmoid", (), {}), ("GLU", (), {}), ("GLU", (0,), {}), ("Softmax", (1,), {}),
    ("Softmax", (), {}), ("LogSoftmax", (1,), {}), ("Softmin", (1,), {}),
    ("LogSoftmax", (), {"dim": -1}),
]


@pytest.mark.filterwarnings("ignore:Implicit dimension choice")
@pytest.mark.parametrize("name,args,kwargs", MODULES)
def test_modules_match_torch_values_gradients_and_repr(name, args, kwargs):
    ours, theirs = getattr(A, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    a = np.random.default_rng(4).normal(scale=3, size=(4, 6))
    x = autograd.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    out, ref = ours(x * 1), theirs(t * 1)           # (* 1: inplace modules need a non-leaf)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=RTOL,
                               atol=1e-300)
    u = np.random.default_rng(5).normal(size=out.shape)
    out.backward(autograd.tensor(u))
    ref.backward(torch.tensor(u))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-15)
    assert list(ours.parameters()) == []


@pytest.mark.filterwarnings("error")              # and without numpy's warnings
@pytest.mark.parametrize("name", list(CASES))
def test_nan_and_infinities_as_torch(name):
    ours, theirs, _ = CASES[name]
    a = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0])
    x = autograd.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    out, ref = ours(x), theirs(t)
    np.testing.assert_array_equal(out.detach().numpy(), ref.detach().numpy())
    signed = ~np.isnan(ref.detach().numpy())         # (the sign of a nan means nothing)
    np.testing.assert_array_equal(np.signbit(out.detach().numpy())[signed],
                                  np.signbit(ref.detach().numpy())[signed])
    out.backward(autograd.tensor(np.ones(5)))
    ref.backward(torch.ones(5))
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, 0), (3.0, -1), (float("inf"), 1), (2.0, 2)])
def test_normalize_matches_torch_including_zero_slices(p, dim):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4, 2))
    a[1] = 0.0                                   # a zero slice: divided by eps, stays zero
    w = rng.standard_normal(a.shape)
    x = autograd.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    y, ty = F.normalize(x, p, dim), torch.nn.functional.normalize(t, p, dim)
    (y * autograd.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-14)
